package dev.minima.demos.samxor;

import dev.minima.data.XorData;
import dev.minima.demos.samxor.RunPlan.Phase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * 2-MLP-Sim-BN of Wen, Ma &amp; Li (2023), Sec. 3: f(x) = Σ_j W₂_j γ_j relu(h_j(x)) / s_j with h = W₁x + b₁ and the
 * simplified BatchNorm statistic s_j = (Σ_i relu(h_j(x_i))² / n + ε)^{1/2} (ε = 10⁻⁵) over the whole training set, θ = (W₁, b₁,
 * γ, W₂); trained by 1-SAM on the MSE (f − y)² (no ½), in float64 with exact hand-written gradients. Each
 * example's loss depends on every training input through s, so one gradient costs a pass over the training set
 * (about 4·n·m·d multiply-adds). The paper's Figure 2 run uses lr 0.005, ρ 0.1 for 10⁵ epochs, then lr 0.003,
 * ρ 1 for 10⁵ epochs (Table 2).
 */
public final class SimBnXor {

    /**
     * Added to s_j², as PyTorch's BatchNorm adds its eps (1e-5) to the variance: the function is invariant to the
     * scale of a neuron's (w_j, b_j), so its gradient grows as 1/s_j, and a neuron active on a single input by a
     * hair would otherwise produce an unbounded step.
     */
    static final double EPS = 1e-5;

    final int d;
    final int m;
    final double[][] w1;
    final double[] b1;
    final double[] gamma;
    final double[] w2;

    /**
     * PyTorch-default init of both linear layers (uniform ±1/√fan_in) and every γ_j = gammaInit. The paper does not
     * give γ's init; with BatchNorm's γ = 1 the per-example curvature along W₂ is 2Σ_j γ_j² z_j² ≈ 2m = 1000 at width
     * 500, and Table 2's lr 0.005 (stable only below 2/lr = 400) diverges within a few dozen steps.
     *
     * @param d input dimension
     * @param width m
     * @param gammaInit the initial γ_j
     * @param seed init seed
     */
    public SimBnXor(int d, int width, double gammaInit, long seed) {
        this.d = d;
        this.m = width;
        SplittableRandom r = new SplittableRandom(seed);
        w1 = new double[m][d];
        b1 = new double[m];
        gamma = new double[m];
        w2 = new double[m];
        double a1 = 1 / Math.sqrt(d);
        double a2 = 1 / Math.sqrt(m);
        for (int j = 0; j < m; j++) {
            for (int l = 0; l < d; l++) {
                w1[j][l] = a1 * (2 * r.nextDouble() - 1);
            }
            b1[j] = a1 * (2 * r.nextDouble() - 1);
            gamma[j] = gammaInit;
            w2[j] = a2 * (2 * r.nextDouble() - 1);
        }
    }

    /** @return the number of parameters, m(d + 3) */
    int parameterCount() {
        return m * (d + 3);
    }

    /** Parameters flattened as [W₁ row-major; b₁; γ; W₂]. */
    double[] flat() {
        double[] t = new double[parameterCount()];
        for (int j = 0; j < m; j++) {
            System.arraycopy(w1[j], 0, t, j * d, d);
        }
        System.arraycopy(b1, 0, t, m * d, m);
        System.arraycopy(gamma, 0, t, m * d + m, m);
        System.arraycopy(w2, 0, t, m * d + 2 * m, m);
        return t;
    }

    void set(double[] t) {
        for (int j = 0; j < m; j++) {
            System.arraycopy(t, j * d, w1[j], 0, d);
        }
        System.arraycopy(t, m * d, b1, 0, m);
        System.arraycopy(t, m * d + m, gamma, 0, m);
        System.arraycopy(t, m * d + 2 * m, w2, 0, m);
    }

    /** relu(h) of every training input (n × m) and the statistics s_j. */
    private double[][] hidden(double[][] x, double[] s) {
        int n = x.length;
        double[][] r = new double[n][m];
        Arrays.fill(s, 0);
        for (int i = 0; i < n; i++) {
            double[] xi = x[i];
            for (int j = 0; j < m; j++) {
                double h = b1[j];
                double[] wj = w1[j];
                for (int l = 0; l < d; l++) {
                    h += wj[l] * xi[l];
                }
                double v = h > 0 ? h : 0;
                r[i][j] = v;
                s[j] += v * v;
            }
        }
        for (int j = 0; j < m; j++) {
            s[j] = Math.sqrt(s[j] / n + EPS);
        }
        return r;
    }

