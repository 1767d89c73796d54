package dev.minima.linear;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Global minima of a deep linear network for an end-to-end target T: the canonical flattest one, arbitrary
 * (generally sharper) ones and orthogonal-gauge copies (Mulayoff &amp; Michaeli 2020, Eq. 27 and supplement Eq. S104).
 *
 * <p>With the thin SVD T = U S Vᵀ (r = min(d_x, d_y) singular values) the canonical minimum is W_m = U S^{1/m},
 * W_j = S^{1/m} (1 &lt; j &lt; m), W_1 = S^{1/m} Vᵀ, where S^{1/m} is read as the rectangular d_k × d_{k−1}
 * matrix with σ_i(T)^{1/m} in its first r diagonal places and zeros elsewhere, so any hidden widths d_k ≥ r work
 * (assumption A1 of the paper asks d_k ≥ min(d_x, d_y)). When Σ_x = s²I it is a flattest minimum (Theorem 1).
 *
 * <pre>{@code
 * DeepLinearMinima minima = DeepLinearMinima.builder().setTarget(t).setDepth(4).build();
 * DeepLinearNetwork flattest = minima.canonical();
 * DeepLinearNetwork sharper = minima.arbitrary(7);
 * }</pre>
 */
public final class DeepLinearMinima {

    private static final Logger logger = LoggerFactory.getLogger(DeepLinearMinima.class);

    private final DMatrixRMaj t;
    private final int depth;
    private final int[] widths;
    private final Dense.Svd svd;

    private DeepLinearMinima(Builder b) {
        this.t = b.t;
        this.depth = b.depth;
        this.widths = b.widths;
        this.svd = Dense.Svd.of(t);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return T (a copy) */
    public double[][] target() {
        return t.get2DData();
    }

    /** @return the depth m */
    public int depth() {
        return depth;
    }

    /** @return d_0, …, d_m (a copy) */
    public int[] widths() {
        return widths.clone();
    }

    /**
     * The canonical flattest minimum (Mulayoff &amp; Michaeli 2020, Eq. 27). For m = 1 it is W_1 = T.
     *
     * @return the network
     */
    public DeepLinearNetwork canonical() {
        if (depth == 1) {
            return DeepLinearNetwork.of(t.get2DData());
        }
        int r = svd.s().length;
        double[] root = new double[r];
        for (int i = 0; i < r; i++) {
            root[i] = Math.pow(svd.s()[i], 1.0 / depth);
        }
        List<double[][]> w = new ArrayList<>();
        for (int k = 1; k <= depth; k++) {
            DMatrixRMaj sk = new DMatrixRMaj(k == depth ? r : widths[k], k == 1 ? r : widths[k - 1]);
            for (int i = 0; i < r; i++) {
                sk.set(i, i, root[i]);
            }
            if (k == 1) {
                sk = CommonOps_DDRM.multTransB(sk, svd.v(), null);
            }
            if (k == depth) {
                sk = CommonOps_DDRM.mult(svd.u(), sk, null);
            }
            w.add(sk.get2DData());
        }
        return DeepLinearNetwork.of(w);
    }

    /**
     * An arbitrary global minimum: W_m = U S^{1/m} A_{m−1}, W_i = A_i⁻¹ S^{1/m} A_{i−1}, W_1 = A_1⁻¹ S^{1/m} Vᵀ
     * with A_i of i.i.d. N(0, 1) entries (Mulayoff &amp; Michaeli 2020, supplement Eq. S104). A draw whose condition number
     * exceeds 10¹⁰ is replaced by the next one from the same stream, so the result is still a function of the
     * seed. Such minima are almost surely sharper than the canonical one.
     *
     * @param seed seed of the Gaussian matrices
     * @return the network (W_m ⋯ W_1 = T up to rounding)
     */
    public DeepLinearNetwork arbitrary(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<double[][]> a = new ArrayList<>();
        for (int k = 1; k < depth; k++) {
            DMatrixRMaj g;
            int draws = 0;
            do {
                g = RandomMatrices.gaussian(widths[k], widths[k], random);
                draws++;
            } while (condition(g) > 1e10);
            if (draws > 1) {
                logger.debug("arbitrary minimum (seed {}): redrew A_{} {} times for conditioning", seed, k, draws - 1);
            }
            a.add(g.get2DData());
        }
        return canonical().withHiddenBasis(a);
    }

    /**
     * A random orthogonal gauge copy W_k → Q_k W_k Q_{k−1}ᵀ (Q_0 = Q_m = I, Q_k Haar-distributed): the same
     * function and the same Hessian spectrum.
     *
     * @param network a network
     * @param seed seed of the orthogonal matrices
     * @return the transformed network
     */
    public static DeepLinearNetwork orthogonalGauge(DeepLinearNetwork network, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] d = network.widths();
        List<double[][]> g = new ArrayList<>();
        for (int k = 1; k < network.depth(); k++) {
            g.add(CommonOps_DDRM.transpose(RandomMatrices.orthogonal(d[k], random), null).get2DData()); // G_k = Q_kᵀ
        }
        return network.withHiddenBasis(g);
    }

