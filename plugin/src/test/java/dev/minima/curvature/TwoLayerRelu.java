package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.minima.TestModels;

/**
 * f(x) = Σ_k v_k relu(w_kᵀx + b_k) + c as a DJL block with chosen weights, and its closed-form derivatives
 * (docs/theory.md §4): ∇f = [v⊙a ⊗ x; v⊙a; relu(h); 1] in DJL's flat order (W₁ row-major, b₁, W₂, b₂), and ∇²f,
 * whose only non-zero entries couple v_k with w_kj (a_k x_j) and with b_k (a_k), a = 1[h > 0].
 */
final class TwoLayerRelu {

    final int d;
    final int k;
    final double[][] w;
    final double[] b;
    final double[] v;
    final double c;
    final Block block;

    TwoLayerRelu(NDManager manager, DataType type, int d, int k, long seed) {
        this.d = d;
        this.k = k;
        double[] g = Dense.gaussian(d * k + 2 * k + 1, seed);
        w = new double[k][d];
        b = new double[k];
        v = new double[k];
        int p = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < d; j++) {
                w[i][j] = g[p++];
            }
        }
        for (int i = 0; i < k; i++) {
            b[i] = 0.5 * g[p++];
        }
        for (int i = 0; i < k; i++) {
            v[i] = g[p++];
        }
        c = g[p];
        block = TestModels.mlp(manager, type, seed, TestModels.relu(), d, k, 1);
        ParameterSpace space = ParameterSpace.of(block);
        try (NDManager s = manager.newSubManager()) {
            space.assign(Vectors.of(s, theta(), type));
        }
    }

    int dimension() {
        return d * k + 2 * k + 1;
    }

    double[] theta() {
        double[] t = new double[dimension()];
        int p = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < d; j++) {
                t[p++] = w[i][j];
            }
        }
        for (int i = 0; i < k; i++) {
            t[p++] = b[i];
        }
        for (int i = 0; i < k; i++) {
            t[p++] = v[i];
        }
        t[p] = c;
        return t;
    }

    private double pre(double[] x, int i) {
        double h = b[i];
        for (int j = 0; j < d; j++) {
            h += w[i][j] * x[j];
        }
        return h;
    }

    double f(double[] x) {
        double s = c;
        for (int i = 0; i < k; i++) {
            s += v[i] * Math.max(0, pre(x, i));
        }
        return s;
    }

    double[] gradient(double[] x) {
        double[] g = new double[dimension()];
        for (int i = 0; i < k; i++) {
            double h = pre(x, i);
            double a = h > 0 ? 1 : 0;
            for (int j = 0; j < d; j++) {
                g[i * d + j] = v[i] * a * x[j];
            }
            g[d * k + i] = v[i] * a;
            g[d * k + k + i] = Math.max(0, h);
        }
        g[dimension() - 1] = 1;
        return g;
    }

    /** The Hessian of L = (C/2n) Σ (f(x_i) − y_i)², i.e. C = 2 for plain MSE, 1 for ½-MSE. */
    double[][] lossHessian(double[][] xs, double[] ys, double curvature) {
        int p = dimension();
        int n = xs.length;
        double[][] h = new double[p][p];
        for (int s = 0; s < n; s++) {
            double[] g = gradient(xs[s]);
            double r = f(xs[s]) - ys[s];
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    h[i][j] += curvature / n * g[i] * g[j];
                }
            }
            for (int i = 0; i < k; i++) {
                double a = pre(xs[s], i) > 0 ? 1 : 0;
                int vi = d * k + k + i;
                for (int j = 0; j < d; j++) {
                    h[i * d + j][vi] += curvature / n * r * a * xs[s][j];
                    h[vi][i * d + j] += curvature / n * r * a * xs[s][j];
                }
                h[d * k + i][vi] += curvature / n * r * a;
                h[vi][d * k + i] += curvature / n * r * a;
            }
        }
        return h;
    }

    static double[][] rows(NDArray x) {
        int n = (int) x.getShape().get(0);
        int d = (int) x.getShape().get(1);
        double[] flat = Vectors.toDoubles(x.reshape(-1));
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }
}
