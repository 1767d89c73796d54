package dev.minima.stability;

import java.util.Arrays;

/**
 * An immutable one-hidden-layer ReLU network f(x) = Σ_i v_i σ(w_iᵀx + b_i) + c in double precision, the
 * model of Mulayoff et al. (2021, eq. 18, univariate) and Nacson et al. (2023, eq. 7, multivariate): W1 is k×d with
 * rows w_i, b1 the k hidden biases (optional), w2 = v the k output weights and b2 = c the output bias (optional).
 *
 * <p><b>Parameter order.</b> θ = [W1 row-major; b1; w2; b2], omitting absent biases. For d = 1 this is
 * the univariate θ = [w; b; v; c] of Mulayoff et al. (2021), eq. (20); for d &gt; 1 it is Nacson et al. (2023), eq. (9)
 * (row i of W1 is neuron i's weight vector, so row-major W1 equals Nacson et al.'s (2023) [w_1ᵀ … w_kᵀ]). Gradients
 * with respect to θ follow Mulayoff et al. (2021), supplement eq. (S32) / Nacson et al. (2023), eq. (45), with the
 * strict activation convention a_i(x) = 1[w_iᵀx + b_i &gt; 0].
 *
 * <p>Build one with {@link #of} or {@link #builder()}, or read it out of a DJL block with {@link
 * ShallowReluBlocks#read}. Every accessor returns a copy.
 */
public final class ShallowReluNetwork {

    private final double[][] w1;
    private final double[] b1;
    private final double[] w2;
    private final Double b2;

    private ShallowReluNetwork(double[][] w1, double[] b1, double[] w2, Double b2) {
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
    }

    /**
     * Creates a network, validating shapes and values. Inputs are copied.
     *
     * @param w1 first-layer weights, k rows of d entries (k ≥ 1, d ≥ 1)
     * @param b1 hidden biases (length k), or {@code null} for a first layer without bias
     * @param w2 output weights (length k)
     * @param b2 output bias, or {@code null} for an output layer without bias
     * @return the network
     * @throws IllegalArgumentException on zero-width layers, ragged or mismatched shapes, or non-finite
     *     values, with a message naming the problem and the fix
     */
    public static ShallowReluNetwork of(double[][] w1, double[] b1, double[] w2, Double b2) {
        if (w1 == null || w1.length == 0) {
            throw new IllegalArgumentException(
                    "W1 has no rows: a hidden layer needs at least one neuron (k ≥ 1); pass W1 as k rows of d"
                            + " numbers");
        }
        int k = w1.length;
        if (w1[0] == null || w1[0].length == 0) {
            throw new IllegalArgumentException(
                    "W1 rows are empty: the input dimension d must be at least 1; give each row d numbers");
        }
        int d = w1[0].length;
        double[][] w1c = new double[k][];
        for (int i = 0; i < k; i++) {
            if (w1[i] == null || w1[i].length != d) {
                throw new IllegalArgumentException(
                        "W1 row " + i + " has " + (w1[i] == null ? 0 : w1[i].length) + " entries, expected " + d
                                + " (all rows of W1 must have the same length d)");
            }
            w1c[i] = w1[i].clone();
            for (int l = 0; l < d; l++) {
                checkFinite(w1c[i][l], "W1[" + i + "][" + l + "]");
            }
        }
        double[] b1c = null;
        if (b1 != null) {
            if (b1.length != k) {
                throw new IllegalArgumentException(
                        "b1 has length " + b1.length + " but W1 has " + k + " rows: give one hidden bias per"
                                + " neuron, or null for no hidden bias");
            }
            b1c = b1.clone();
            for (int i = 0; i < k; i++) {
                checkFinite(b1c[i], "b1[" + i + "]");
            }
        }
        if (w2 == null || w2.length != k) {
            throw new IllegalArgumentException(
                    "w2 has length " + (w2 == null ? 0 : w2.length) + " but W1 has " + k + " rows: give one"
                            + " output weight per hidden neuron");
        }
        double[] w2c = w2.clone();
        for (int i = 0; i < k; i++) {
            checkFinite(w2c[i], "w2[" + i + "]");
        }
        if (b2 != null) {
            checkFinite(b2, "b2");
        }
        return new ShallowReluNetwork(w1c, b1c, w2c, b2);
    }