    /**
     * @param x inputs to evaluate
     * @param train the training inputs (for s)
     * @return f at each input
     */
    double[] predict(double[][] x, double[][] train) {
        double[] s = new double[m];
        hidden(train, s);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double f = 0;
            for (int j = 0; j < m; j++) {
                double h = b1[j];
                for (int l = 0; l < d; l++) {
                    h += w1[j][l] * x[i][l];
                }
                if (h > 0) {
                    f += w2[j] * gamma[j] * h / s[j];
                }
            }
            out[i] = f;
        }
        return out;
    }

    /**
     * The gradient of ℓ_k = (f(x_k) − y_k)² with respect to [W₁; b₁; γ; W₂] at the current parameters, through
     * the training-set statistic s.
     *
     * @param x the training inputs
     * @param k the example
     * @param yk its label
     * @return the gradient, flattened like {@link #flat()}
     */
    double[] gradient(double[][] x, int k, double yk) {
        int n = x.length;
        double[] s = new double[m];
        double[][] r = hidden(x, s);
        double f = 0;
        for (int j = 0; j < m; j++) {
            f += w2[j] * gamma[j] * r[k][j] / s[j];
        }
        double e = 2 * (f - yk);
        double[] g = new double[parameterCount()];
        for (int j = 0; j < m; j++) {
            double a = e * gamma[j] * w2[j];
            double rk = r[k][j];
            g[m * d + 2 * m + j] = e * gamma[j] * rk / s[j]; // W₂
            g[m * d + m + j] = e * w2[j] * rk / s[j]; // γ
            if (a == 0) {
                continue;
            }
            // dℓ/dh_ij = a·1[h_ij > 0]·(δ_ik/s_j − r_kj r_ij/(n s_j³)); r_ij = 0 where h_ij ≤ 0
            double coupling = rk / (n * s[j] * s[j] * s[j]);
            double sumR = 0;
            int base = j * d;
            for (int i = 0; i < n; i++) {
                double rij = r[i][j];
                if (rij > 0) {
                    double c = -a * coupling * rij;
                    sumR += c;
                    double[] xi = x[i];
                    for (int l = 0; l < d; l++) {
                        g[base + l] += c * xi[l];
                    }
                }
            }
            if (rk > 0) {
                double c = a / s[j];
                sumR += c;
                for (int l = 0; l < d; l++) {
                    g[base + l] += c * x[k][l];
                }
            }
            g[m * d + j] = sumR; // b₁
        }
        return g;
    }

    /**
     * What a Sim-BN run measured at its end.
     *
     * @param epochs epochs run
     * @param trainLoss (1/n) Σ (f − y)²
     * @param testAccuracy Pr(y f(x) &gt; 0) on the test set
     * @param normTrace ‖γ‖² + ‖W₂‖², the trace's value at interpolation's lower bound (Lemma A.3)
     * @param topNeurons the four first-layer rows of largest norm: W₁[1], W₁[2], ‖W₁[3:d]‖
     * @param firstColumns the norms of W₁'s first two columns
     * @param largestOtherColumn the largest norm of W₁'s other columns
     * @param seconds wall-clock seconds
     */
    public record Result(long epochs, double trainLoss, double testAccuracy, double normTrace, double[][] topNeurons,
            double[] firstColumns, double largestOtherColumn, double seconds) {}

    /**
     * Trains by 1-SAM (batch 1, a seeded new order every epoch) through the phases.
     *
     * @param train training set
     * @param test test set
     * @param phases (lr, ρ, epochs) rows
     * @param orderSeed seed of the example order
     * @return the end measurements
     */
    public Result train(XorData train, XorData test, List<Phase> phases, long orderSeed) {
        long start = System.nanoTime();
        int n = train.size();
        double[][] x = new double[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = train.x(i);
            y[i] = train.y(i);
        }
        SplittableRandom order = new SplittableRandom(orderSeed);
        long epochs = 0;
        int[] perm = new int[n];
        for (Phase p : phases) {
            for (long ep = 0; ep < p.epochs(); ep++) {
                for (int i = 0; i < n; i++) {
                    perm[i] = i;
                }
                dev.minima.util.SeededRandom.shuffle(perm, order);
                for (int k : perm) {
                    samStep(x, k, y[k], p.learningRate(), p.rho());
                }
                epochs++;
            }
        }
        double[] fit = predict(x, x);
        double loss = 0;
        for (int i = 0; i < n; i++) {
            loss += (fit[i] - y[i]) * (fit[i] - y[i]);
        }
        double[][] xt = new double[test.size()][];
        for (int i = 0; i < xt.length; i++) {
            xt[i] = test.x(i);
        }
        double[] ft = predict(xt, x);
        int correct = 0;
        for (int i = 0; i < xt.length; i++) {
            if (test.y(i) * ft[i] > 0) {
                correct++;
            }
        }
        double normTrace = 0;
        for (int j = 0; j < m; j++) {
            normTrace += gamma[j] * gamma[j] + w2[j] * w2[j];
        }
        Integer[] idx = new Integer[m];
        double[] rowNorm = new double[m];
        for (int j = 0; j < m; j++) {
            idx[j] = j;
            double q = 0;
            for (double v : w1[j]) {
                q += v * v;
            }
            rowNorm[j] = Math.sqrt(q);
        }
        Arrays.sort(idx, (a, b) -> Double.compare(rowNorm[b], rowNorm[a]));
        double[][] top = new double[Math.min(4, m)][];
        for (int t = 0; t < top.length; t++) {
            double[] w = w1[idx[t]];
            double rest = 0;
            for (int l = 2; l < d; l++) {
                rest += w[l] * w[l];
            }
            top[t] = new double[] {w[0], w[1], Math.sqrt(rest)};
        }
        double[] col = new double[d];
        for (int j = 0; j < m; j++) {
            for (int l = 0; l < d; l++) {
                col[l] += w1[j][l] * w1[j][l];
            }
        }
        double other = 0;
        for (int l = 2; l < d; l++) {
            other = Math.max(other, Math.sqrt(col[l]));
        }
        return new Result(epochs, loss / n, (double) correct / xt.length, normTrace, top,
                new double[] {Math.sqrt(col[0]), Math.sqrt(col[1])}, other, (System.nanoTime() - start) / 1e9);
    }

    /** One 1-SAM step on example k: θ ← θ − lr ∇ℓ_k(θ + ρ ∇ℓ_k/‖∇ℓ_k‖). */
    void samStep(double[][] x, int k, double yk, double lr, double rho) {
        double[] theta = flat();
        double[] g = gradient(x, k, yk);
        double norm = 0;
        for (double v : g) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        if (norm > 0 && rho > 0) {
            double[] ascent = theta.clone();
            for (int i = 0; i < ascent.length; i++) {
                ascent[i] += rho * g[i] / norm;
            }
            set(ascent);
            g = gradient(x, k, yk);
        }
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("Sim-BN 1-SAM diverged (non-finite gradient): lower the learning rate");
        }
        for (int i = 0; i < theta.length; i++) {
            theta[i] -= lr * g[i];
        }
        set(theta);
    }

    /**
     * @param result a finished run
     * @return whether the four largest neurons extract ±x₁ ± x₂: each has ‖W[3:d]‖ ≤ 0.1 min(|W[1]|, |W[2]|) and
     *     |W[1]| within 10% of |W[2]|, and the four sign patterns (sign W[1], sign W[2]) are all different
     */
    public static boolean fourXorNeurons(Result result) {
        if (result.topNeurons().length < 4) {
            return false;
        }
        boolean[] seen = new boolean[4];
        for (double[] w : result.topNeurons()) {
            double a = Math.abs(w[0]);
            double b = Math.abs(w[1]);
            if (!(w[2] <= 0.1 * Math.min(a, b)) || Math.abs(a / b - 1) > 0.1) {
                return false;
            }
            seen[(w[0] > 0 ? 2 : 0) + (w[1] > 0 ? 1 : 0)] = true;
        }
        return seen[0] && seen[1] && seen[2] && seen[3];
    }

    /**
     * @param result a finished run
     * @return min(first two column norms) / largest other column norm (7.5 in the paper's Figure 2 run)
     */
    public static double columnRatio(Result result) {
        return Math.min(result.firstColumns()[0], result.firstColumns()[1]) / result.largestOtherColumn();
    }

    /** @return the four top neurons as text */
    static String neurons(Result r) {
        List<String> s = new ArrayList<>();
        for (double[] w : r.topNeurons()) {
            s.add(String.format(java.util.Locale.ROOT, "(%.3g, %.3g, %.2g)", w[0], w[1], w[2]));
        }
        return String.join(", ", s);
    }
}
