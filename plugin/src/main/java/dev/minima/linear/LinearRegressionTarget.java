package dev.minima.linear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.SymmetricEigen;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * The linear least-squares problem a deep linear network solves (Mulayoff &amp; Michaeli 2020, Eqs. 2–4): the empirical
 * moments Σ_x = Ê[xxᵀ], Σ_yx = Ê[yxᵀ], Σ_y = Ê[yyᵀ] (second moments, not covariances: the network has no bias) and
 * the end-to-end optimum T = Σ_yx Σ_x⁻¹, so that the global minima are Ω = {W : W_m ⋯ W_1 = T}.
 *
 * <p>{@link #whitened()} describes the same problem on whitened inputs x̃ = Σ_x^{−1/2} x (Σ_x̃ = I, T̃ = T
 * Σ_x^{1/2}), the setting (assumption A2) in which Mulayoff &amp; Michaeli's (2020) closed forms hold;
 * {@link #whiten(double[][])} transforms the inputs accordingly.
 */
public final class LinearRegressionTarget {

    /** Σ_x counts as singular when its smallest eigenvalue is below this fraction of its largest. */
    static final double SINGULAR_TOLERANCE = 1e-12;

    private final DMatrixRMaj sigmaX;
    private final DMatrixRMaj sigmaYX;
    private final DMatrixRMaj sigmaY;
    private final DMatrixRMaj t;
    private final DMatrixRMaj sigmaXHalf;
    private final DMatrixRMaj sigmaXMinusHalf;
    private final int size;

    private LinearRegressionTarget(DMatrixRMaj sigmaX, DMatrixRMaj sigmaYX, DMatrixRMaj sigmaY, int size) {
        this.sigmaX = sigmaX;
        this.sigmaYX = sigmaYX;
        this.sigmaY = sigmaY;
        this.size = size;
        SymmetricEigen e = SymmetricEigen.of(sigmaX.get2DData());
        if (!(e.min() > SINGULAR_TOLERANCE * e.max())) {
            throw new IllegalArgumentException("Σ_x = Ê[xxᵀ] is singular (eigenvalues from " + e.min() + " to "
                    + e.max() + ", " + size + " examples in " + sigmaX.numRows + " input dimensions): the inputs span "
                    + "only a subspace, so T = Σ_yx Σ_x⁻¹ is not unique. Add examples (at least d_x linearly "
                    + "independent ones), drop linearly dependent input features, or project the inputs onto "
                    + "their span first");
        }
        this.sigmaXHalf = new DMatrixRMaj(e.power(0.5));
        this.sigmaXMinusHalf = new DMatrixRMaj(e.power(-0.5));
        this.t = CommonOps_DDRM.mult(sigmaYX, Dense.inverse("Σ_x", sigmaX), null);
    }

    /**
     * Computes the moments of a data set.
     *
     * @param x inputs, one example per row (n × d_x)
     * @param y targets, one example per row (n × d_y)
     * @return the target
     * @throws IllegalArgumentException if there are fewer than two examples, the row counts differ, a matrix
     *     is ragged or non-finite, or Σ_x is singular
     */
    public static LinearRegressionTarget of(double[][] x, double[][] y) {
        if (x == null || y == null || x.length < 2) {
            throw new IllegalArgumentException("a linear regression target needs at least two examples, got "
                    + (x == null ? 0 : x.length) + ": pass one example per row");
        }
        if (y.length != x.length) {
            throw new IllegalArgumentException("x has " + x.length + " examples (rows) but y has " + y.length
                    + ": pass the same number of input and target rows");
        }
        DMatrixRMaj xs = Dense.checked("inputs x", x);
        DMatrixRMaj ys = Dense.checked("targets y", y);
        double n = xs.numRows;
        return new LinearRegressionTarget(CommonOps_DDRM.multTransA(1 / n, xs, xs, null),
                CommonOps_DDRM.multTransA(1 / n, ys, xs, null), CommonOps_DDRM.multTransA(1 / n, ys, ys, null),
                xs.numRows);
    }

    /**
     * Computes the moments of a data set held in DJL arrays.
     *
     * @param x inputs of shape (n, d_x)
     * @param y targets of shape (n, d_y), or (n) for one output
     * @return the target
     * @throws IllegalArgumentException as {@link #of(double[][], double[][])}, or if an array is not 1-D/2-D
     */
    public static LinearRegressionTarget of(NDArray x, NDArray y) {
        return of(rows(x, "x"), rows(y, "y"));
    }

    private static double[][] rows(NDArray a, String what) {
        Shape s = a.getShape();
        if (s.dimension() < 1 || s.dimension() > 2) {
            throw new IllegalArgumentException(what + " has shape " + s + ": pass (examples, features)");
        }
        int n = (int) s.get(0);
        int d = s.dimension() == 1 ? 1 : (int) s.get(1);
        double[] flat;
        try (NDArray f = a.toType(DataType.FLOAT64, true)) {
            flat = f.toDoubleArray();
        }
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    /** @return Σ_x = Ê[xxᵀ] (d_x × d_x, a copy) */
    public double[][] sigmaX() {
        return sigmaX.get2DData();
    }

    /** @return Σ_yx = Ê[yxᵀ] (d_y × d_x, a copy) */
    public double[][] sigmaYX() {
        return sigmaYX.get2DData();
    }

    /** @return Σ_y = Ê[yyᵀ] (d_y × d_y, a copy) */
    public double[][] sigmaY() {
        return sigmaY.get2DData();
    }

    /** @return T = Σ_yx Σ_x⁻¹ (d_y × d_x, a copy), the end-to-end matrix of every global minimum */
    public double[][] t() {
        return t.get2DData();
    }

    /** @return Σ_x^{1/2}, the symmetric square root (a copy) */
    public double[][] sigmaXSqrt() {
        return sigmaXHalf.get2DData();
    }

    /** @return Σ_x^{−1/2}, the symmetric whitening matrix (a copy) */
    public double[][] whiteningMatrix() {
        return sigmaXMinusHalf.get2DData();
    }

    /** @return d_x */
    public int inputDim() {
        return sigmaX.numRows;
    }

    /** @return d_y */
    public int outputDim() {
        return sigmaYX.numRows;
    }

    /** @return the number of examples n */
    public int size() {
        return size;
    }

    /**
     * @return the loss of every global minimum, ℓ* = Ê‖y − Tx‖² = tr Σ_y − tr(T Σ_yxᵀ) (Mulayoff &amp; Michaeli's (2020)
     *     loss: sum over outputs, mean over examples, no ½)
     */
    public double minimumLoss() {
        return Math.max(0.0, CommonOps_DDRM.trace(sigmaY)
                - CommonOps_DDRM.trace(CommonOps_DDRM.multTransB(t, sigmaYX, null)));
    }

    /**
     * @param relativeTolerance allowed ‖Σ_x − s²I‖_F / s² with s² = tr Σ_x / d_x
     * @return s² if Σ_x = s² I within the tolerance, otherwise NaN
     */
    public double isotropicScale(double relativeTolerance) {
        double s2 = CommonOps_DDRM.trace(sigmaX) / inputDim();
        DMatrixRMaj diff = CommonOps_DDRM.add(sigmaX, -s2, CommonOps_DDRM.identity(inputDim()), null);
        return NormOps_DDRM.normF(diff) <= relativeTolerance * s2 ? s2 : Double.NaN;
    }

    /**
     * The same problem on whitened inputs x̃ = Σ_x^{−1/2} x: Σ_x̃ = I, Σ_yx̃ = Σ_yx Σ_x^{−1/2}, T̃ = T Σ_x^{1/2},
     * Σ_y unchanged. A network trained on whitened inputs computes T̃ x̃ = T x.
     *
     * @return the whitened target
     */
    public LinearRegressionTarget whitened() {
        return new LinearRegressionTarget(CommonOps_DDRM.identity(inputDim()),
                CommonOps_DDRM.mult(sigmaYX, sigmaXMinusHalf, null), sigmaY.copy(), size);
    }

    /**
     * @param x inputs, one example per row (n × d_x)
     * @return the whitened inputs x̃_i = Σ_x^{−1/2} x_i, one per row
     */
    public double[][] whiten(double[][] x) {
        DMatrixRMaj xs = Dense.checked("inputs x", x);
        if (xs.numCols != inputDim()) {
            throw new IllegalArgumentException("inputs have " + xs.numCols + " features, the target was fitted on "
                    + inputDim());
        }
        return CommonOps_DDRM.mult(xs, sigmaXMinusHalf, null).get2DData(); // Σ_x^{−1/2} is symmetric
    }

    /**
     * @param x inputs of shape (n, d_x)
     * @return whitened inputs x Σ_x^{−1/2}, same shape, type and manager (libtorch-owned)
     */
    public NDArray whiten(NDArray x) {
        if (x.getShape().dimension() != 2 || x.getShape().get(1) != inputDim()) {
            throw new IllegalArgumentException("inputs of shape " + x.getShape() + " do not fit a target fitted on "
                    + inputDim() + " features: pass (examples, " + inputDim() + ")");
        }
        try (NDArray m = NativeArrays.of(x.getManager(), sigmaXMinusHalf.data, new Shape(inputDim(), inputDim()), x.getDataType())) {
            return x.matMul(m);
        }
    }
}
