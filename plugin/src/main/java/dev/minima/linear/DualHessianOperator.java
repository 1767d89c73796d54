package dev.minima.linear;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Vectors;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.curvature.SymmetricOperator;
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss.OutputReduction;
import dev.minima.loss.SquaredErrorLoss;
import java.util.Objects;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The exact dual of the Gauss–Newton matrix of a deep linear network, Ĥ = 2ΦᵀΦ (Mulayoff &amp; Michaeli 2020, Sec. 5, Eq.
 * 20), as a {@link SymmetricOperator} on B ∈ ℝ^{d_y×d_x}:
 *
 * <pre>  Ĥ(B) = 2 Σ_k A_k A_kᵀ B C_kᵀ C_k,   A_k = W_m ⋯ W_{k+1},   C_k = W_{k−1} ⋯ W_1 Σ_x^{1/2}.</pre>
 *
 * <p>[derived from Lemma 3] Φ_k = C_k ⊗ A_kᵀ maps vec(B) to vec(A_kᵀ B C_kᵀ) and Φ_kᵀ maps vec(G) to vec(A_k G
 * C_k), so ΦᵀΦ b = vec(Σ_k A_k A_kᵀ B C_kᵀ C_k). The Gauss–Newton matrix 2ΦΦᵀ is N×N (N = all parameters)
 * while Ĥ is only d_x d_y × d_x d_y, and both have the same non-zero eigenvalues. At a global minimum (W_m ⋯ W_1
 * = T) the Gauss–Newton matrix is the Hessian (Lemma 3), so λ_max(∇²ℓ) = λ_max(Ĥ) exactly and Lanczos or power
 * iteration on this operator gives the sharpness with products of small matrices, O(m (d_y² d_x + d_y d_x²))
 * flops each, instead of double backpropagation through the data. tr ∇²ℓ = tr Ĥ = 2 Σ_k ‖C_k‖_F² ‖A_k‖_F²
 * ({@link #trace()}). Away from Ω the operator still gives the Gauss–Newton part.
 *
 * <p>Vectors are B flattened row-major (index i·d_x + j holds B_ij); products are computed in double
 * precision and returned in the operator's data type, attached to the argument's manager. The loss convention
 * scales everything by {@link FlattestSharpness#lossFactor}.
 *
 * <pre>{@code
 * DualHessianOperator h = DualHessianOperator.builder().setNetwork(net).optInputMoment(target.sigmaX()).build();
 * Eigenpairs top = Lanczos.builder().optTolerance(1e-10).build().run(h);
 * }</pre>
 */
public final class DualHessianOperator implements SymmetricOperator {

    private final DeepLinearNetwork network;
    private final double factor;
    private final DataType dataType;
    private final Device device;
    private final int dx;
    private final int dy;
    /** A_k A_kᵀ (d_y × d_y), k = 1..m at index k−1. */
    private final DMatrixRMaj[] left;
    /** C_kᵀ C_k (d_x × d_x), k = 1..m at index k−1. */
    private final DMatrixRMaj[] right;
    /** C_k (d_{k−1} × d_x), for lifting dual vectors to parameter space. */
    private final DMatrixRMaj[] c;
    /** A_k (d_y × d_k). */
    private final DMatrixRMaj[] a;
    private long products;

    private DualHessianOperator(Builder b) {
        this.network = b.network;
        this.dataType = b.dataType;
        this.device = b.device;
        this.dx = network.inputDim();
        this.dy = network.outputDim();
        this.factor = FlattestSharpness.lossFactor(b.loss, dy);
        DMatrixRMaj half = b.sigmaX == null ? null : new DMatrixRMaj(SymmetricEigen.of(b.sigmaX).power(0.5));
        int m = network.depth();
        left = new DMatrixRMaj[m];
        right = new DMatrixRMaj[m];
        c = new DMatrixRMaj[m];
        a = new DMatrixRMaj[m];
        for (int k = 1; k <= m; k++) {
            a[k - 1] = network.suffixMatrix(k);
            DMatrixRMaj ck = network.prefixMatrix(k - 1);
            c[k - 1] = half == null ? ck : CommonOps_DDRM.mult(ck, half, null);
            left[k - 1] = CommonOps_DDRM.multTransB(a[k - 1], a[k - 1], null);
            right[k - 1] = CommonOps_DDRM.multTransA(c[k - 1], c[k - 1], null);
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param network a network, with white inputs and Mulayoff &amp; Michaeli's (2020) loss
     * @return its dual operator in float64 on the CPU
     */
    public static DualHessianOperator of(DeepLinearNetwork network) {
        return builder().setNetwork(network).build();
    }

    @Override
    public long dimension() {
        return (long) dx * dy;
    }

    @Override
    public DataType dataType() {
        return dataType;
    }

    @Override
    public Device device() {
        return device;
    }

    /** @return the network */
    public DeepLinearNetwork network() {
        return network;
    }

    /** @return the number of products computed so far */
    public long products() {
        return products;
    }

    @Override
    public NDArray apply(NDArray vector) {
        SymmetricOperator.checkVector(this, vector);
        double[] out = apply(Vectors.toDoubles(vector));
        return NativeArrays.of(vector.getManager(), out, new Shape(out.length), dataType);
    }

    /**
     * @param b a flattened B (row-major, length d_y d_x)
     * @return Ĥ(B), flattened the same way
     */
    public double[] apply(double[] b) {
        checkLength(b);
        return apply(DMatrixRMaj.wrap(dy, dx, b.clone())).data;
    }

    /**
     * @param b a d_y × d_x matrix
     * @return Ĥ(B) = 2c Σ_k A_k A_kᵀ B C_kᵀ C_k (c the loss factor)
     */
    public double[][] apply(double[][] b) {
        if (b.length != dy || b[0].length != dx) {
            throw new IllegalArgumentException("B must be d_y × d_x = " + dy + "×" + dx + ", got " + b.length + "×"
                    + b[0].length);
        }
        return apply(new DMatrixRMaj(b)).get2DData();
    }

    /** Σ_k 2c · (A_k A_kᵀ) B (C_kᵀ C_k) on a d_y × d_x matrix. */
    private DMatrixRMaj apply(DMatrixRMaj b) {
        DMatrixRMaj sum = new DMatrixRMaj(dy, dx);
        DMatrixRMaj lb = new DMatrixRMaj(dy, dx);
        for (int k = 0; k < left.length; k++) {
            CommonOps_DDRM.mult(left[k], b, lb);
            CommonOps_DDRM.multAdd(lb, right[k], sum);
        }
        products++;
        CommonOps_DDRM.scale(2.0 * factor, sum);
        return sum;
    }

    /**
     * The exact trace [derived]: tr Ĥ = 2c Σ_k tr(A_k A_kᵀ) tr(C_kᵀ C_k) = 2c Σ_k ‖A_k‖_F² ‖C_k‖_F², equal to
     * the trace of the Gauss–Newton matrix (the Hessian at a global minimum).
     *
     * @return the trace
     */
    public double trace() {
        double s = 0;
        for (int k = 0; k < left.length; k++) {
            s += CommonOps_DDRM.trace(left[k]) * CommonOps_DDRM.trace(right[k]);
        }
        return 2.0 * factor * s;
    }

    /**
     * Materialises Ĥ with d_x d_y products of unit vectors (for small networks and tests).
     *
     * @return the dense symmetric matrix
     * @throws IllegalArgumentException if the dimension exceeds 4096
     */
    public double[][] dense() {
        int n = Math.toIntExact(dimension());
        if (n > 4096) {
            throw new IllegalArgumentException("a dense dual operator of dimension " + n
                    + " is too large; run Lanczos on the operator instead");
        }
        double[][] h = new double[n][];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1.0;
            h[j] = apply(e); // column j, equal to row j by symmetry
        }
        return h;
    }

    /**
     * Lifts a dual vector to a parameter-space direction: Φ b, per layer vec(A_kᵀ B C_kᵀ), flattened in DJL's
     * order (W_1 first, row-major), not normalised. If b is an eigenvector of Ĥ with eigenvalue λ &gt; 0, Φ b is
     * an eigenvector of the Gauss–Newton matrix (the Hessian on Ω) with the same eigenvalue; for the flattest
     * minimum and B = u vᵀ this is the top eigenvector of Theorem 1.
     *
     * @param b a flattened B (row-major, length d_y d_x)
     * @return the parameter-space vector, of length {@link DeepLinearNetwork#parameterCount()}
     */
    public double[] lift(double[] b) {
        checkLength(b);
        DMatrixRMaj bm = DMatrixRMaj.wrap(dy, dx, b);
        double[] out = new double[Math.toIntExact(network.parameterCount())];
        int off = 0;
        for (int k = 0; k < a.length; k++) {
            // A_kᵀ B C_kᵀ, row-major as DJL flattens W_k
            DMatrixRMaj g = CommonOps_DDRM.multTransB(CommonOps_DDRM.multTransA(a[k], bm, null), c[k], null);
            System.arraycopy(g.data, 0, out, off, g.getNumElements());
            off += g.getNumElements();
        }
        return out;
    }

    /** Builder of {@link DualHessianOperator}. */
    public static final class Builder {
        private DeepLinearNetwork network;
        private double[][] sigmaX;
        private SquaredErrorLoss loss = Losses.mse(OutputReduction.SUM_OUTPUTS);
        private DataType dataType = DataType.FLOAT64;
        private Device device = Device.cpu();

        private Builder() {}

        /**
         * @param network the network (ideally a global minimum, where Ĥ is the Hessian's dual)
         * @return this builder
         */
        public Builder setNetwork(DeepLinearNetwork network) {
            this.network = network;
            return this;
        }

        /**
         * @param sigmaX Σ_x = Ê[xxᵀ] (d_x × d_x, symmetric positive semi-definite); default I (white inputs)
         * @return this builder
         */
        public Builder optInputMoment(double[][] sigmaX) {
            this.sigmaX = sigmaX == null ? null : Dense.checked("Σ_x", sigmaX).get2DData();
            return this;
        }

        /**
         * @param target a regression target whose Σ_x is used
         * @return this builder
         */
        public Builder optTarget(LinearRegressionTarget target) {
            this.sigmaX = target.sigmaX();
            return this;
        }

        /**
         * @param loss the squared-error loss convention (default {@code Losses.mse(SUM_OUTPUTS)}, Mulayoff &amp; Michaeli's
         *     (2020))
         * @return this builder
         */
        public Builder optLoss(SquaredErrorLoss loss) {
            this.loss = Objects.requireNonNull(loss, "loss");
            return this;
        }

        /**
         * @param dataType the type of the vectors the operator exchanges with estimators (default FLOAT64)
         * @return this builder
         */
        public Builder optDataType(DataType dataType) {
            this.dataType = Objects.requireNonNull(dataType, "dataType");
            return this;
        }

        /**
         * @param device the device of the vectors (default CPU)
         * @return this builder
         */
        public Builder optDevice(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /**
         * @return the operator
         * @throws IllegalArgumentException if the network is missing or Σ_x does not fit it
         */
        public DualHessianOperator build() {
            if (network == null) {
                throw new IllegalArgumentException("setNetwork(network) is required");
            }
            if (sigmaX != null && (sigmaX.length != network.inputDim() || sigmaX[0].length != network.inputDim())) {
                throw new IllegalArgumentException("Σ_x is " + sigmaX.length + "×" + sigmaX[0].length
                        + " but the network takes " + network.inputDim() + " inputs: pass a d_x × d_x moment matrix");
            }
            return new DualHessianOperator(this);
        }
    }

    /** Refuses a vector whose length is not d_y·d_x. */
    private void checkLength(double[] b) {
        if (b.length != dimension()) {
            throw new IllegalArgumentException("vector of length " + b.length + " does not fit the dual operator of "
                    + "dimension d_y·d_x = " + dimension());
        }
    }
}
