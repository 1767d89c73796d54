package dev.minima.landscape;

/**
 * One sharpness measure at the current parameters θ.
 *
 * @param measure the measure's name, e.g. {@code "worst-case l2"} or {@code "adaptive average-case"}
 * @param value the loss increase: max over the ascent's iterates of L(θ + δ) − L(θ) (worst case), or the sample
 *     mean of L(θ + δ) − L(θ) (average case)
 * @param standardError the standard error of an average-case value (0 for a worst-case one)
 * @param baseLoss L(θ)
 * @param radius ρ (worst case) or σ (average case), in the units of the measure's ball: absolute, or relative to
 *     |θ| elementwise when adaptive
 * @param perturbationL2 ‖δ‖₂ of the perturbation that reached the worst-case value (average case: the mean ‖δ‖₂
 *     of the samples)
 * @param perturbationLinf ‖δ‖_∞ of that perturbation (average case: the mean ‖δ‖_∞)
 * @param evaluations loss evaluations spent (a gradient counts as one)
 * @param perturbation the worst-case perturbation δ as a flat parameter-space vector (empty for the average case)
 */
public record SharpnessEstimate(String measure, double value, double standardError, double baseLoss,
        double radius, double perturbationL2, double perturbationLinf, int evaluations, double[] perturbation) {

    @Override
    public String toString() {
        return measure + " = " + value + (standardError > 0 ? " ± " + standardError : "") + " (radius " + radius
                + ", |delta|_2 " + perturbationL2 + ", |delta|_inf " + perturbationLinf + ")";
    }
}
