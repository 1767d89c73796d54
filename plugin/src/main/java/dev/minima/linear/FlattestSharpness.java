package dev.minima.linear;

import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss.OutputReduction;
import dev.minima.loss.SquaredErrorLoss;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * The sharpness of the flattest global minima of a depth-m linear network, in closed form (Mulayoff &amp; Michaeli 2020,
 * Theorem 1, Eq. 17): λ_max = 2m σ_max(T)^{2(1−1/m)}, and the largest step size at which gradient descent can
 * stay at such a minimum, η_max = 2/λ_max = (1/m) σ_max(T)^{−2(1−1/m)}.
 *
 * <p><b>Conventions.</b> The paper's loss is ℓ = Ê‖y − f(x)‖² (sum over outputs, mean over examples, no ½),
 * i.e. {@code Losses.mse(OutputReduction.SUM_OUTPUTS)}. A loss c·Ê‖y − f(x)‖²/d_y (mean over outputs) has
 * Hessian (c/d_y) times the paper's, so every sharpness is multiplied by {@link #lossFactor}: ½ for ½-MSE summed
 * over outputs, 1/d_y for {@code Losses.mse()}, 1/(2d_y) for {@code Losses.halfMse()}.
 *
 * <p><b>Input scale</b> [derived]. The theorem assumes Σ_x = I. When Σ_x = s² I every C_k = (∏_{j&lt;k} W_j)
 * Σ_x^{1/2} of Lemma 3 gains the factor s, so the Hessian at every minimum is s² times the white one and
 * λ_max = 2m s² σ_max(T)^{2(1−1/m)}; for scalar networks this is Eq. 13, 2m σ_x² τ^{2(1−1/m)}. For anisotropic
 * Σ_x no closed form is known (the paper conjectures one in Sec. 5): whiten the inputs ({@link
 * LinearRegressionTarget#whitened()}, with T̃ = T Σ_x^{1/2}) or compute a given minimum's sharpness with
 * {@link DualHessianOperator}.
 *
 * @param lambdaMax the flattest minima's sharpness λ_max(∇²ℓ)
 * @param largestStableStep 2/λ_max
 * @param sigmaMax σ_max(T)
 * @param depth m
 * @param inputScale s² with Σ_x = s² I (1 for whitened inputs)
 * @param lossFactor the loss convention's factor relative to Mulayoff &amp; Michaeli's (2020) loss
 */
public record FlattestSharpness(
        double lambdaMax, double largestStableStep, double sigmaMax, int depth, double inputScale, double lossFactor) {

    /** Relative tolerance for accepting Σ_x as a multiple of the identity. */
    public static final double ISOTROPY_TOLERANCE = 1e-9;

    /**
     * For whitened inputs and Mulayoff &amp; Michaeli's (2020) loss.
     *
     * @param t the end-to-end matrix T
     * @param depth m ≥ 1
     * @return the closed form
     */
    public static FlattestSharpness of(double[][] t, int depth) {
        return of(t, depth, 1.0, Losses.mse(OutputReduction.SUM_OUTPUTS));
    }

    /**
     * For inputs with Σ_x = s² I and a squared-error loss.
     *
     * @param t the end-to-end matrix T
     * @param depth m ≥ 1
     * @param inputScale s² &gt; 0 (σ_x² for scalar inputs)
     * @param loss the loss convention
     * @return the closed form
     * @throws IllegalArgumentException if m &lt; 1, s² ≤ 0 or T is not a finite matrix
     */
    public static FlattestSharpness of(double[][] t, int depth, double inputScale, SquaredErrorLoss loss) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth m must be at least 1, got " + depth);
        }
        if (!(inputScale > 0) || !Double.isFinite(inputScale)) {
            throw new IllegalArgumentException("the input scale s² (Σ_x = s² I) must be positive and finite, got "
                    + inputScale);
        }
        DMatrixRMaj checked = Dense.checked("target T", t);
        double sigma = NormOps_DDRM.normP2(checked);
        double factor = lossFactor(loss, checked.numRows);
        // Mulayoff & Michaeli (2020), Theorem 1 (Eq. 17), times s² for Σ_x = s² I and the loss factor
        double lambda = 2.0 * depth * inputScale * factor * Math.pow(sigma, 2.0 * (1.0 - 1.0 / depth));
        return new FlattestSharpness(lambda, 2.0 / lambda, sigma, depth, inputScale, factor);
    }

    /**
     * From a regression target whose Σ_x is a multiple of the identity (e.g. a whitened one).
     *
     * @param target the target
     * @param depth m ≥ 1
     * @param loss the loss convention
     * @return the closed form
     * @throws IllegalArgumentException if Σ_x is not s² I within {@link #ISOTROPY_TOLERANCE}: then no closed
     *     form is known; the message says how to proceed
     */
    public static FlattestSharpness of(LinearRegressionTarget target, int depth, SquaredErrorLoss loss) {
        double s2 = target.isotropicScale(ISOTROPY_TOLERANCE);
        if (Double.isNaN(s2)) {
            throw new IllegalArgumentException("Σ_x is not a multiple of the identity, and Mulayoff & Michaeli's (2020) closed form "
                    + "needs white (or isotropic) inputs: use target.whitened() with inputs target.whiten(x), or "
                    + "measure a given minimum with DualHessianOperator");
        }
        return of(target.t(), depth, s2, loss);
    }

    /**
     * @param loss a squared-error loss c·(sum or mean over outputs of (f − y)²), mean over examples
     * @param outputDim d_y
     * @return its Hessian relative to Mulayoff &amp; Michaeli's (2020) loss: c for a sum over outputs, c/d_y for a mean
     */
    public static double lossFactor(SquaredErrorLoss loss, int outputDim) {
        return loss.scale() * (loss.reduction() == OutputReduction.MEAN ? 1.0 / outputDim : 1.0);
    }

    /**
     * The sharpness of any global minimum of a scalar network (Mulayoff &amp; Michaeli 2020, Eq. 10): 2 σ_x² τ² Σ_j 1/w_j²,
     * with Mulayoff &amp; Michaeli's (2020) loss.
     *
     * @param tau τ = Π_j w_j, the end-to-end coefficient
     * @param sigmaX2 σ_x² = Ê[x²]
     * @param w the weights w_1, …, w_m (all non-zero)
     * @return λ_max at that minimum
     */
    public static double scalarSharpness(double tau, double sigmaX2, double... w) {
        double s = 0;
        for (double wj : w) {
            if (wj == 0 || !Double.isFinite(wj)) {
                throw new IllegalArgumentException("scalar weights must be finite and non-zero, got " + wj);
            }
            s += 1.0 / (wj * wj);
        }
        return 2.0 * sigmaX2 * tau * tau * s;
    }

    /**
     * Mulayoff &amp; Michaeli (2020), Theorem 4 (Σ_x = I): a global minimum whose every layer has σ_max(W_k) =
     * σ_max(T)^{1/m} is a flattest minimum.
     *
     * @param network a global minimum
     * @param relativeTolerance allowed relative deviation of each σ_max(W_k)
     * @return whether the sufficient condition holds
     */
    public static boolean satisfiesTheorem4(DeepLinearNetwork network, double relativeTolerance) {
        double root = Math.pow(NormOps_DDRM.normP2(network.productMatrix()), 1.0 / network.depth());
        for (int k = 1; k <= network.depth(); k++) {
            if (Math.abs(network.spectralNorm(k) - root) > relativeTolerance * root) {
                return false;
            }
        }
        return true;
    }
}
