package dev.minima.linear;

import org.ejml.data.DMatrixRMaj;

/**
 * The coupling of consecutive layers along the signal of largest end-to-end gain (Mulayoff &amp; Michaeli 2020, Theorem 3).
 *
 * <p>With (u, v) the top singular pair of T = W_m ⋯ W_1, r_k = W_{k−1} ⋯ W_1 v (what layer k receives) and q_k =
 * (W_m ⋯ W_{k+1})ᵀ u, Theorem 3 says that at a flattest minimum (Σ_x = I) (i) r̄_k, q̄_k are a right/left
 * singular pair of W_k with singular value σ_max(T)^{1/m}, and (ii) r̄_{k+1} = q̄_k: the output direction of
 * layer k is the input direction of layer k+1, a dedicated path for v. This record measures both, plus the
 * alignment of the layers' own top singular vectors (the notion of Ji &amp; Telgarsky 2019), which agrees with
 * Theorem 3 at the canonical minimum but is ill-defined when a layer's top singular value is repeated.
 *
 * @param sigmaMax σ_max(T)
 * @param pairResiduals Theorem 3(i): max(‖W_k r̄_k − σ^{1/m} q̄_k‖, ‖W_kᵀ q̄_k − σ^{1/m} r̄_k‖), k = 1..m (index
 *     k−1); 0 at a flattest minimum
 * @param coupling Theorem 3(ii): ⟨r̄_{k+1}, q̄_k⟩, k = 1..m−1 (index k−1); always in (0, 1], 1 at a flattest
 *     minimum
 * @param topVectorAlignment |⟨left top singular vector of W_k, right top singular vector of W_{k+1}⟩|, k =
 *     1..m−1
 */
public record LayerCoupling(double sigmaMax, double[] pairResiduals, double[] coupling, double[] topVectorAlignment) {

    /**
     * Makes defensive copies of the arrays: the record is immutable.
     *
     * @param sigmaMax σ_max(T)
     * @param pairResiduals Theorem 3(i): max(‖W_k r̄_k − σ^{1/m} q̄_k‖, ‖W_kᵀ q̄_k − σ^{1/m} r̄_k‖), k = 1..m (index
     *     k−1); 0 at a flattest minimum
     * @param coupling Theorem 3(ii): ⟨r̄_{k+1}, q̄_k⟩, k = 1..m−1 (index k−1); always in (0, 1], 1 at a flattest
     *     minimum
     * @param topVectorAlignment |⟨left top singular vector of W_k, right top singular vector of W_{k+1}⟩|, k = 1..m−1
     */
    public LayerCoupling {
        pairResiduals = pairResiduals.clone();
        coupling = coupling.clone();
        topVectorAlignment = topVectorAlignment.clone();
    }

    /**
     * @param network a network with a non-zero product
     * @return its coupling measures
     */
    public static LayerCoupling of(DeepLinearNetwork network) {
        int m = network.depth();
        Dense.Svd t = network.productSvd();
        double sigma = t.max();
        double root = Math.pow(sigma, 1.0 / m);
        double[] u = t.left(0);
        double[] v = t.right(0);
        double[][] rBar = new double[m + 1][];
        double[][] qBar = new double[m + 1][];
        for (int k = 1; k <= m; k++) {
            rBar[k] = unit(Dense.times(network.prefixMatrix(k - 1), v));
            qBar[k] = unit(Dense.transposeTimes(network.suffixMatrix(k), u));
        }
        double[] res = new double[m];
        for (int k = 1; k <= m; k++) {
            DMatrixRMaj w = network.weightMatrix(k);
            double a = distance(Dense.times(w, rBar[k]), qBar[k], root);
            double b = distance(Dense.transposeTimes(w, qBar[k]), rBar[k], root);
            res[k - 1] = Math.max(a, b);
        }
        double[] coupling = new double[m - 1];
        double[] top = new double[m - 1];
        for (int k = 1; k < m; k++) {
            coupling[k - 1] = Dense.dot(rBar[k + 1], qBar[k]);
            double[] leftK = Dense.Svd.of(network.weightMatrix(k)).left(0);
            double[] rightNext = Dense.Svd.of(network.weightMatrix(k + 1)).right(0);
            top[k - 1] = Math.abs(Dense.dot(leftK, rightNext));
        }
        return new LayerCoupling(sigma, res, coupling, top);
    }

    private static double[] unit(double[] x) {
        double n = Dense.norm(x);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] / n;
        }
        return out;
    }

    /** ‖x − s·y‖. */
    private static double distance(double[] x, double[] y, double s) {
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            double e = x[i] - s * y[i];
            d += e * e;
        }
        return Math.sqrt(d);
    }

    /** @return a copy of {@code pairResiduals} */
    @Override
    public double[] pairResiduals() {
        return pairResiduals.clone();
    }

    /** @return a copy of {@code coupling} */
    @Override
    public double[] coupling() {
        return coupling.clone();
    }

    /** @return a copy of {@code topVectorAlignment} */
    @Override
    public double[] topVectorAlignment() {
        return topVectorAlignment.clone();
    }
}
