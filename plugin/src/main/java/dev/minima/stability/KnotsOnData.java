package dev.minima.stability;

import java.util.ArrayList;
import java.util.List;

/**
 * Detects training inputs that sit on a knot (a neuron's hyperplane w_iᵀx + b_i = 0). Such inputs make
 * the minimum non-twice-differentiable, so Mulayoff et al. (2021), Theorem 1 and Nacson et al. (2023), Theorem 1 do not
 * apply there (Mulayoff et al. 2021, Sec. 4.2; Nacson et al. 2023, App. A, report 30 such points out of 512 in its
 * MNIST run).
 *
 * <p>A point x_j is on neuron i's knot when its distance to the hyperplane, |w_iᵀx_j + b_i| / ‖w_i‖, is at
 * most {@code tolerance · (1 + ‖x_j‖)}.
 */
public final class KnotsOnData {

    /** Default relative tolerance. */
    public static final double DEFAULT_TOLERANCE = 1e-9;

    /**
     * The detection result.
     *
     * @param points indices j of the inputs lying on at least one knot
     * @param incidences number of (input, neuron) pairs on a knot; the p = Σ_j p_j of Mulayoff et al. (2021), Sec. 4.2
     * @param maxPerPoint p_max = max_j p_j, the most neurons toggling on one input (Mulayoff et al. 2021, Lemma 5)
     */
    public record Result(int[] points, int incidences, int maxPerPoint) {
        /** @return a copy of the indices */
        @Override
        public int[] points() {
            return points.clone();
        }

        /** @return the number of inputs on a knot */
        public int count() {
            return points.length;
        }
    }

    private KnotsOnData() {}

    /**
     * @param network the network
     * @param sample the inputs
     * @return the detection with {@link #DEFAULT_TOLERANCE}
     */
    public static Result detect(ShallowReluNetwork network, InputSample sample) {
        return detect(network, sample, DEFAULT_TOLERANCE);
    }

    /**
     * @param network the network
     * @param sample the inputs
     * @param tolerance relative distance tolerance (≥ 0)
     * @return the detection
     */
    public static Result detect(ShallowReluNetwork network, InputSample sample, double tolerance) {
        if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be finite and ≥ 0, got " + tolerance);
        }
        sample.checkCompatible(network);
        int k = network.width();
        double[] norms = new double[k];
        for (int i = 0; i < k; i++) {
            norms[i] = InputSample.norm(network.neuronWeights(i));
        }
        List<Integer> pts = new ArrayList<>();
        int inc = 0;
        int max = 0;
        for (int j = 0; j < sample.size(); j++) {
            double[] x = sample.row(j);
            double[] z = network.preActivations(x);
            double scale = tolerance * (1 + InputSample.norm(x));
            int p = 0;
            for (int i = 0; i < k; i++) {
                if (norms[i] > 0 && Math.abs(z[i]) / norms[i] <= scale) {
                    p++;
                }
            }
            if (p > 0) {
                pts.add(j);
                inc += p;
                max = Math.max(max, p);
            }
        }
        return new Result(pts.stream().mapToInt(Integer::intValue).toArray(), inc, max);
    }
}
