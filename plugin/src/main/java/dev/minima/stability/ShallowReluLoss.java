package dev.minima.stability;

import java.util.Arrays;

/**
 * The ½-MSE training loss of a one-hidden-layer ReLU network on fixed data, and its gradient, in plain
 * {@code double} arrays: L(θ) = (1/2n) Σ_j (f(x_j) − y_j)² with f(x) = Σ_i v_i σ(w_iᵀx + b_i) + c.
 *
 * <p>θ = [W row-major (k×d); b; v; c], the order of Mulayoff et al. (2021), eq. (20) for d = 1 (θ = [w; b; v; c], 3k +
 * 1 entries) and of Nacson et al. (2023), eq. (9) for d &gt; 1; it is also the order of the parameters of a DJL
 * {@code SequentialBlock} Linear(k) → ReLU → Linear(1). The gradient follows Mulayoff et al. (2021), supplement eq.
 * (S32): with r_j = f(x_j) − y_j and the strict indicator a_ji = 1[w_iᵀx_j + b_i &gt; 0],
 * ∂L/∂w_i = (1/n) Σ_j r_j v_i a_ji x_j, ∂L/∂b_i = (1/n) Σ_j r_j v_i a_ji, ∂L/∂v_i = (1/n) Σ_j r_j σ(·),
 * ∂L/∂c = (1/n) Σ_j r_j.
 *
 * <p>{@link #lossAndGradient} allocates nothing: it is the inner step of {@link ShallowReluGradientDescent},
 * which runs millions of full-batch steps on the 241 parameters of the papers' univariate experiment. An
 * instance holds a small workspace and is therefore not thread-safe; give each thread its own {@link #copy()}.
 */
public final class ShallowReluLoss {

    private final int n;
    private final int d;
    private final int k;
    private final double[] x; // n×d, row-major
    private final double[] y;
    private final double[] z; // workspace: one sample's k pre-activations

    private ShallowReluLoss(int n, int d, int k, double[] x, double[] y) {
        this.n = n;
        this.d = d;
        this.k = k;
        this.x = x;
        this.y = y;
        this.z = new double[k];
    }

