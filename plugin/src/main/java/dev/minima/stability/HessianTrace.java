package dev.minima.stability;

/**
 * The Hessian trace of the square loss for a one-hidden-layer ReLU network, the sharpness measure of
 * Wen et al. (2023, Sec. 2, "Sharpness").
 *
 * <p>Tr(∇²L) = (C/n) Σ_i ‖∇_θ f(x_i)‖² (Wen et al. 2023, Lemma 4.1, eq. 1; C = 2 for the paper's plain MSE, 1 for
 * ½-MSE). Wen et al. prove it at interpolation; for a two-layer ReLU network it holds at <em>every</em> θ off the
 * kinks [derived, docs/theory.md §4]: the residual term Σ r_i Tr(∇²_θ f(x_i)) vanishes because ReLU'' = 0 makes
 * the W1–W1 and b1–b1 blocks zero and f is linear in (w2, b2), so ∇²_θ f has a zero diagonal. In closed form
 * (Wen et al. 2023, eq. 2), with h = W1x + b1,
 *
 * <pre>
 *   ‖∇_θ f(x)‖² = ‖w2 ⊙ 1[h &gt; 0]‖² (‖x‖² + [1]) + ‖relu(h)‖² + [1],
 * </pre>
 *
 * the bracketed 1s present with a hidden bias and an output bias respectively.
 */
public final class HessianTrace {

    private HessianTrace() {}

    /**
     * Tr(∇²L) from the closed form of Wen et al. (2023), eq. (2).
     *
     * @param network the network
     * @param sample the training inputs
     * @param loss the loss convention (Wen et al. 2023: {@link LossConvention#MSE})
     * @return (C/n) Σ_i ‖∇_θ f(x_i)‖²
     */
    public static double closedForm(ShallowReluNetwork network, InputSample sample, LossConvention loss) {
        HiddenResponse r = new HiddenResponse(network, sample);
        double total = 0;
        for (int j = 0; j < r.n; j++) {
            double[] x = sample.row(j);
            double xx = 0;
            for (double a : x) {
                xx += a * a;
            }
            if (network.hasHiddenBias()) {
                xx += 1;
            }
            double act = 0;
            double rel = 0;
            for (int i = 0; i < r.k; i++) {
                double z = r.z[j][i];
                if (z > 0) {
                    double v = network.outputWeight(i);
                    act += v * v;
                    rel += z * z;
                }
            }
            total += act * xx + rel + (network.hasOutputBias() ? 1.0 : 0.0);
        }
        return loss.hessianConstant() * total / r.n;
    }

    /**
     * The Gauss–Newton trace from the dense tangent features, (C/n) tr(ΦᵀΦ), for cross-checking {@link
     * #closedForm}.
     *
     * @param network the network
     * @param sample the training inputs
     * @param loss the loss convention
     * @return (C/n) Σ_i ‖∇_θ f(x_i)‖² summed coordinate by coordinate
     */
    public static double fromTangentFeatures(ShallowReluNetwork network, InputSample sample, LossConvention loss) {
        double[][] phi = GramSharpness.tangentFeatures(network, sample);
        double total = 0;
        for (double[] row : phi) {
            for (double a : row) {
                total += a * a;
            }
        }
        return loss.hessianConstant() * total / phi.length;
    }

    /**
     * The lower bound on Tr(∇²L) over all interpolating networks without output bias (Wen et al. 2023, eq. 3: ‖∇_θ
     * f(x_i)‖² ≥ 2‖x'_i‖|y_i| by Cauchy–Schwarz), x' = (x, 1) with a hidden bias and x otherwise:
     * (C/n) Σ_i 2‖x'_i‖|y_i|. For P_xor (‖x‖² = d, |y| = 1) and MSE this is 4√(d+1) with bias and 4√d
     * without (docs/theory.md §4: 22.2711 and 21.909 for d = 30).
     *
     * @param sample the inputs
     * @param labels the targets, one per input
     * @param hiddenBias whether the first layer has a bias
     * @param loss the loss convention
     * @return the lower bound
     */
    public static double interpolationLowerBound(
            InputSample sample, double[] labels, boolean hiddenBias, LossConvention loss) {
        if (labels == null || labels.length != sample.size()) {
            throw new IllegalArgumentException(
                    "got " + (labels == null ? 0 : labels.length) + " labels for " + sample.size()
                            + " inputs: pass one target per input");
        }
        double total = 0;
        for (int j = 0; j < sample.size(); j++) {
            double[] x = sample.row(j);
            double xx = hiddenBias ? 1.0 : 0.0;
            for (double a : x) {
                xx += a * a;
            }
            total += 2 * Math.sqrt(xx) * Math.abs(labels[j]);
        }
        return loss.hessianConstant() * total / sample.size();
    }
}
