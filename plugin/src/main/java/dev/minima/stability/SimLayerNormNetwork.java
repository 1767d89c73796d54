package dev.minima.stability;

/**
 * The 2-MLP-Sim-LN model of Wen et al. (2023, Sec. 2): f(x) = w2ᵀ relu(h) / max(‖relu(h)‖, ε), h = W1x + b1, a
 * two-layer ReLU network with a simplified layer norm (no mean subtraction, no output bias), in double
 * precision, with its gradient, the Gauss–Newton trace and the paper's two flattest constructions (Tr = 2).
 *
 * <p>θ = [W1 row-major; b1; w2]. With a = relu(h) and u = a/max(‖a‖, ε): ∂f/∂w2 = u; when ‖a‖ &gt; ε,
 * ∂f/∂a = (w2 − (w2ᵀu)u)/‖a‖, else ∂f/∂a = w2/ε; ∂f/∂h = ∂f/∂a ⊙ 1[h &gt; 0]; ∂f/∂W1 = (∂f/∂h)xᵀ; ∂f/∂b1 =
 * ∂f/∂h. Unlike the plain ReLU network, ∇²_θ f has a non-zero diagonal here, so (C/n)Σ‖∇_θ f‖² equals
 * Tr(∇²L) only at interpolation (Wen et al. 2023, Lemma 4.1).
 */
public final class SimLayerNormNetwork {

    private final double[][] w1;
    private final double[] b1;
    private final double[] w2;
    private final double eps;

    private SimLayerNormNetwork(double[][] w1, double[] b1, double[] w2, double eps) {
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.eps = eps;
    }