    /**
     * @param inputs n training inputs of d numbers each (copied)
     * @param targets n targets (copied)
     * @param width the number of hidden neurons k
     * @return the loss on these data
     * @throws IllegalArgumentException on empty, ragged or non-finite data, mismatched lengths or k &lt; 1
     */
    public static ShallowReluLoss of(double[][] inputs, double[] targets, int width) {
        if (inputs == null || inputs.length == 0) {
            throw new IllegalArgumentException("no training inputs: pass at least one input row x_j");
        }
        if (targets == null || targets.length != inputs.length) {
            throw new IllegalArgumentException("got " + inputs.length + " inputs but "
                    + (targets == null ? 0 : targets.length) + " targets: give one target y_j per input x_j");
        }
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1 hidden neuron, got " + width);
        }
        int n = inputs.length;
        int d = inputs[0] == null ? 0 : inputs[0].length;
        if (d == 0) {
            throw new IllegalArgumentException("input rows are empty: each x_j needs d ≥ 1 numbers");
        }
        double[] x = new double[n * d];
        double[] y = new double[n];
        for (int j = 0; j < n; j++) {
            if (inputs[j] == null || inputs[j].length != d) {
                throw new IllegalArgumentException("input row " + j + " has " + (inputs[j] == null ? 0 : inputs[j].length)
                        + " numbers, row 0 has " + d + ": all inputs must have the same dimension");
            }
            for (int l = 0; l < d; l++) {
                x[j * d + l] = requireFinite(inputs[j][l], "input x[" + j + "][" + l + "]");
            }
            y[j] = requireFinite(targets[j], "target y[" + j + "]");
        }
        return new ShallowReluLoss(n, d, width, x, y);
    }

    /**
     * @param inputs n scalar training inputs (copied)
     * @param targets n targets (copied)
     * @param width the number of hidden neurons k
     * @return the loss of a univariate network on these data
     */
    public static ShallowReluLoss univariate(double[] inputs, double[] targets, int width) {
        double[][] rows = new double[inputs.length][];
        for (int j = 0; j < inputs.length; j++) {
            rows[j] = new double[] {inputs[j]};
        }
        return of(rows, targets, width);
    }

    private static double requireFinite(double v, String what) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " is " + v + ": training data must be finite");
        }
        return v;
    }

    /** @return an independent instance on the same data (its own workspace), for another thread */
    public ShallowReluLoss copy() {
        return new ShallowReluLoss(n, d, k, x, y);
    }

    /** @return the number of training samples n */
    public int sampleCount() {
        return n;
    }

    /** @return the input dimension d */
    public int inputDimension() {
        return d;
    }

    /** @return the number of hidden neurons k */
    public int width() {
        return k;
    }

    /** @return the number of parameters k·d + 2k + 1 */
    public int parameterCount() {
        return k * d + 2 * k + 1;
    }

    /** @return a copy of the inputs, n rows of d */
    public double[][] inputs() {
        double[][] out = new double[n][];
        for (int j = 0; j < n; j++) {
            out[j] = Arrays.copyOfRange(x, j * d, (j + 1) * d);
        }
        return out;
    }

    /** @return a copy of the targets */
    public double[] targets() {
        return y.clone();
    }

    /**
     * @param theta parameters [W; b; v; c], e.g. a {@link GradientDescentRun#theta()}
     * @return the network they implement, for the stability analyses ({@link StabilityReport#of})
     */
    public ShallowReluNetwork network(double[] theta) {
        checkLength(theta, "theta");
        double[][] w1 = new double[k][d];
        double[] b1 = new double[k];
        double[] v = new double[k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(theta, i * d, w1[i], 0, d);
            b1[i] = theta[k * d + i];
            v[i] = theta[k * d + k + i];
        }
        return ShallowReluNetwork.of(w1, b1, v, theta[k * d + 2 * k]);
    }

    /**
     * @param theta parameters [W; b; v; c]
     * @return L(θ)
     */
    public double loss(double[] theta) {
        checkLength(theta, "theta");
        double sum = 0;
        for (int j = 0; j < n; j++) {
            double r = output(theta, x, j * d) - y[j];
            sum += r * r;
        }
        return sum / (2.0 * n);
    }

    /**
     * Computes L(θ) and ∇L(θ) in one pass over the data, without allocating.
     *
     * @param theta parameters [W; b; v; c]
     * @param gradient receives ∇L(θ) (same length as θ; overwritten)
     * @return L(θ)
     */
    public double lossAndGradient(double[] theta, double[] gradient) {
        checkLength(theta, "theta");
        checkLength(gradient, "gradient");
        return d == 1 ? univariateStep(theta, gradient) : multivariateStep(theta, gradient);
    }

    // Both kernels accumulate Σ_j (r_j/n) a_ji x_j and Σ_j (r_j/n) a_ji into the W and b blocks and multiply
    // by v_i once at the end; the masks are branch-free so the JIT can vectorise the loops over neurons.

    private double univariateStep(double[] theta, double[] gradient) {
        final int bOff = k;
        final int vOff = 2 * k;
        final int cOff = 3 * k;
        Arrays.fill(gradient, 0.0);
        double sum = 0;
        double gc = 0;
        for (int j = 0; j < n; j++) {
            final double xj = x[j];
            double f = theta[cOff];
            for (int i = 0; i < k; i++) {
                double s = theta[bOff + i] + theta[i] * xj;
                z[i] = s;
                f += theta[vOff + i] * Math.max(s, 0.0);
            }
            double r = f - y[j];
            sum += r * r;
            final double rn = r / n;
            final double rx = rn * xj;
            gc += rn;
            for (int i = 0; i < k; i++) {
                double s = z[i];
                double a = s > 0 ? 1.0 : 0.0; // strict: a_ji = 1[z > 0], as PyTorch's relu backward
                gradient[vOff + i] += rn * Math.max(s, 0.0);
                gradient[i] += a * rx;
                gradient[bOff + i] += a * rn;
            }
        }
        for (int i = 0; i < k; i++) {
            double v = theta[vOff + i];
            gradient[i] *= v;
            gradient[bOff + i] *= v;
        }
        gradient[cOff] = gc;
        return sum / (2.0 * n);
    }

    private double multivariateStep(double[] theta, double[] gradient) {
        final int bOff = k * d;
        final int vOff = bOff + k;
        final int cOff = vOff + k;
        Arrays.fill(gradient, 0.0);
        double sum = 0;
        double gc = 0;
        for (int j = 0; j < n; j++) {
            final int xo = j * d;
            double f = theta[cOff];
            for (int i = 0; i < k; i++) {
                double s = theta[bOff + i];
                final int wo = i * d;
                for (int l = 0; l < d; l++) {
                    s += theta[wo + l] * x[xo + l];
                }
                z[i] = s;
                f += theta[vOff + i] * Math.max(s, 0.0);
            }
            double r = f - y[j];
            sum += r * r;
            final double rn = r / n;
            gc += rn;
            for (int i = 0; i < k; i++) {
                double s = z[i];
                if (s > 0) { // strict: a_ji = 1[z > 0], as PyTorch's relu backward
                    gradient[vOff + i] += rn * s;
                    gradient[bOff + i] += rn;
                    final int wo = i * d;
                    for (int l = 0; l < d; l++) {
                        gradient[wo + l] += rn * x[xo + l];
                    }
                }
            }
        }
        for (int i = 0; i < k; i++) {
            double v = theta[vOff + i];
            final int wo = i * d;
            for (int l = 0; l < d; l++) {
                gradient[wo + l] *= v;
            }
            gradient[bOff + i] *= v;
        }
        gradient[cOff] = gc;
        return sum / (2.0 * n);
    }

    /**
     * @param theta parameters [W; b; v; c]
     * @param point an input of d numbers
     * @return f(point)
     */
    public double predict(double[] theta, double[] point) {
        checkLength(theta, "theta");
        if (point.length != d) {
            throw new IllegalArgumentException("point has " + point.length + " numbers, the network takes d = " + d);
        }
        return output(theta, point, 0);
    }

    private double output(double[] theta, double[] xs, int xo) {
        final int bOff = k * d;
        final int vOff = bOff + k;
        double f = theta[vOff + k];
        for (int i = 0; i < k; i++) {
            double s = theta[bOff + i];
            for (int l = 0; l < d; l++) {
                s += theta[i * d + l] * xs[xo + l];
            }
            if (s > 0) {
                f += theta[vOff + i] * s;
            }
        }
        return f;
    }

    private void checkLength(double[] a, String what) {
        if (a == null || a.length != parameterCount()) {
            throw new IllegalArgumentException(what + " has " + (a == null ? 0 : a.length) + " entries, expected k·d + 2k + 1 = "
                    + parameterCount() + " (k = " + k + ", d = " + d + "; order [W row-major; b; v; c])");
        }
    }
}
