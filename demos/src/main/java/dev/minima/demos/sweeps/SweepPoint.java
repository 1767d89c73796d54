package dev.minima.demos.sweeps;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything measured at the end point of one GD run of a step-size sweep. Sharpness values assume the ½-MSE
 * loss (C = 1). Fields that cannot be measured (a diverged run has no finite weights) are NaN.
 *
 * @param eta the step size η
 * @param steps GD updates made
 * @param loss L(θ) at the end point
 * @param converged L ≤ the threshold was reached
 * @param convergedInWarmup converged before the warm-up ended (excluded from the claims, as in Mulayoff et al. (2021), supplement Sec. I)
 * @param diverged the loss blew up
 * @param lmax λ_max of the Gram matrix K = ΦᵀΦ/n (exact sharpness at interpolation, Gauss–Newton elsewhere)
 * @param lmaxLanczos λ_max of the exact Hessian of the DJL block (double backprop, Lanczos)
 * @param lanczosResidual ‖Hv − λv‖ of that Ritz pair
 * @param weylBound (1/n) Σ_j |r_j| sqrt(1 + ‖x_j‖²), a bound on ‖H − ΦΦᵀ/n‖₂ and hence on |lmax − lmaxLanczos|
 *     up to the Lanczos residual [derived: the residual term (1/n) Σ r_j ∇²f(x_j) has, per neuron, the
 *     off-diagonal block a_ji·(x_j, 1) between v_i and (w_i, b_i), of norm ≤ sqrt(1 + ‖x_j‖²)]
 * @param threshold 2/η, the edge of linear stability
 * @param lowerBound 1 + 2S, the sharpness lower bound of Mulayoff et al. (2021), Lemma 4; Nacson et al. (2023), Lemma 3
 * @param flattestLambda λ_max of the flattest per-neuron rescaling found (Mulayoff et al. (2021), supplement Sec. XI)
 * @param flattestCertificate the S88 lower bound at that rescaling's top eigenvector
 * @param ghatUpper 1 + 2 Σ|a_i| ĝ, the upper side of eq. (105) of Nacson et al. (2023) on the flattest λ
 * @param stabilityNorm S: ∫|f''|g (d = 1) or ‖f‖_{R,g} (d &gt; 1), knots merged
 * @param perNeuronNorm S_θ = Σ_i |a_i| g(w̄_i, b̄_i), no merging
 * @param bound 1/η − 1/2, Theorem 1's bound on S
 * @param biasNorm ‖b‖₂ of the raw hidden biases (not invariant to the rescaling (w, b, v) → (αw, αb, v/α))
 * @param offsetNorm ‖b̄‖₂ of the normalised offsets b̄_i = −b_i/‖w_i‖ over neurons with w_i ≠ 0 (Nacson et al.
 *     (2023), Sec. 3.2: invariant to that rescaling)
 * @param knotsOnData training inputs lying on a knot (Theorem 1 assumes none)
 * @param seconds wall-clock training time
 */
public record SweepPoint(
        double eta, long steps, double loss, boolean converged, boolean convergedInWarmup, boolean diverged,
        double lmax, double lmaxLanczos, double lanczosResidual, double weylBound, double threshold,
        double lowerBound, double flattestLambda, double flattestCertificate, double ghatUpper,
        double stabilityNorm, double perNeuronNorm, double bound, double biasNorm, double offsetNorm, int knotsOnData, double seconds) {

    /** @return whether the run counts for the paper's claims: converged after the warm-up */
    public boolean usable() {
        return converged && !convergedInWarmup;
    }

    /** @return λ_max·η/2, 1 on the edge of stability */
    public double edgeRatio() {
        return lmax / threshold;
    }

    /** @return the fields under snake_case names, for summary.json */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eta", eta);
        m.put("loss", loss);
        m.put("lmax", lmax);
        m.put("lmax_lanczos", lmaxLanczos);
        m.put("threshold", threshold);
        m.put("lower_bound", lowerBound);
        m.put("flattest_lambda", flattestLambda);
        m.put("flattest_certificate", flattestCertificate);
        m.put("stability_norm", stabilityNorm);
        m.put("bound", bound);
        m.put("converged", converged);
        m.put("converged_in_warmup", convergedInWarmup);
        m.put("diverged", diverged);
        m.put("steps", steps);
        m.put("lanczos_residual", lanczosResidual);
        m.put("weyl_bound", weylBound);
        m.put("ghat_upper", ghatUpper);
        m.put("per_neuron_norm", perNeuronNorm);
        m.put("bias_norm", biasNorm);
        m.put("offset_norm", offsetNorm);
        m.put("knots_on_data", knotsOnData);
        m.put("seconds", seconds);
        return m;
    }

    /** @return CSV column names, in {@link #csvRow()} order */
    public static java.util.List<String> csvHeader() {
        return java.util.List.of("eta", "steps", "loss", "converged", "converged_in_warmup", "diverged", "lmax",
                "lmax_lanczos", "lanczos_residual", "weyl_bound", "threshold", "lower_bound", "flattest_lambda",
                "flattest_certificate", "ghat_upper", "stability_norm", "per_neuron_norm", "bound", "bias_norm", "offset_norm",
                "knots_on_data", "seconds");
    }

    /** @return the CSV values */
    public Object[] csvRow() {
        return new Object[] {eta, steps, loss, converged, convergedInWarmup, diverged, lmax, lmaxLanczos,
            lanczosResidual, weylBound, threshold, lowerBound, flattestLambda, flattestCertificate, ghatUpper,
            stabilityNorm, perNeuronNorm, bound, biasNorm, offsetNorm, knotsOnData, seconds};
    }
}
