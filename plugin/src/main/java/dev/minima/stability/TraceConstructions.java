package dev.minima.stability;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The flattest-trace constructions of Wen et al. (2023) for two-layer ReLU networks with a first-layer bias and
 * no output bias (2-MLP-Bias), and the P_xor data they are built for (x uniform on {−1, 1}^d, y = x₁x₂).
 * Both constructions reach the lower bound of {@link HessianTrace#interpolationLowerBound}, 4√(d+1) under
 * MSE (22.2711 for d = 30).
 */
public final class TraceConstructions {

    private TraceConstructions() {}

    /**
     * n distinct points drawn uniformly from {−1, 1}^d (rejection of repeats; Wen et al. 2023, Sec. 2 "Data
     * Distribution"; the experiments use d = 30, n = 100).
     *
     * @param n number of points (at most 2^d)
     * @param d dimension, ≥ 2
     * @param seed random seed
     * @return n rows of ±1
     */
    public static double[][] xorInputs(int n, int d, long seed) {
        if (d < 2) {
            throw new IllegalArgumentException("P_xor needs d ≥ 2 (y = x₁x₂), got d = " + d);
        }
        if (n < 1 || (d < 31 && n > (1 << d))) {
            throw new IllegalArgumentException("cannot draw " + n + " distinct points from {−1, 1}^" + d);
        }
        Random rng = new Random(seed);
        Set<List<Double>> seen = new HashSet<>();
        double[][] x = new double[n][];
        int j = 0;
        while (j < n) {
            double[] p = new double[d];
            Double[] key = new Double[d];
            for (int l = 0; l < d; l++) {
                p[l] = rng.nextBoolean() ? 1.0 : -1.0;
                key[l] = p[l];
            }
            if (seen.add(List.of(key))) {
                x[j++] = p;
            }
        }
        return x;
    }

    /**
     * @param x inputs with d ≥ 2
     * @return y_j = x_j[0]·x_j[1]
     */
    public static double[] xorLabels(double[][] x) {
        double[] y = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            y[j] = x[j][0] * x[j][1];
        }
        return y;
    }

    /**
     * The radius of the generalising construction, r = (d + 1)^{1/4}, which minimises (d + 1)/r² + r².
     * <b>Erratum</b> (docs/theory.md §6): Wen et al. (2023), eq. (5) prints r = (d² + 1)^{1/4}; see
     * {@link #printedRadius}.
     *
     * @param d input dimension
     * @return (d + 1)^{1/4}
     */
    public static double radius(int d) {
        return Math.pow(d + 1.0, 0.25);
    }

    /**
     * @param d input dimension
     * @return (d² + 1)^{1/4}, as printed in Wen et al. (2023), eq. (5); its trace for d = 30 is 62.10, not 22.27
     */
    public static double printedRadius(int d) {
        return Math.pow((double) d * d + 1.0, 0.25);
    }

    /**
     * The generalising 4-neuron flattest solution of Wen et al. (2023), eq. (5) with the corrected r = (d+1)^{1/4}: for
     * signs (s₁, s₂) ∈ {±1}², W1 row r[s₁, s₂, 0, …, 0], b = −r, w2 = s₁s₂/r; no output bias. On {−1, 1}^d
     * exactly one neuron is active, with value r, so f(x) = x₁x₂ everywhere on the cube (zero test error).
     *
     * @param d input dimension, ≥ 2
     * @return the network (k = 4)
     */
    public static ShallowReluNetwork generalizingXor(int d) {
        return generalizingXor(d, radius(d));
    }

    /**
     * The same construction with any radius r &gt; 0 (the function is x₁x₂ for every r; the trace is
     * 2((d + 1)/r² + r²) under MSE).
     *
     * @param d input dimension, ≥ 2
     * @param r the radius
     * @return the network
     */
    public static ShallowReluNetwork generalizingXor(int d, double r) {
        if (d < 2) {
            throw new IllegalArgumentException("the XOR construction needs d ≥ 2, got " + d);
        }
        if (!(r > 0) || !Double.isFinite(r)) {
            throw new IllegalArgumentException("radius must be positive and finite, got " + r);
        }
        double[] w2 = new double[4];
        for (int i = 0; i < 4; i++) {
            w2[i] = XOR_SIGNS[i] / r;
        }
        return ShallowReluNetwork.of(xorRows(d, r), xorBiases(r), w2, null);
    }

    /** s₁s₂ of the four xor neurons, in the order of {@link #xorRows}: (+, +), (+, −), (−, +), (−, −). */
    static final double[] XOR_SIGNS = {1, -1, -1, 1};

    /**
     * The first layer shared by the xor constructions (this class's ReLU one and Sim-LN's): rows r[s₁, s₂, 0, …].
     *
     * @param d input dimension, ≥ 2
     * @param r the scale
     * @return the 4 × d weights, in the order of {@link #XOR_SIGNS}
     */
    static double[][] xorRows(int d, double r) {
        double[][] w1 = new double[4][d];
        int i = 0;
        for (int s1 = 1; s1 >= -1; s1 -= 2) {
            for (int s2 = 1; s2 >= -1; s2 -= 2) {
                w1[i][0] = r * s1;
                w1[i][1] = r * s2;
                i++;
            }
        }
        return w1;
    }

    /**
     * @param r the scale
     * @return the four biases −r of the xor constructions
     */
    static double[] xorBiases(double r) {
        return new double[] {-r, -r, -r, -r};
    }

    /**
     * The memorising flattest solution of Wen et al. (2023), Sec. 4 (proof of Theorem 4.1): one neuron per training
     * point, with w_i = x_i/‖x_i‖, r̃_i = sqrt(‖x_i‖² + 1),
     *
     * <pre>
     *   W1 row i = sqrt(r̃_i|y_i|) w_i/ε,  b_i = sqrt(r̃_i|y_i|)(−w_iᵀx_i + ε)/ε,  w2_i = sign(y_i) sqrt(|y_i|/r̃_i),
     * </pre>
     *
     * no output bias. Neuron i fires only near x_i (value sqrt(r̃_i|y_i|) there), so f interpolates and is 0
     * on every other cube point (test error ≈ 1). Requires all ‖x_i‖ equal (e.g. the cube) so that w_i
     * separates x_i, and ε below the training-set margin min_{j≠i} w_iᵀ(x_i − x_j) (checked; needed to
     * interpolate). For f to vanish on <em>every</em> other cube point choose ε &lt; 2/√d, the margin to the
     * nearest cube neighbour (not checked: it concerns points outside the training set).
     *
     * @param x distinct training inputs of equal norm
     * @param y their labels
     * @param eps ε &gt; 0, below min_{j≠i} w_iᵀ(x_i − x_j)
     * @return the network (k = n)
     */
    public static ShallowReluNetwork memorizing(double[][] x, double[] y, double eps) {
        InputSample sample = InputSample.of(x);
        int n = sample.size();
        int d = sample.dimension();
        if (y == null || y.length != n) {
            throw new IllegalArgumentException("need one label per input: " + n + " inputs, "
                    + (y == null ? 0 : y.length) + " labels");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("ε must be positive, got " + eps);
        }
        double norm0 = InputSample.norm(x[0]);
        double[][] w1 = new double[n][d];
        double[] b1 = new double[n];
        double[] w2 = new double[n];
        for (int i = 0; i < n; i++) {
            double ni = InputSample.norm(x[i]);
            if (Math.abs(ni - norm0) > 1e-12 * (1 + norm0) || ni == 0) {
                throw new IllegalArgumentException(
                        "input " + i + " has norm " + ni + " but input 0 has " + norm0 + ": this construction needs"
                                + " inputs of equal non-zero norm (extreme points, e.g. the hypercube)");
            }
            double[] w = new double[d];
            for (int l = 0; l < d; l++) {
                w[l] = x[i][l] / ni;
            }
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double margin = 0;
                for (int l = 0; l < d; l++) {
                    margin += w[l] * (x[i][l] - x[j][l]);
                }
                if (!(margin > eps)) {
                    throw new IllegalArgumentException(
                            "ε = " + eps + " is not below the separation margin " + margin + " between inputs " + i
                                    + " and " + j + " (duplicate inputs have margin 0): choose a smaller ε");
                }
            }
            double rt = Math.sqrt(ni * ni + 1);
            double scale = Math.sqrt(rt * Math.abs(y[i]));
            double wx = 0;
            for (int l = 0; l < d; l++) {
                w1[i][l] = scale * w[l] / eps;
                wx += w[l] * x[i][l];
            }
            b1[i] = scale * (-wx + eps) / eps;
            w2[i] = Math.signum(y[i]) * Math.sqrt(Math.abs(y[i]) / rt);
        }
        return ShallowReluNetwork.of(w1, b1, w2, null);
    }

    /**
     * @param d input dimension
     * @return 4√(d + 1), the minimal trace over interpolating 2-MLP-Bias networks on P_xor under MSE
     */
    public static double biasFlattestTrace(int d) {
        return 4 * Math.sqrt(d + 1.0);
    }

    /**
     * @param d input dimension
     * @return 4√d, the trace lower bound for 2-MLP-No-Bias on P_xor under MSE (Wen et al. 2023, eq. 3 with x' = x)
     */
    public static double noBiasLowerBound(int d) {
        return 4 * Math.sqrt(d);
    }
}
