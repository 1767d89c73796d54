package dev.minima.linear;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.NormOps_DDRM;


/**
 * Intermediate gains of a deep linear network (Mulayoff &amp; Michaeli 2020, Theorem 2 and Fig. 3), indexed by k = 0..m,
 * the number of layers passed (index k).
 *
 * <p>P_k = W_k ⋯ W_1 (prefix) and A_k = W_m ⋯ W_{k+1} (suffix); (u, v) is the top singular pair of T = P_m and
 * σ = σ_max(T). At a flattest minimum with Σ_x = I Theorem 2 says: (i) v is a right singular vector of P_k with
 * singular value σ^{k/m}; (ii) σ_max(P_k) ≤ √m σ^{k/m}; (iii) u is a left singular vector of A_k with singular
 * value σ^{1−k/m}; (iv) σ_max(A_k) ≤ √m σ^{1−k/m}. At an arbitrary minimum the prefix gains are unconstrained.
 *
 * @param sigmaMax σ = σ_max(T)
 * @param prefixSingularValues singular values of P_k, descending (the blue dots of Fig. 3)
 * @param prefixGains σ_max(P_k)
 * @param topSignalGains ‖P_k v‖ (the red circles of Fig. 3)
 * @param topSignalResiduals ‖P_kᵀP_k v − ‖P_k v‖² v‖ / ‖P_k v‖²: 0 when v is a right singular vector of P_k
 * @param suffixGains σ_max(A_k)
 * @param topOutputGains ‖A_kᵀ u‖
 * @param flattestGains σ^{k/m}, Theorem 2(i)'s value at a flattest minimum
 * @param bounds √m σ^{k/m}, Theorem 2(ii)'s bound
 */
public record IntermediateGains(
        double sigmaMax,
        double[][] prefixSingularValues,
        double[] prefixGains,
        double[] topSignalGains,
        double[] topSignalResiduals,
        double[] suffixGains,
        double[] topOutputGains,
        double[] flattestGains,
        double[] bounds) {

    /**
     * Makes defensive copies of the arrays: the record is immutable.
     *
     * @param sigmaMax σ = σ_max(T)
     * @param prefixSingularValues singular values of P_k, descending (the blue dots of Fig. 3)
     * @param prefixGains σ_max(P_k)
     * @param topSignalGains ‖P_k v‖ (the red circles of Fig. 3)
     * @param topSignalResiduals ‖P_kᵀP_k v − ‖P_k v‖² v‖ / ‖P_k v‖²: 0 when v is a right singular vector of P_k
     * @param suffixGains σ_max(A_k)
     * @param topOutputGains ‖A_kᵀ u‖
     * @param flattestGains σ^{k/m}, Theorem 2(i)'s value at a flattest minimum
     * @param bounds √m σ^{k/m}, Theorem 2(ii)'s bound
     */
    public IntermediateGains {
        prefixSingularValues = Arrays.stream(prefixSingularValues).map(double[]::clone).toArray(double[][]::new);
        prefixGains = prefixGains.clone();
        topSignalGains = topSignalGains.clone();
        topSignalResiduals = topSignalResiduals.clone();
        suffixGains = suffixGains.clone();
        topOutputGains = topOutputGains.clone();
        flattestGains = flattestGains.clone();
        bounds = bounds.clone();
    }

    /**
     * @param network a network with a non-zero product
     * @return its gains
     */
    public static IntermediateGains of(DeepLinearNetwork network) {
        int m = network.depth();
        Dense.Svd t = network.productSvd();
        double sigma = t.max();
        double[] u = t.left(0);
        double[] v = t.right(0);
        double[][] sv = new double[m + 1][];
        double[] pg = new double[m + 1];
        double[] tg = new double[m + 1];
        double[] tr = new double[m + 1];
        double[] sg = new double[m + 1];
        double[] og = new double[m + 1];
        double[] fg = new double[m + 1];
        double[] bd = new double[m + 1];
        for (int k = 0; k <= m; k++) {
            DMatrixRMaj p = network.prefixMatrix(k);
            Dense.Svd ps = Dense.Svd.of(p);
            sv[k] = ps.s();
            pg[k] = ps.max();
            double[] pv = Dense.times(p, v);
            double g2 = Dense.dot(pv, pv);
            tg[k] = Math.sqrt(g2);
            double[] ptpv = Dense.transposeTimes(p, pv);
            double r = 0;
            for (int i = 0; i < v.length; i++) {
                double e = ptpv[i] - g2 * v[i];
                r += e * e;
            }
            tr[k] = Math.sqrt(r) / g2;
            DMatrixRMaj a = network.suffixMatrix(k);
            sg[k] = NormOps_DDRM.normP2(a);
            og[k] = Dense.norm(Dense.transposeTimes(a, u));
            fg[k] = Math.pow(sigma, (double) k / m);
            bd[k] = Math.sqrt(m) * fg[k];
        }
        return new IntermediateGains(sigma, sv, pg, tg, tr, sg, og, fg, bd);
    }

    /** @return a copy of {@code prefixSingularValues} */
    @Override
    public double[][] prefixSingularValues() {
        return Arrays.stream(prefixSingularValues).map(double[]::clone).toArray(double[][]::new);
    }

    /** @return a copy of {@code prefixGains} */
    @Override
    public double[] prefixGains() {
        return prefixGains.clone();
    }

    /** @return a copy of {@code topSignalGains} */
    @Override
    public double[] topSignalGains() {
        return topSignalGains.clone();
    }

    /** @return a copy of {@code topSignalResiduals} */
    @Override
    public double[] topSignalResiduals() {
        return topSignalResiduals.clone();
    }

    /** @return a copy of {@code suffixGains} */
    @Override
    public double[] suffixGains() {
        return suffixGains.clone();
    }

    /** @return a copy of {@code topOutputGains} */
    @Override
    public double[] topOutputGains() {
        return topOutputGains.clone();
    }

    /** @return a copy of {@code flattestGains} */
    @Override
    public double[] flattestGains() {
        return flattestGains.clone();
    }

    /** @return a copy of {@code bounds} */
    @Override
    public double[] bounds() {
        return bounds.clone();
    }
}