    /**
     * @param w1 k rows of d weights
     * @param b1 k hidden biases
     * @param w2 k output weights
     * @param eps the floor ε &gt; 0 of the normaliser
     * @return the network
     */
    public static SimLayerNormNetwork of(double[][] w1, double[] b1, double[] w2, double eps) {
        ShallowReluNetwork check = ShallowReluNetwork.of(w1, b1, w2, null);
        if (b1 == null) {
            throw new IllegalArgumentException("2-MLP-Sim-LN has a first-layer bias: pass b1 (zeros if unused)");
        }
        if (!(eps > 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("ε must be positive and finite, got " + eps);
        }
        return new SimLayerNormNetwork(check.firstLayerWeights(), check.hiddenBiases(), check.outputWeights(), eps);
    }

    /** @return the width k */
    public int width() {
        return w1.length;
    }

    /** @return the input dimension d */
    public int inputDimension() {
        return w1[0].length;
    }

    /** @return the number of parameters (d + 2)k */
    public int parameterCount() {
        return width() * (inputDimension() + 2);
    }

    private double[] hidden(double[] x) {
        if (x.length != inputDimension()) {
            throw new IllegalArgumentException("input has " + x.length + " entries, expected d = " + inputDimension());
        }
        double[] h = new double[width()];
        for (int i = 0; i < h.length; i++) {
            double s = b1[i];
            for (int l = 0; l < x.length; l++) {
                s += w1[i][l] * x[l];
            }
            h[i] = s;
        }
        return h;
    }

    /**
     * @param x an input
     * @return f(x)
     */
    public double evaluate(double[] x) {
        double[] h = hidden(x);
        double norm = 0;
        double dot = 0;
        for (int i = 0; i < h.length; i++) {
            if (h[i] > 0) {
                norm += h[i] * h[i];
                dot += w2[i] * h[i];
            }
        }
        return dot / Math.max(Math.sqrt(norm), eps);
    }

    /**
     * @param x an input
     * @return ∇_θ f(x) in the order [W1 row-major; b1; w2]
     */
    public double[] parameterGradient(double[] x) {
        double[] h = hidden(x);
        int k = width();
        int d = inputDimension();
        double norm = 0;
        for (double a : h) {
            if (a > 0) {
                norm += a * a;
            }
        }
        norm = Math.sqrt(norm);
        double denom = Math.max(norm, eps);
        double[] u = new double[k];
        double wu = 0;
        for (int i = 0; i < k; i++) {
            u[i] = h[i] > 0 ? h[i] / denom : 0.0;
            wu += w2[i] * u[i];
        }
        double[] g = new double[parameterCount()];
        for (int i = 0; i < k; i++) {
            double dh = 0;
            if (h[i] > 0) {
                dh = norm > eps ? (w2[i] - wu * u[i]) / norm : w2[i] / eps;
            }
            for (int l = 0; l < d; l++) {
                g[i * d + l] = dh * x[l];
            }
            g[k * d + i] = dh;
            g[k * d + k + i] = u[i];
        }
        return g;
    }

    /**
     * The Gauss–Newton trace (C/n) Σ ‖∇_θ f(x_j)‖², equal to Tr(∇²L) at an interpolating θ.
     *
     * @param sample the training inputs
     * @param loss the loss convention (Wen et al. 2023: MSE)
     * @return the trace
     */
    public double trace(InputSample sample, LossConvention loss) {
        double total = 0;
        for (int j = 0; j < sample.size(); j++) {
            for (double a : parameterGradient(sample.row(j))) {
                total += a * a;
            }
        }
        return loss.hessianConstant() * total / sample.size();
    }

    /**
     * Lemma A.12 of Wen et al. (2023): every interpolating width-n 2-MLP-Sim-LN on extreme-point data has
     * Tr(∇²L) ≥ (C/n) Σ_i min(1, (2/ε) sqrt(‖x_i‖² + 1)|y_i|) (the paper states it for MSE, C = 2).
     *
     * @param sample inputs
     * @param labels targets
     * @param eps the normaliser floor ε
     * @param loss the loss convention
     * @return the bound (2 on P_xor with MSE whenever ε &lt; 2√(d+1))
     */
    public static double traceLowerBound(InputSample sample, double[] labels, double eps, LossConvention loss) {
        if (labels == null || labels.length != sample.size()) {
            throw new IllegalArgumentException("need one label per input");
        }
        double s = 0;
        for (int j = 0; j < sample.size(); j++) {
            double[] x = sample.row(j);
            double xx = 1;
            for (double a : x) {
                xx += a * a;
            }
            s += Math.min(1.0, 2 / eps * Math.sqrt(xx) * Math.abs(labels[j]));
        }
        return loss.hessianConstant() * s / sample.size();
    }

    /**
     * The generalising flattest Sim-LN solution of Wen et al. (2023), Prop. 5.2 (eq. 18): rows 2ε[±1, ±1, 0, …], b =
     * −2ε, w2 = s₁s₂; on the cube one neuron is active with value 2ε &gt; ε, so f(x) = x₁x₂ and ‖∇_θ f‖² = 1.
     *
     * @param d input dimension ≥ 2
     * @param eps ε
     * @return the network (k = 4)
     */
    public static SimLayerNormNetwork generalizingXor(int d, double eps) {
        if (d < 2) {
            throw new IllegalArgumentException("the XOR construction needs d ≥ 2, got " + d);
        }
        // the first layer of the ReLU construction at radius 2ε, output weights s₁s₂
        return of(TraceConstructions.xorRows(d, 2 * eps), TraceConstructions.xorBiases(2 * eps),
                TraceConstructions.XOR_SIGNS.clone(), eps);
    }

    /**
     * The memorising flattest Sim-LN solution of Wen et al. (2023), Prop. 5.1 for cube data: rows 2εx_i/δ, b_i =
     * 2ε(−d + δ)/δ, w2_i = y_i. Neuron i is active only at x_i (value 2ε), so f = 0 off the training set.
     *
     * @param x distinct points of {−1, 1}^d
     * @param y labels
     * @param eps ε
     * @param delta δ ∈ (0, 2)
     * @return the network (k = n)
     */
    public static SimLayerNormNetwork memorizingXor(double[][] x, double[] y, double eps, double delta) {
        InputSample sample = InputSample.of(x);
        int n = sample.size();
        int d = sample.dimension();
        if (y == null || y.length != n) {
            throw new IllegalArgumentException("need one label per input");
        }
        if (!(delta > 0 && delta < 2)) {
            throw new IllegalArgumentException("δ must lie in (0, 2) so that other cube points stay inactive, got " + delta);
        }
        double[][] w1 = new double[n][d];
        double[] b1 = new double[n];
        double[] w2 = new double[n];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < d; l++) {
                if (Math.abs(x[i][l]) != 1.0) {
                    throw new IllegalArgumentException("input " + i + " is not a cube point (entries must be ±1)");
                }
                w1[i][l] = 2 * eps * x[i][l] / delta;
            }
            b1[i] = 2 * eps * (-d + delta) / delta;
            w2[i] = y[i];
        }
        return of(w1, b1, w2, eps);
    }
}