    private static double condition(DMatrixRMaj g) {
        double[] s = Dense.Svd.of(g).s();
        double min = s[s.length - 1];
        return min > 0 ? s[0] / min : Double.POSITIVE_INFINITY;
    }

    /** Builder of {@link DeepLinearMinima}. */
    public static final class Builder {
        private DMatrixRMaj t;
        private int depth = -1;
        private int[] hidden;
        private int[] widths;

        private Builder() {}

        /**
         * @param t the end-to-end matrix T (d_y × d_x), e.g. {@link LinearRegressionTarget#t()}
         * @return this builder
         */
        public Builder setTarget(double[][] t) {
            this.t = Dense.checked("target T", t);
            return this;
        }

        /**
         * @param target a regression target; its T is used (whiten it first for Mulayoff &amp; Michaeli's (2020) closed
         *     forms)
         * @return this builder
         */
        public Builder setTarget(LinearRegressionTarget target) {
            this.t = new DMatrixRMaj(target.t());
            return this;
        }

        /**
         * @param depth the number of layers m ≥ 1
         * @return this builder
         */
        public Builder setDepth(int depth) {
            this.depth = depth;
            return this;
        }

        /**
         * @param widths the hidden widths d_1, …, d_{m−1}, each ≥ min(d_x, d_y) (default: all equal to min(d_x,
         *     d_y), the narrowest allowed)
         * @return this builder
         */
        public Builder optHiddenWidths(int... widths) {
            this.hidden = widths.clone();
            return this;
        }

        /**
         * @return the minima factory
         * @throws IllegalArgumentException if T is missing, m &lt; 1, or the hidden widths are wrong in number or
         *     too narrow to implement T
         */
        public DeepLinearMinima build() {
            if (t == null) {
                throw new IllegalArgumentException("setTarget(T) is required: the end-to-end matrix the minima implement");
            }
            if (depth < 1) {
                throw new IllegalArgumentException("depth m must be at least 1, got " + depth + ": call setDepth(m)");
            }
            int dx = t.numCols;
            int dy = t.numRows;
            int r = Math.min(dx, dy);
            int[] h = hidden;
            if (h == null) {
                h = new int[depth - 1];
                Arrays.fill(h, r);
            }
            if (h.length != depth - 1) {
                throw new IllegalArgumentException("a depth-" + depth + " network has " + (depth - 1)
                        + " hidden widths d_1..d_{m−1}, got " + h.length + ": " + Arrays.toString(h));
            }
            widths = new int[depth + 1];
            widths[0] = dx;
            widths[depth] = dy;
            for (int k = 1; k < depth; k++) {
                if (h[k - 1] < r) {
                    throw new IllegalArgumentException("hidden width d_" + k + " = " + h[k - 1]
                            + " is below min(d_x, d_y) = " + r + ": the network could not implement every T "
                            + "(Mulayoff & Michaeli 2020, assumption A1); use widths of at least " + r);
                }
                widths[k] = h[k - 1];
            }
            return new DeepLinearMinima(this);
        }
    }
}
