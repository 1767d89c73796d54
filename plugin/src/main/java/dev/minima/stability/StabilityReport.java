package dev.minima.stability;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One-call stability analysis of a one-hidden-layer ReLU network on its training inputs: exactly the
 * fields the {@code norms} command writes (see {@link #toMap()}).
 *
 * <p>All sharpness-like fields are Hessian eigenvalues under the given {@link LossConvention} (C = 1 for
 * ½-MSE, 2 for MSE), exact at an interpolating minimum and Gauss–Newton elsewhere. For every θ they obey
 * [derived, docs/theory.md §1–2, checked by the tests]
 *
 * <pre>
 *   lambda_max_gram ≥ lower_bound_mean_grad ≥ lower_bound_chain ≥ C([1] + 2·per_neuron_norm) ≥ lower_bound_norm
 *   max(lower_bound_chain, flattest_certificate) ≤ min_β λ_max(θ̃(β)) ≤ flattest_lambda
 *   flattest_lambda ≤ min(lambda_max_gram, ghat_upper)   (up to the minimiser's tolerance)
 * </pre>
 *
 * (ΣT⁺ is invariant under rescaling, so the chain bounds every rescaling, Mulayoff et al. 2021, supplement eq. S81.)
 *
 * where [1] is present only with an output bias. Networks without hidden biases use the weight functions
 * without the bias feature (see {@link RadonWeightFunction}); the papers assume both biases.
 *
 * @param n number of training inputs
 * @param d input dimension
 * @param k width
 * @param stabilityNorm the stability norm with knots merged: d = 1, ∫|f''| g (Mulayoff et al. 2021, eq. 21); d &gt; 1,
 *     ‖f‖_{R,g} (Nacson et al. 2023, eq. 11), which equals S_θ when no two neurons share a knot
 * @param perNeuronNorm S_θ = Σ_i |a_i| g(w̄_i, b̄_i) (Nacson et al. 2023, eq. 15; for d = 1, Σ|v_i w_i| g(c_i),
 *     Mulayoff et al. 2021, supplement S41)
 * @param lambdaMaxGram C·λ_max(ΦᵀΦ/n), the exact sharpness of this implementation
 * @param lowerBoundMeanGrad C·‖(1/n)Σ_j ∇_θ f(x_j)‖² (Mulayoff et al. 2021, supplement S33, Nacson et al. 2023, eq. 48)
 * @param lowerBoundChain C·([1] + 2Σ_i T⁺_i), T⁺ the active-side terms (Nacson et al. 2023, eq. 50–52)
 * @param lowerBoundNorm C·([1] + 2·stabilityNorm) (Mulayoff et al. 2021, Lemma 4, Nacson et al. 2023, Lemma 3)
 * @param bound 1/(C·η) − 1/2 when η was given, else {@code null} (Mulayoff et al. 2021 and Nacson et al. 2023, Theorem
 *     1)
 * @param flattestLambda C·min_β λ_max(θ̃(β)) as found ({@link FlattestRescaling})
 * @param flattestCertificate C·(S88) at the top eigenvector of the flattest rescaling (Mulayoff et al. 2021, supplement
 *     Sec. XI); a lower bound on min_β λ_max, equal to flattestLambda when the minimum is certified. Valid in any d
 * @param ghatUpper C·([1] + 2Σ_i |a_i| ĝ(w̄_i, b̄_i)), the upper sandwich bound on min_β λ_max
 *     (Nacson et al. 2023, eq. 105, per neuron). Valid in any d
 * @param knotsOnData number of training inputs lying on a knot ({@link KnotsOnData})
 * @param verdict the {@link StabilityVerdict} label when η was given, else {@code null}
 */
public record StabilityReport(
        int n, int d, int k, double stabilityNorm, double perNeuronNorm, double lambdaMaxGram,
        double lowerBoundMeanGrad, double lowerBoundChain, double lowerBoundNorm, Double bound,
        double flattestLambda, double flattestCertificate, double ghatUpper, int knotsOnData, String verdict) {

    /**
     * Analyses a network on its training inputs.
     *
     * @param network the network
     * @param x the training inputs, n ≥ 2 rows of d numbers
     * @param eta the step size, if known (must be positive)
     * @param loss the loss convention the sharpness values assume
     * @return the report
     * @throws IllegalArgumentException on bad data, mismatched d or η ≤ 0
     */
    public static StabilityReport of(ShallowReluNetwork network, double[][] x, OptionalDouble eta, LossConvention loss) {
        if (network == null || loss == null || eta == null) {
            throw new IllegalArgumentException("network, eta (use OptionalDouble.empty()) and loss must not be null");
        }
        InputSample sample = InputSample.of(x);
        sample.checkCompatible(network);
        if (eta.isPresent()) {
            LossConvention.checkStep(eta.getAsDouble());
        }
        HiddenResponse resp = new HiddenResponse(network, sample);
        boolean bias = network.hasHiddenBias();
        boolean out = network.hasOutputBias();
        double c = loss.hessianConstant();
        double one = out ? 1.0 : 0.0;

        NeuronStatistics stats = NeuronStatistics.of(resp);
        double norm = SharpnessChain.stabilityNorm(network, sample);
        GramSharpness gram = GramSharpness.of(resp, loss);
        SharpnessChain chain = SharpnessChain.of(resp, gram, stats, norm, loss);
        FlattestRescaling.Result flat = FlattestRescaling.minimize(network, sample, loss);
        double ghat = c * (one + 2 * stats.gHatSum());
        KnotsOnData.Result onData = KnotsOnData.detect(network, sample);

        Double bound = null;
        String verdict = null;
        if (eta.isPresent()) {
            double e = eta.getAsDouble();
            bound = loss.normBound(e);
            double edge = 2.0 / e;
            StabilityVerdict v;
            if (chain.lambdaMax() <= edge) {
                v = StabilityVerdict.STABLE;
            } else if (flat.lambda() <= edge || ghat <= edge) {
                v = StabilityVerdict.STABLE_AFTER_RESCALING;
            } else if (Theorem3Certificate.evaluate(network, sample, e, loss).certified()
                    && onData.count() == 0) {
                v = StabilityVerdict.STABLE_FUNCTION;
            } else if (onData.count() == 0 && chain.merged() > edge) {
                v = StabilityVerdict.UNSTABLE;
            } else if (onData.count() > 0 && sample.dimension() == 1 && out && bias
                    && norm > bound + StabilityBounds.theorem2Delta(network, sample, e, loss,
                            StabilityBounds.DeltaVariant.DOUBLED)) {
                v = StabilityVerdict.UNSTABLE;
            } else {
                v = StabilityVerdict.UNDETERMINED;
            }
            verdict = v.label();
        }
        return new StabilityReport(sample.size(), sample.dimension(), network.width(), norm, stats.perNeuronNorm(),
                chain.lambdaMax(), chain.meanGradient(), chain.activeSide(), chain.merged(), bound, flat.lambda(),
                flat.certificate(), ghat, onData.count(), verdict);
    }

    /**
     * @return the fields under their snake_case names, in declaration order: n, d, k, stability_norm,
     *     per_neuron_norm, lambda_max_gram, lower_bound_mean_grad, lower_bound_chain, lower_bound_norm,
     *     bound, flattest_lambda, flattest_certificate, ghat_upper, knots_on_data, verdict
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("d", d);
        m.put("k", k);
        m.put("stability_norm", stabilityNorm);
        m.put("per_neuron_norm", perNeuronNorm);
        m.put("lambda_max_gram", lambdaMaxGram);
        m.put("lower_bound_mean_grad", lowerBoundMeanGrad);
        m.put("lower_bound_chain", lowerBoundChain);
        m.put("lower_bound_norm", lowerBoundNorm);
        m.put("bound", bound);
        m.put("flattest_lambda", flattestLambda);
        m.put("flattest_certificate", flattestCertificate);
        m.put("ghat_upper", ghatUpper);
        m.put("knots_on_data", knotsOnData);
        m.put("verdict", verdict);
        return m;
    }
}
