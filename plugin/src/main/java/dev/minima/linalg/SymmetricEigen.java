package dev.minima.linalg;

import java.util.Arrays;

/**
 * Dense eigen-decomposition of a real symmetric matrix in double precision.
 *
 * <p>Householder reduction to tridiagonal form followed by the implicit QL algorithm with Wilkinson
 * shifts (the classical EISPACK tred2/tql2 pair). Used for the small tridiagonal matrices of Lanczos,
 * for Gram matrices in the stability-norm code and for exact dense Hessians in tests. Eigenvalues are
 * returned in ascending order with orthonormal eigenvectors as the columns of {@link #vectors()}.
 */
public final class SymmetricEigen {

    private final double[] values;
    private final double[][] vectors;

    private SymmetricEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    /**
     * Decomposes a symmetric matrix. Only the lower triangle is read; the input is not modified.
     *
     * @param matrix a square symmetric matrix
     * @return the decomposition
     * @throws IllegalArgumentException if the matrix is not square or holds a non-finite entry
     */
    public static SymmetricEigen of(double[][] matrix) {
        int n = matrix.length;
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (matrix[i].length != n) {
                throw new IllegalArgumentException(
                        "matrix must be square: row " + i + " has " + matrix[i].length + " entries, expected " + n);
            }
            for (int j = 0; j <= i; j++) {
                double x = matrix[i][j];
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException("matrix entry (" + i + "," + j + ") is not finite: " + x);
                }
                v[i][j] = x;
                v[j][i] = x;
            }
        }
        double[] d = new double[n];
        double[] e = new double[n];
        if (n > 0) {
            tridiagonalize(v, d, e);
            ql(v, d, e);
        }
        return new SymmetricEigen(d, v);
    }

    /**
     * Decomposes a symmetric tridiagonal matrix given by its diagonal and off-diagonal.
     *
     * @param diagonal the n diagonal entries
     * @param offDiagonal the n-1 entries below the diagonal
     * @return the decomposition
     */
    public static SymmetricEigen ofTridiagonal(double[] diagonal, double[] offDiagonal) {
        int n = diagonal.length;
        if (offDiagonal.length < n - 1) {
            throw new IllegalArgumentException("need " + (n - 1) + " off-diagonal entries, got " + offDiagonal.length);
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1.0;
        }
        double[] d = diagonal.clone();
        double[] e = new double[n];
        // tql2 expects e[i] to be the sub-diagonal entry between rows i-1 and i.
        for (int i = 1; i < n; i++) {
            e[i] = offDiagonal[i - 1];
        }
        if (n > 0) {
            ql(v, d, e);
        }
        return new SymmetricEigen(d, v);
    }

    /** @return the eigenvalues in ascending order (a copy) */
    public double[] values() {
        return values.clone();
    }

    /**
     * @param i index in ascending order
     * @return the i-th smallest eigenvalue
     */
    public double value(int i) {
        return values[i];
    }

    /** @return the largest eigenvalue */
    public double max() {
        return values[values.length - 1];
    }

    /** @return the smallest eigenvalue */
    public double min() {
        return values[0];
    }

    /** @return the eigenvectors as columns: {@code vectors()[row][i]} belongs to {@code value(i)} (a copy) */
    public double[][] vectors() {
        double[][] copy = new double[vectors.length][];
        for (int i = 0; i < vectors.length; i++) {
            copy[i] = vectors[i].clone();
        }
        return copy;
    }

    /**
     * @param i index in ascending order
     * @return the unit eigenvector of {@code value(i)}
     */
    public double[] vector(int i) {
        double[] out = new double[vectors.length];
        for (int r = 0; r < vectors.length; r++) {
            out[r] = vectors[r][i];
        }
        return out;
    }

    /** Householder tridiagonalisation; on exit v holds the accumulated transform. */
    private static void tridiagonalize(double[][] v, double[] d, double[] e) {
        int n = d.length;
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
        }
        for (int i = n - 1; i > 0; i--) {
            double scale = 0.0;
            double h = 0.0;
            for (int k = 0; k < i; k++) {
                scale += Math.abs(d[k]);
            }
            if (scale == 0.0) {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++) {
                    d[j] = v[i - 1][j];
                    v[i][j] = 0.0;
                    v[j][i] = 0.0;
                }
            } else {
                for (int k = 0; k < i; k++) {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.sqrt(h);
                if (f > 0) {
                    g = -g;
                }
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                Arrays.fill(e, 0, i, 0.0);
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    v[j][i] = f;
                    g = e[j] + v[j][j] * f;
                    for (int k = j + 1; k <= i - 1; k++) {
                        g += v[k][j] * d[k];
                        e[k] += v[k][j] * f;
                    }
                    e[j] = g;
                }
                f = 0.0;
                for (int j = 0; j < i; j++) {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) {
                    e[j] -= hh * d[j];
                }
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k <= i - 1; k++) {
                        v[k][j] -= (f * e[k] + g * d[k]);
                    }
                    d[j] = v[i - 1][j];
                    v[i][j] = 0.0;
                }
            }
            d[i] = h;
        }
        for (int i = 0; i < n - 1; i++) {
            v[n - 1][i] = v[i][i];
            v[i][i] = 1.0;
            double h = d[i + 1];
            if (h != 0.0) {
                for (int k = 0; k <= i; k++) {
                    d[k] = v[k][i + 1] / h;
                }
                for (int j = 0; j <= i; j++) {
                    double g = 0.0;
                    for (int k = 0; k <= i; k++) {
                        g += v[k][i + 1] * v[k][j];
                    }
                    for (int k = 0; k <= i; k++) {
                        v[k][j] -= g * d[k];
                    }
                }
            }
            for (int k = 0; k <= i; k++) {
                v[k][i + 1] = 0.0;
            }
        }
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
            v[n - 1][j] = 0.0;
        }
        v[n - 1][n - 1] = 1.0;
        e[0] = 0.0;
    }

    /** Implicit QL iterations on the tridiagonal (d, e), accumulating rotations into v; sorts ascending. */
    private static void ql(double[][] v, double[] d, double[] e) {
        int n = d.length;
        for (int i = 1; i < n; i++) {
            e[i - 1] = e[i];
        }
        e[n - 1] = 0.0;
        double f = 0.0;
        double tst1 = 0.0;
        double eps = Math.ulp(1.0);
        for (int l = 0; l < n; l++) {
            tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
            int m = l;
            while (m < n) {
                if (Math.abs(e[m]) <= eps * tst1) {
                    break;
                }
                m++;
            }
            if (m > l) {
                int iter = 0;
                do {
                    if (++iter > 200) {
                        throw new ArithmeticException("symmetric eigen-decomposition did not converge");
                    }
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2.0 * e[l]);
                    double r = Math.hypot(p, 1.0);
                    if (p < 0) {
                        r = -r;
                    }
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) {
                        d[i] -= h;
                    }
                    f += h;
                    p = d[m];
                    double c = 1.0;
                    double c2 = c;
                    double c3 = c;
                    double el1 = e[l + 1];
                    double s = 0.0;
                    double s2 = 0.0;
                    for (int i = m - 1; i >= l; i--) {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Math.hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        for (int k = 0; k < n; k++) {
                            h = v[k][i + 1];
                            v[k][i + 1] = s * v[k][i] + c * h;
                            v[k][i] = c * v[k][i] - s * h;
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.abs(e[l]) > eps * tst1);
            }
            d[l] = d[l] + f;
            e[l] = 0.0;
        }
        // selection sort ascending, permuting vectors
        for (int i = 0; i < n - 1; i++) {
            int k = i;
            double p = d[i];
            for (int j = i + 1; j < n; j++) {
                if (d[j] < p) {
                    k = j;
                    p = d[j];
                }
            }
            if (k != i) {
                d[k] = d[i];
                d[i] = p;
                for (int j = 0; j < n; j++) {
                    double t = v[j][i];
                    v[j][i] = v[j][k];
                    v[j][k] = t;
                }
            }
        }
    }
}
