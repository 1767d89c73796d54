package dev.minima.linear;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * How far a deep linear network is from balanced: for each pair of consecutive layers, ‖W_k W_kᵀ − W_{k+1}ᵀ
 * W_{k+1}‖_F (Mulayoff &amp; Michaeli 2020, Sec. 3 and 7). Gradient flow conserves W_k W_kᵀ − W_{k+1}ᵀ W_{k+1} (Arora et
 * al. 2018), so from a balanced start (e.g. identity initialisation) it stays zero; the canonical flattest minimum is
 * exactly balanced, arbitrary minima are not.
 *
 * @param gaps ‖W_k W_kᵀ − W_{k+1}ᵀ W_{k+1}‖_F for k = 1..m−1 (index k−1)
 * @param relativeGaps each gap divided by max(‖W_k W_kᵀ‖_F, ‖W_{k+1}ᵀ W_{k+1}‖_F)
 */
public record Balancedness(double[] gaps, double[] relativeGaps) {

    /**
     * Makes defensive copies of the arrays: the record is immutable.
     *
     * @param gaps ‖W_k W_kᵀ − W_{k+1}ᵀ W_{k+1}‖_F for k = 1..m−1 (index k−1)
     * @param relativeGaps each gap divided by max(‖W_k W_kᵀ‖_F, ‖W_{k+1}ᵀ W_{k+1}‖_F)
     */
    public Balancedness {
        gaps = gaps.clone();
        relativeGaps = relativeGaps.clone();
    }

    /**
     * @param network a network
     * @return its per-pair balancedness gaps (empty for m = 1)
     */
    public static Balancedness of(DeepLinearNetwork network) {
        int m = network.depth();
        double[] gaps = new double[m - 1];
        double[] rel = new double[m - 1];
        for (int k = 1; k < m; k++) {
            DMatrixRMaj wk = network.weightMatrix(k);
            DMatrixRMaj next = network.weightMatrix(k + 1);
            DMatrixRMaj outer = CommonOps_DDRM.multTransB(wk, wk, null);
            DMatrixRMaj inner = CommonOps_DDRM.multTransA(next, next, null);
            gaps[k - 1] = NormOps_DDRM.normF(CommonOps_DDRM.subtract(outer, inner, null));
            double scale = Math.max(NormOps_DDRM.normF(outer), NormOps_DDRM.normF(inner));
            rel[k - 1] = scale > 0 ? gaps[k - 1] / scale : 0.0;
        }
        return new Balancedness(gaps, rel);
    }

    /** @return a copy of {@code gaps} */
    @Override
    public double[] gaps() {
        return gaps.clone();
    }

    /** @return a copy of {@code relativeGaps} */
    @Override
    public double[] relativeGaps() {
        return relativeGaps.clone();
    }

    /** @return the largest gap (0 for m = 1) */
    public double max() {
        double x = 0;
        for (double g : gaps) {
            x = Math.max(x, g);
        }
        return x;
    }
}