    /**
     * Creates a univariate network (d = 1), f(x) = Σ v_i σ(w_i x + b_i) + c (Mulayoff et al. 2021, eq. 18).
     *
     * @param w first-layer weights (length k)
     * @param b hidden biases (length k) or {@code null}
     * @param v output weights (length k)
     * @param c output bias or {@code null}
     * @return the network
     */
    public static ShallowReluNetwork univariate(double[] w, double[] b, double[] v, Double c) {
        if (w == null) {
            throw new IllegalArgumentException("w is null: pass the k first-layer weights");
        }
        double[][] w1 = new double[w.length][1];
        for (int i = 0; i < w.length; i++) {
            w1[i][0] = w[i];
        }
        return of(w1, b, v, c);
    }

    /** @return a builder in DJL style */
    public static Builder builder() {
        return new Builder();
    }

    private static void checkFinite(double x, String what) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException(
                    what + " is " + x + ": weights must be finite numbers (a NaN or infinite weight usually means"
                            + " training diverged; lower the step size or load a different checkpoint)");
        }
    }

    /** @return the width k (number of hidden neurons) */
    public int width() {
        return w1.length;
    }

    /** @return the input dimension d */
    public int inputDimension() {
        return w1[0].length;
    }

    /** @return whether the hidden layer has biases b1 */
    public boolean hasHiddenBias() {
        return b1 != null;
    }

    /** @return whether the output has a bias b2 */
    public boolean hasOutputBias() {
        return b2 != null;
    }

    /** @return a copy of W1 (k×d) */
    public double[][] firstLayerWeights() {
        double[][] c = new double[w1.length][];
        for (int i = 0; i < w1.length; i++) {
            c[i] = w1[i].clone();
        }
        return c;
    }

    /**
     * @param i neuron index
     * @return a copy of neuron i's weight vector w_i
     */
    public double[] neuronWeights(int i) {
        return w1[i].clone();
    }

    /** @return a copy of b1, or {@code null} when there is no hidden bias */
    public double[] hiddenBiases() {
        return b1 == null ? null : b1.clone();
    }

    /**
     * @param i neuron index
     * @return b_i, or 0 when there is no hidden bias
     */
    public double hiddenBias(int i) {
        return b1 == null ? 0.0 : b1[i];
    }

    /** @return a copy of w2 (the output weights v) */
    public double[] outputWeights() {
        return w2.clone();
    }

    /**
     * @param i neuron index
     * @return v_i
     */
    public double outputWeight(int i) {
        return w2[i];
    }

    /** @return the output bias c, or {@code null} when there is none */
    public Double outputBias() {
        return b2;
    }

    /**
     * The Euclidean norm ‖b‖ of the hidden biases b1 (0 without hidden bias): the quantity plotted in
     * Nacson et al. (2023), Fig. 4(b), which grows with the step size.
     *
     * @return ‖b1‖₂
     */
    public double hiddenBiasNorm() {
        if (b1 == null) {
            return 0.0;
        }
        double s = 0;
        for (double b : b1) {
            s += b * b;
        }
        return Math.sqrt(s);
    }

    /** @return the number of parameters, (d+2)k + 1 with both biases */
    public int parameterCount() {
        int k = width();
        int d = inputDimension();
        return k * d + (b1 == null ? 0 : k) + k + (b2 == null ? 0 : 1);
    }

    /** @return max_i |θ_i|, the ρ of Mulayoff et al. (2021), Theorem 2 for this implementation */
    public double maxAbsParameter() {
        double m = 0;
        for (double[] row : w1) {
            for (double x : row) {
                m = Math.max(m, Math.abs(x));
            }
        }
        if (b1 != null) {
            for (double x : b1) {
                m = Math.max(m, Math.abs(x));
            }
        }
        for (double x : w2) {
            m = Math.max(m, Math.abs(x));
        }
        if (b2 != null) {
            m = Math.max(m, Math.abs(b2));
        }
        return m;
    }

    /**
     * @param x an input of length d
     * @return the pre-activations z_i = w_iᵀx + b_i (length k)
     */
    public double[] preActivations(double[] x) {
        checkInput(x);
        int k = width();
        double[] z = new double[k];
        for (int i = 0; i < k; i++) {
            double s = b1 == null ? 0.0 : b1[i];
            double[] w = w1[i];
            for (int l = 0; l < w.length; l++) {
                s += w[l] * x[l];
            }
            z[i] = s;
        }
        return z;
    }

    /**
     * @param x an input of length d
     * @return f(x)
     */
    public double evaluate(double[] x) {
        double[] z = preActivations(x);
        double f = b2 == null ? 0.0 : b2;
        for (int i = 0; i < z.length; i++) {
            if (z[i] > 0) {
                f += w2[i] * z[i];
            }
        }
        return f;
    }

    /**
     * @param xs inputs, each of length d
     * @return f at each input
     */
    public double[] evaluate(double[][] xs) {
        double[] out = new double[xs.length];
        for (int j = 0; j < xs.length; j++) {
            out[j] = evaluate(xs[j]);
        }
        return out;
    }

    /**
     * The gradient of f with respect to θ (Mulayoff et al. 2021, supplement eq. S32, Nacson et al. 2023, eq. 45) in the
     * order [W1 row-major; b1; w2; b2], with a_i(x) = 1[z_i &gt; 0].
     *
     * @param x an input of length d
     * @return ∇_θ f(x), of length {@link #parameterCount()}
     */
    public double[] parameterGradient(double[] x) {
        double[] z = preActivations(x);
        int k = width();
        int d = inputDimension();
        double[] g = new double[parameterCount()];
        int biasOffset = k * d;
        int w2Offset = biasOffset + (b1 == null ? 0 : k);
        for (int i = 0; i < k; i++) {
            if (z[i] > 0) {
                for (int l = 0; l < d; l++) {
                    g[i * d + l] = w2[i] * x[l];
                }
                if (b1 != null) {
                    g[biasOffset + i] = w2[i];
                }
                g[w2Offset + i] = z[i];
            }
        }
        if (b2 != null) {
            g[g.length - 1] = 1.0;
        }
        return g;
    }

    /**
     * The gradient of f with respect to its input, ∇_x f(x) = Σ_i v_i a_i(x) w_i (one-sided on a knot: the
     * strict convention counts a neuron on its knot as inactive).
     *
     * @param x an input of length d
     * @return ∇_x f(x), of length d
     */
    public double[] inputGradient(double[] x) {
        double[] z = preActivations(x);
        int d = inputDimension();
        double[] g = new double[d];
        for (int i = 0; i < z.length; i++) {
            if (z[i] > 0) {
                for (int l = 0; l < d; l++) {
                    g[l] += w2[i] * w1[i][l];
                }
            }
        }
        return g;
    }

    /** @return θ = [W1 row-major; b1; w2; b2] as one vector */
    public double[] parameters() {
        int k = width();
        int d = inputDimension();
        double[] t = new double[parameterCount()];
        int p = 0;
        for (int i = 0; i < k; i++) {
            for (int l = 0; l < d; l++) {
                t[p++] = w1[i][l];
            }
        }
        if (b1 != null) {
            for (int i = 0; i < k; i++) {
                t[p++] = b1[i];
            }
        }
        for (int i = 0; i < k; i++) {
            t[p++] = w2[i];
        }
        if (b2 != null) {
            t[p] = b2;
        }
        return t;
    }

    /**
     * A network of the same architecture (k, d, which biases exist) from a flat parameter vector.
     *
     * @param theta [W1 row-major; b1; w2; b2] of length {@link #parameterCount()}
     * @return the network with those parameters
     */
    public ShallowReluNetwork withParameters(double[] theta) {
        if (theta == null || theta.length != parameterCount()) {
            throw new IllegalArgumentException(
                    "θ has length " + (theta == null ? 0 : theta.length) + ", expected " + parameterCount()
                            + " = k·d + k·[hidden bias] + k + [output bias] for this architecture");
        }
        int k = width();
        int d = inputDimension();
        double[][] nw1 = new double[k][d];
        int p = 0;
        for (int i = 0; i < k; i++) {
            for (int l = 0; l < d; l++) {
                nw1[i][l] = theta[p++];
            }
        }
        double[] nb1 = null;
        if (b1 != null) {
            nb1 = new double[k];
            for (int i = 0; i < k; i++) {
                nb1[i] = theta[p++];
            }
        }
        double[] nw2 = new double[k];
        for (int i = 0; i < k; i++) {
            nw2[i] = theta[p++];
        }
        Double nb2 = b2 == null ? null : theta[p];
        return of(nw1, nb1, nw2, nb2);
    }

    /**
     * The same network with other output weights and bias (for example a least-squares fit of the last
     * layer).
     *
     * @param newW2 output weights (length k)
     * @param newB2 output bias, or {@code null} for none
     * @return the new network
     */
    public ShallowReluNetwork withOutputLayer(double[] newW2, Double newB2) {
        return of(w1, b1, newW2, newB2);
    }

    /**
     * The per-neuron rescaling of Mulayoff et al. (2021), supplement Sec. XI eq. (S81): θ̃(β) = [β⊙w, β⊙b, v/β, c],
     * which implements the same function for every β &gt; 0 (positive homogeneity of ReLU).
     *
     * @param beta k positive finite factors
     * @return the rescaled network
     * @throws IllegalArgumentException if β has the wrong length or a non-positive entry
     */
    public ShallowReluNetwork rescale(double[] beta) {
        int k = width();
        if (beta == null || beta.length != k) {
            throw new IllegalArgumentException(
                    "β has length " + (beta == null ? 0 : beta.length) + ", expected one factor per neuron (k = "
                            + k + ")");
        }
        double[][] nw1 = new double[k][];
        double[] nb1 = b1 == null ? null : new double[k];
        double[] nw2 = new double[k];
        for (int i = 0; i < k; i++) {
            double bi = beta[i];
            if (!(bi > 0) || !Double.isFinite(bi)) {
                throw new IllegalArgumentException(
                        "β[" + i + "] = " + bi + ": rescaling factors must be positive and finite (a negative"
                                + " factor would flip the ReLU and change the function)");
            }
            nw1[i] = new double[w1[i].length];
            for (int l = 0; l < nw1[i].length; l++) {
                nw1[i][l] = bi * w1[i][l];
            }
            if (nb1 != null) {
                nb1[i] = bi * b1[i];
            }
            nw2[i] = w2[i] / bi;
        }
        return of(nw1, nb1, nw2, b2);
    }

    /**
     * Reorders the hidden neurons: neuron i of the result is neuron {@code order[i]} of this network. The
     * function is unchanged.
     *
     * @param order a permutation of 0..k−1
     * @return the permuted network
     * @throws IllegalArgumentException if {@code order} is not a permutation of 0..k−1
     */
    public ShallowReluNetwork permute(int[] order) {
        int k = width();
        if (order == null || order.length != k) {
            throw new IllegalArgumentException(
                    "permutation has length " + (order == null ? 0 : order.length) + ", expected k = " + k);
        }
        boolean[] seen = new boolean[k];
        double[][] nw1 = new double[k][];
        double[] nb1 = b1 == null ? null : new double[k];
        double[] nw2 = new double[k];
        for (int i = 0; i < k; i++) {
            int o = order[i];
            if (o < 0 || o >= k || seen[o]) {
                throw new IllegalArgumentException(
                        "not a permutation of 0.." + (k - 1) + ": entry " + i + " is " + o
                                + " (each neuron index must appear exactly once)");
            }
            seen[o] = true;
            nw1[i] = w1[o];
            if (nb1 != null) {
                nb1[i] = b1[o];
            }
            nw2[i] = w2[o];
        }
        return of(nw1, nb1, nw2, b2);
    }

    private void checkInput(double[] x) {
        if (x == null || x.length != inputDimension()) {
            throw new IllegalArgumentException(
                    "input has " + (x == null ? 0 : x.length) + " entries but the network expects d = "
                            + inputDimension());
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ShallowReluNetwork)) {
            return false;
        }
        ShallowReluNetwork n = (ShallowReluNetwork) o;
        return Arrays.deepEquals(w1, n.w1) && Arrays.equals(b1, n.b1) && Arrays.equals(w2, n.w2)
                && java.util.Objects.equals(b2, n.b2);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(Arrays.deepHashCode(w1), Arrays.hashCode(b1), Arrays.hashCode(w2), b2);
    }

    @Override
    public String toString() {
        return "ShallowReluNetwork[k=" + width() + ", d=" + inputDimension() + ", hiddenBias=" + hasHiddenBias()
                + ", outputBias=" + hasOutputBias() + "]";
    }

    /** Builder for {@link ShallowReluNetwork}, in the style of DJL's block builders. */
    public static final class Builder {
        private double[][] w1;
        private double[] b1;
        private double[] w2;
        private Double b2;

        private Builder() {}

        /**
         * @param weights first-layer weights, k rows of d numbers
         * @return this builder
         */
        public Builder setFirstLayer(double[][] weights) {
            this.w1 = weights;
            return this;
        }

        /**
         * @param biases k hidden biases (omit for a first layer without bias)
         * @return this builder
         */
        public Builder optHiddenBias(double[] biases) {
            this.b1 = biases;
            return this;
        }

        /**
         * @param weights k output weights
         * @return this builder
         */
        public Builder setOutputWeights(double[] weights) {
            this.w2 = weights;
            return this;
        }

        /**
         * @param bias output bias (omit for an output without bias)
         * @return this builder
         */
        public Builder optOutputBias(double bias) {
            this.b2 = bias;
            return this;
        }

        /** @return the validated network (see {@link ShallowReluNetwork#of}) */
        public ShallowReluNetwork build() {
            return of(w1, b1, w2, b2);
        }
    }
}
