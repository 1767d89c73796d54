package dev.minima.stability;

/**
 * The step-size bounds of Mulayoff et al. (2021) and Nacson et al. (2023) under a {@link LossConvention}. A loss with
 * constant C and step η behaves like ½-MSE with step C·η (the Hessian scales by C), so every bound below uses the
 * effective step η' = C·η in place of the paper's η.
 */
public final class StabilityBounds {

    /** Which Δ of Mulayoff et al. (2021), Theorem 2 to use. */
    public enum DeltaVariant {
        /**
         * Δ as printed in Mulayoff et al. (2021), eq. (25): (3/2)C²q + C·sqrt((3/4)q(3C²q + 2/η)).
         */
        PRINTED,
        /**
         * 2Δ: what the proof actually gives. In Mulayoff et al. (2021), supplement eq. (S71–S75), with α =
         * 2√3·C·sqrt(q) and β = 2/η, the root bound is ((α + sqrt(α² + 4β))/2)² = α²/2 + β + (α/2)sqrt(α² + 4β) = 2/η +
         * 6C²q + 2C·sqrt(3q(3C²q + 2/η)); the last line of (S75) prints 3C²q + C·sqrt(3q(3C²q + 2/η)), half of the
         * excess, and eq. (25) inherits the factor. Combined with λ ≥ 1 + 2S (S79) the excess over 1/η − 1/2
         * is 3C²q + C·sqrt(3q(3C²q + 2/η)) = 2Δ_printed (docs/theory.md §1, §6).
         */
        DOUBLED
    }

    private StabilityBounds() {}

    /**
     * Mulayoff et al. (2021), Theorem 1 / Nacson et al. (2023), Theorem 1: a linearly stable solution (no knot on a
     * data point) has stability norm at most 1/(C·η) − 1/2.
     *
     * @param eta step size η &gt; 0
     * @param loss the loss convention
     * @return 1/(C·η) − 1/2
     */
    public static double normBound(double eta, LossConvention loss) {
        return loss.normBound(eta);
    }

    /**
     * The sharpness lower bound C·([1] + 2S) of Mulayoff et al. (2021), Lemma 4 / Nacson et al. (2023), Lemma 3 for a
     * norm S; the "1" (the output-bias coordinate of the Hessian) is dropped for networks without output bias.
     *
     * @param norm a stability norm or per-neuron sum
     * @param outputBias whether the network has an output bias
     * @param loss the loss convention
     * @return C·([1] + 2S)
     */
    public static double sharpnessLowerBound(double norm, boolean outputBias, LossConvention loss) {
        return loss.hessianConstant() * ((outputBias ? 1.0 : 0.0) + 2 * norm);
    }

    /**
     * Δ of Mulayoff et al. (2021), Theorem 2 (eq. 25) from its ingredients.
     *
     * @param rho ρ ≥ ‖θ*‖_∞
     * @param maxAbsInput M = max_j |x_j|
     * @param width k
     * @param knots L, the number of distinct knots (L ≤ k)
     * @param samples n
     * @param eta step size η &gt; 0
     * @param loss the loss convention (η is replaced by C·η)
     * @param variant printed or doubled
     * @return Δ ≥ 0
     */
    public static double theorem2Delta(
            double rho, double maxAbsInput, int width, int knots, int samples, double eta, LossConvention loss,
            DeltaVariant variant) {
        if (!(rho >= 0) || !(maxAbsInput >= 0) || !Double.isFinite(rho) || !Double.isFinite(maxAbsInput)) {
            throw new IllegalArgumentException("ρ and M must be finite and ≥ 0, got ρ = " + rho + ", M = " + maxAbsInput);
        }
        if (knots < 0 || knots > width || samples < 2) {
            throw new IllegalArgumentException(
                    "need 0 ≤ L ≤ k and n ≥ 2, got L = " + knots + ", k = " + width + ", n = " + samples);
        }
        double etaEff = loss.effectiveStep(eta);
        double c = Math.max(1.0, rho * (1 + maxAbsInput));
        double q = (1.0 + width - knots) / samples;
        double delta = 1.5 * c * c * q + c * Math.sqrt(0.75 * q * (3 * c * c * q + 2 / etaEff));
        return variant == DeltaVariant.DOUBLED ? 2 * delta : delta;
    }

    /**
     * Δ of Mulayoff et al. (2021), Theorem 2 for a univariate network and its data: ρ = ‖θ‖_∞ of this implementation, M
     * = max|x_j|, L = distinct knots ({@link UnivariateKnots}).
     *
     * @param network a univariate network
     * @param sample its training inputs (d = 1)
     * @param eta step size
     * @param loss loss convention
     * @param variant printed or doubled
     * @return Δ
     */
    public static double theorem2Delta(
            ShallowReluNetwork network, InputSample sample, double eta, LossConvention loss, DeltaVariant variant) {
        sample.checkCompatible(network);
        int knots = UnivariateKnots.of(network).count();
        return theorem2Delta(network.maxAbsParameter(), sample.maxNorm(), network.width(), knots, sample.size(), eta,
                loss, variant);
    }
}
