package dev.minima.stability;

import dev.minima.curvature.SymmetricEigen;
import java.util.Random;

/** Seeded random networks and data, and an interpolating least-squares fit of the output layer. */
final class Fixtures {

    private Fixtures() {}

    static double[][] gaussianData(Random rng, int n, int d) {
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int l = 0; l < d; l++) {
                row[l] = rng.nextGaussian();
            }
        }
        return x;
    }

    /**
     * A univariate network whose first layer has one neuron with a knot in every gap between sorted inputs
     * (random orientation and scale) plus extra random neurons, so that [σ(Z), 1] has full rank n.
     */
    static ShallowReluNetwork univariateFirstLayer(Random rng, double[] xs, int extra) {
        double[] sorted = xs.clone();
        java.util.Arrays.sort(sorted);
        int k = sorted.length - 1 + extra;
        double[] w = new double[k];
        double[] b = new double[k];
        double[] v = new double[k];
        for (int i = 0; i < k; i++) {
            double c;
            if (i < sorted.length - 1) {
                double t = 0.2 + 0.6 * rng.nextDouble();
                c = sorted[i] + t * (sorted[i + 1] - sorted[i]);
            } else {
                c = sorted[0] + rng.nextDouble() * (sorted[sorted.length - 1] - sorted[0]);
            }
            w[i] = (rng.nextBoolean() ? 1 : -1) * Math.exp(0.5 * rng.nextGaussian());
            b[i] = -w[i] * c;
            v[i] = rng.nextGaussian();
        }
        return ShallowReluNetwork.univariate(w, b, v, 0.0);
    }

    static ShallowReluNetwork randomNetwork(Random rng, int k, int d, boolean hiddenBias, boolean outputBias) {
        double scale = Math.exp(rng.nextGaussian());
        double[][] w1 = new double[k][d];
        double[] b1 = hiddenBias ? new double[k] : null;
        double[] w2 = new double[k];
        for (int i = 0; i < k; i++) {
            for (int l = 0; l < d; l++) {
                w1[i][l] = scale * rng.nextGaussian();
            }
            if (b1 != null) {
                b1[i] = rng.nextGaussian();
            }
            w2[i] = rng.nextGaussian() / scale;
        }
        return ShallowReluNetwork.of(w1, b1, w2, outputBias ? rng.nextGaussian() : null);
    }

    /**
     * Replaces the output layer by the minimum-norm least-squares solution of [σ(Z), 1] [w2; b2] = y, which
     * interpolates when k + 1 ≥ n and the features are in general position.
     */
    static ShallowReluNetwork interpolate(ShallowReluNetwork net, double[][] x, double[] y) {
        int n = x.length;
        int k = net.width();
        int p = k + 1;
        double[][] a = new double[n][p];
        for (int j = 0; j < n; j++) {
            double[] z = net.preActivations(x[j]);
            for (int i = 0; i < k; i++) {
                a[j][i] = Math.max(0, z[i]);
            }
            a[j][k] = 1.0;
        }
        double[][] aat = new double[n][n];
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < n; l++) {
                double s = 0;
                for (int m = 0; m < p; m++) {
                    s += a[j][m] * a[l][m];
                }
                aat[j][l] = s;
            }
        }
        SymmetricEigen eig = SymmetricEigen.of(aat);
        double[] alpha = new double[n];
        for (int m = 0; m < n; m++) {
            double lam = eig.value(m);
            if (lam <= 1e-12 * eig.max()) {
                throw new IllegalStateException("features are rank deficient; pick another seed");
            }
            double[] u = eig.vector(m);
            double c = 0;
            for (int j = 0; j < n; j++) {
                c += u[j] * y[j];
            }
            for (int j = 0; j < n; j++) {
                alpha[j] += c / lam * u[j];
            }
        }
        double[] sol = new double[p];
        for (int m = 0; m < p; m++) {
            for (int j = 0; j < n; j++) {
                sol[m] += a[j][m] * alpha[j];
            }
        }
        double[] w2 = new double[k];
        System.arraycopy(sol, 0, w2, 0, k);
        return net.withOutputLayer(w2, sol[k]);
    }

    static double maxResidual(ShallowReluNetwork net, double[][] x, double[] y) {
        double m = 0;
        for (int j = 0; j < x.length; j++) {
            m = Math.max(m, Math.abs(net.evaluate(x[j]) - y[j]));
        }
        return m;
    }
}
