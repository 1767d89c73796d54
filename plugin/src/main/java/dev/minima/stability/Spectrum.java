package dev.minima.stability;

import dev.minima.curvature.SymmetricEigen;
import java.util.Random;

/**
 * The top of the spectrum of a dense symmetric PSD matrix: the r largest eigenvalues (descending) with unit
 * eigenvectors (package-private). Small matrices are decomposed densely; large ones by Lanczos with full
 * reorthogonalisation, started from a caller-supplied vector (a warm start from the previous top eigenvector
 * makes repeated solves along an optimisation path cheap) and enlarged until every returned Ritz pair has
 * residual ‖Av − μv‖ ≤ tol·μ_max.
 */
final class Spectrum {

    /** Up to this size the dense EISPACK decomposition is used (it costs ~0.3 s at n = 200). */
    static final int DENSE_LIMIT = 200;

    /** Eigenvalues, descending. */
    final double[] values;
    /** vectors[m] is the unit eigenvector of values[m]. */
    final double[][] vectors;
    /** Whether all n eigenpairs are present. */
    final boolean complete;

    private Spectrum(double[] values, double[][] vectors, boolean complete) {
        this.values = values;
        this.vectors = vectors;
        this.complete = complete;
    }

    int size() {
        return values.length;
    }

    double max() {
        return values[0];
    }

    /** Every eigenpair, densely. */
    static Spectrum dense(double[][] a) {
        SymmetricEigen eig = SymmetricEigen.of(a);
        int n = a.length;
        double[] v = new double[n];
        double[][] vec = new double[n][];
        double[][] cols = eig.vectors();
        for (int m = 0; m < n; m++) {
            v[m] = eig.value(n - 1 - m);
            double[] u = new double[n];
            for (int j = 0; j < n; j++) {
                u[j] = cols[j][n - 1 - m];
            }
            vec[m] = u;
        }
        return new Spectrum(v, vec, true);
    }

    /**
     * The r largest eigenpairs (all of them, densely, when n ≤ {@link #DENSE_LIMIT} or r ≥ n). The top pair
     * is converged to a residual of {@code tol}·μ_max, the others to {@code sqrt(tol)}·μ_max (they only
     * weight the smoothing; the returned vectors are orthonormal either way).
     *
     * @param a symmetric matrix
     * @param r how many
     * @param start a starting vector (may be null)
     * @param tol relative residual tolerance for the top pair
     */
    static Spectrum top(double[][] a, int r, double[] start, double tol) {
        int n = a.length;
        if (n <= DENSE_LIMIT || r >= n) {
            return dense(a);
        }
        Spectrum s = lanczos(a, r, start, tol);
        return s != null ? s : dense(a);
    }

    /** Lanczos, checking convergence every few steps; null if it runs through all n steps unconverged. */
    private static Spectrum lanczos(double[][] a, int r, double[] start, double tol) {
        int n = a.length;
        double[][] q = new double[n][];
        double[] alpha = new double[n];
        double[] beta = new double[n];
        Random rng = new Random(12345);
        double[] v = new double[n];
        if (start != null) {
            System.arraycopy(start, 0, v, 0, n);
        }
        for (int j = 0; j < n; j++) {
            v[j] += 1e-3 * rng.nextGaussian() / Math.sqrt(n);
        }
        normalize(v);
        double scale = 0;
        int check = Math.min(n, Math.max(r + 10, 20));
        for (int step = 0; step < n; step++) {
            q[step] = v;
            double[] w = multiply(a, v);
            alpha[step] = dot(w, v);
            // full reorthogonalisation, twice (classical Gram–Schmidt is stable when repeated)
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i <= step; i++) {
                    axpy(-dot(w, q[i]), q[i], w);
                }
            }
            double b = Math.sqrt(dot(w, w));
            scale = Math.max(scale, Math.abs(alpha[step]) + b);
            beta[step] = b;
            int m = step + 1;
            if (m == check || m == n) {
                Spectrum s = ritz(q, alpha, beta, m, r, n, tol);
                if (s != null) {
                    return s;
                }
                check = Math.min(n, m + Math.max(10, m / 4));
            }
            if (m == n) {
                break;
            }
            if (b <= 1e-14 * scale) {
                // invariant subspace: continue with a fresh direction orthogonal to the basis
                beta[step] = 0;
                w = new double[n];
                for (int j = 0; j < n; j++) {
                    w[j] = rng.nextGaussian();
                }
                for (int pass = 0; pass < 2; pass++) {
                    for (int i = 0; i <= step; i++) {
                        axpy(-dot(w, q[i]), q[i], w);
                    }
                }
                normalize(w);
            } else {
                for (int j = 0; j < n; j++) {
                    w[j] /= b;
                }
            }
            v = w;
        }
        return null;
    }

    /** Ritz pairs after m steps, or null if the top r are not converged (always accepted at m = n). */
    private static Spectrum ritz(double[][] q, double[] alpha, double[] beta, int m, int r, int n, double tol) {
        double[] diag = new double[m];
        double[] off = new double[Math.max(0, m - 1)];
        System.arraycopy(alpha, 0, diag, 0, m);
        System.arraycopy(beta, 0, off, 0, m - 1);
        SymmetricEigen t = SymmetricEigen.ofTridiagonal(diag, off);
        double[][] s = t.vectors();
        int take = Math.min(r, m);
        double top = Math.max(Math.abs(t.max()), Double.MIN_NORMAL);
        if (m < n) {
            for (int k = 0; k < take; k++) {
                int col = m - 1 - k;
                double resid = Math.abs(beta[m - 1] * s[m - 1][col]);
                if (resid > (k == 0 ? tol : Math.sqrt(tol)) * top) {
                    return null;
                }
            }
        }
        double[] values = new double[take];
        double[][] vectors = new double[take][];
        for (int k = 0; k < take; k++) {
            int col = m - 1 - k;
            values[k] = t.value(col);
            double[] y = new double[n];
            for (int i = 0; i < m; i++) {
                axpy(s[i][col], q[i], y);
            }
            normalize(y);
            vectors[k] = y;
        }
        return new Spectrum(values, vectors, take == n);
    }

    private static double[] multiply(double[][] a, double[] v) {
        int n = v.length;
        double[] w = new double[n];
        for (int j = 0; j < n; j++) {
            double[] row = a[j];
            double s = 0;
            for (int l = 0; l < n; l++) {
                s += row[l] * v[l];
            }
            w[j] = s;
        }
        return w;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double c, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += c * x[i];
        }
    }

    private static void normalize(double[] v) {
        double s = Math.sqrt(dot(v, v));
        for (int i = 0; i < v.length; i++) {
            v[i] /= s;
        }
    }
}
