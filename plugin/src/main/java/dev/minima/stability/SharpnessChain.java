package dev.minima.stability;

/**
 * The lower-bound chain on the sharpness of the current implementation, valid for every θ (docs/theory.md
 * §1–2 [derived], checked on thousands of random θ by the tests), all times the loss constant C:
 *
 * <pre>
 *   λ_max(ΦᵀΦ/n) ≥ ‖(1/n)Σ_j ∇_θ f(x_j)‖² ≥ [1] + 2Σ_i T⁺_i ≥ [1] + 2 S_θ ≥ [1] + 2 ‖f‖
 * </pre>
 *
 * <ul>
 *   <li>first link: u = 1/√n in the Rayleigh quotient (Mulayoff et al. 2021, supplement eq. S33, Nacson et al. 2023,
 * eq. 48);
 *   <li>second: α² + β² ≥ 2|αβ| per neuron (S33 last line, Nacson et al. 2023, eq. 48 (*)), which leaves the
 *       <em>active</em> side T⁺_i = |a_i| g̃(w̄_i, b̄_i) (Nacson et al. 2023, eq. 50–52). The inactive side T⁻ has no
 *       such bound: Σ max(T⁺, T⁻) exceeds the mean-gradient term on about half of random θ (see LowerBoundChainTest);
 *   <li>third: g = min(g̃(v, b), g̃(−v, −b)) ≤ g̃ (Nacson et al. 2023, eq. 52 (**), Mulayoff et al. 2021, supplement
 * eq. S40);
 *   <li>fourth: merging coincident knots (Nacson et al. 2023, eq. 58, Mulayoff et al. 2021, supplement eq. S41 last
 *       step); ‖f‖ is ∫|f''|g for d = 1 and ‖f‖_{R,g} for d &gt; 1.
 * </ul>
 *
 * [1] is present only with an output bias. All terms except the first two are invariant under per-neuron
 * rescaling, so they bound min_β λ_max(θ̃(β)) as well (Mulayoff et al. 2021, Lemma 4, Nacson et al. 2023, Lemma 3).
 *
 * @param lambdaMax C·λ_max(ΦᵀΦ/n)
 * @param meanGradient C·‖mean_j ∇_θ f(x_j)‖²
 * @param activeSide C·([1] + 2Σ_i T⁺_i)
 * @param perNeuron C·([1] + 2S_θ)
 * @param merged C·([1] + 2‖f‖) with knots merged
 */
public record SharpnessChain(
        double lambdaMax, double meanGradient, double activeSide, double perNeuron, double merged) {

    /**
     * @param network the network
     * @param sample the inputs
     * @param loss the loss convention
     * @return the chain
     */
    public static SharpnessChain of(ShallowReluNetwork network, InputSample sample, LossConvention loss) {
        HiddenResponse r = new HiddenResponse(network, sample);
        return of(r, GramSharpness.of(r, loss), NeuronStatistics.of(r), stabilityNorm(network, sample), loss);
    }

    static SharpnessChain of(
            HiddenResponse r, GramSharpness gram, NeuronStatistics stats, double norm, LossConvention loss) {
        double c = loss.hessianConstant();
        double one = r.network.hasOutputBias() ? 1.0 : 0.0;
        return new SharpnessChain(gram.lambdaMax(), gram.meanGradientSquared(), c * (one + 2 * stats.activeSideSum()),
                c * (one + 2 * stats.perNeuronNorm()), c * (one + 2 * norm));
    }

    /**
     * The merged stability norm: ∫|f''| g for d = 1 ({@link UnivariateKnots}), ‖f‖_{R,g} for d &gt; 1 ({@link
     * MergedKnots}), with the bias feature following the network.
     *
     * @param network the network
     * @param sample the inputs
     * @return the norm
     */
    public static double stabilityNorm(ShallowReluNetwork network, InputSample sample) {
        sample.checkCompatible(network);
        boolean bias = network.hasHiddenBias();
        if (sample.dimension() == 1) {
            return UnivariateKnots.of(network).stabilityNorm(WeightFunction.empirical(sample, bias));
        }
        return MergedKnots.of(network).stabilityNorm(RadonWeightFunction.of(sample, bias));
    }

    /**
     * @param relativeSlack allowed relative violation per link (rounding)
     * @return whether every link holds
     */
    public boolean holds(double relativeSlack) {
        double s = 1 + relativeSlack;
        return lambdaMax * s >= meanGradient && meanGradient * s >= activeSide && activeSide * s >= perNeuron
                && perNeuron * s >= merged;
    }
}
