package dev.minima.monitor;

/**
 * The result of {@link SgdStabilityCheck}: Wu, Ma &amp; E's (2018) batch-size dependent linear stability of
 * SGD at a minimum (docs/theory.md §0). The necessary form is a ≤ 2/η and s ≤ (1/η)·sqrt(B(n−1)/(n−B)), with
 * the sharpness a = λ_max(H) and the non-uniformity s = λ_max(Σ)^{1/2}, Σ = (1/n)Σ_i H_i² − H². The
 * mean-square condition, when computed, is λ_max{(I − ηH)² + η²(n−B)/(B(n−1))·Σ} ≤ 1.
 *
 * @param sharpness a = λ_max(H)
 * @param sharpnessResidual the Lanczos residual of a
 * @param nonUniformity s = sqrt(λ_max(Σ))
 * @param sigmaMax λ_max(Σ) = s²
 * @param sigmaResidual the Lanczos residual of λ_max(Σ)
 * @param eta the learning rate
 * @param batchSize B
 * @param trainingSetSize n
 * @param sharpnessThreshold 2/η
 * @param nonUniformityThreshold (1/η)·sqrt(B(n−1)/(n−B)), infinite when B ≥ n (full-batch GD)
 * @param meanSquareRadius λ_max{(I − ηH)² + η²(n−B)/(B(n−1))·Σ}, or NaN if not computed
 * @param products Hessian-vector products spent (per-example and full-batch)
 * @param verdict the conclusion
 */
public record SgdStability(
        double sharpness,
        double sharpnessResidual,
        double nonUniformity,
        double sigmaMax,
        double sigmaResidual,
        double eta,
        int batchSize,
        long trainingSetSize,
        double sharpnessThreshold,
        double nonUniformityThreshold,
        double meanSquareRadius,
        long products,
        Verdict verdict) {

    /** What the check concludes. */
    public enum Verdict {
        /** a &gt; 2/η: unstable for GD and SGD alike. */
        UNSTABLE_SHARPNESS,
        /** s exceeds (1/η)·sqrt(B(n−1)/(n−B)): unstable for SGD with this batch size. */
        UNSTABLE_NON_UNIFORMITY,
        /** Both necessary conditions hold but the mean-square radius exceeds 1. */
        UNSTABLE_MEAN_SQUARE,
        /** Both necessary conditions hold and the mean-square radius is at most 1. */
        STABLE_MEAN_SQUARE,
        /** Both necessary conditions hold (the mean-square radius was not computed). */
        NECESSARY_CONDITIONS_HOLD
    }

    /** @return whether the verdict says unstable */
    public boolean unstable() {
        return verdict == Verdict.UNSTABLE_SHARPNESS || verdict == Verdict.UNSTABLE_NON_UNIFORMITY
                || verdict == Verdict.UNSTABLE_MEAN_SQUARE;
    }
}
