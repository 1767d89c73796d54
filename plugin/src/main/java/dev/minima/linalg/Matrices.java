package dev.minima.linalg;

import java.util.SplittableRandom;

/**
 * Small dense matrix operations in double precision on row-major {@code double[rows][cols]} arrays: products,
 * transposes, inverses, symmetric square roots and seeded random draws. Every method returns a new array and
 * leaves its arguments unchanged. Meant for the small matrices of the deep-linear theory (weights of a few
 * hundred rows at most), not for bulk linear algebra.
 */
public final class Matrices {

    private Matrices() {}

    /**
     * @param what a name for error messages
     * @param a a matrix
     * @return a deep copy, after checking that it is rectangular, non-empty and finite
     * @throws IllegalArgumentException naming the problem
     */
    public static double[][] checked(String what, double[][] a) {
        if (a == null || a.length == 0 || a[0] == null || a[0].length == 0) {
            throw new IllegalArgumentException(what + " is empty: pass a matrix with at least one row and column");
        }
        int cols = a[0].length;
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            if (a[i] == null || a[i].length != cols) {
                throw new IllegalArgumentException(what + " is ragged: row " + i + " has "
                        + (a[i] == null ? 0 : a[i].length) + " entries, row 0 has " + cols);
            }
            for (int j = 0; j < cols; j++) {
                if (!Double.isFinite(a[i][j])) {
                    throw new IllegalArgumentException(
                            what + " holds a non-finite entry " + a[i][j] + " at (" + i + "," + j + ")");
                }
            }
            c[i] = a[i].clone();
        }
        return c;
    }

    /**
     * @param a a matrix
     * @return a deep copy
     */
    public static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    /**
     * @param n size
     * @return the n×n identity
     */
    public static double[][] identity(int n) {
        double[][] id = new double[n][n];
        for (int i = 0; i < n; i++) {
            id[i][i] = 1.0;
        }
        return id;
    }

    /**
     * @param a a p×q matrix
     * @param b a q×r matrix
     * @return the p×r product ab
     * @throws IllegalArgumentException if the inner dimensions differ
     */
    public static double[][] multiply(double[][] a, double[][] b) {
        int p = a.length;
        int q = b.length;
        if (a[0].length != q) {
            throw new IllegalArgumentException(
                    "cannot multiply a " + p + "×" + a[0].length + " matrix by a " + q + "×" + b[0].length + " one");
        }
        int r = b[0].length;
        double[][] c = new double[p][r];
        for (int i = 0; i < p; i++) {
            double[] ci = c[i];
            for (int k = 0; k < q; k++) {
                double aik = a[i][k];
                if (aik == 0.0) {
                    continue;
                }
                double[] bk = b[k];
                for (int j = 0; j < r; j++) {
                    ci[j] += aik * bk[j];
                }
            }
        }
        return c;
    }

    /**
     * @param a a p×q matrix
     * @param x a vector of length q
     * @return ax
     */
    public static double[] multiply(double[][] a, double[] x) {
        if (a[0].length != x.length) {
            throw new IllegalArgumentException(
                    "cannot multiply a " + a.length + "×" + a[0].length + " matrix by a vector of length " + x.length);
        }
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double s = 0;
            for (int j = 0; j < x.length; j++) {
                s += a[i][j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    /**
     * @param a a p×q matrix
     * @return its q×p transpose
     */
    public static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    /**
     * @param a a matrix
     * @return aaᵀ
     */
    public static double[][] gram(double[][] a) {
        return multiply(a, transpose(a));
    }

    /**
     * @param a a matrix
     * @return aᵀa
     */
    public static double[][] gramOfColumns(double[][] a) {
        return multiply(transpose(a), a);
    }

    /**
     * @param a a matrix
     * @param b a matrix of the same shape
     * @return a − b
     */
    public static double[][] subtract(double[][] a, double[][] b) {
        checkSameShape(a, b);
        double[][] c = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                c[i][j] = a[i][j] - b[i][j];
            }
        }
        return c;
    }

    /**
     * @param a a matrix
     * @param s a scalar
     * @return s·a
     */
    public static double[][] scale(double[][] a, double s) {
        double[][] c = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                c[i][j] = s * a[i][j];
            }
        }
        return c;
    }

    /**
     * @param a a matrix
     * @return the Frobenius norm ‖a‖_F
     */
    public static double frobeniusNorm(double[][] a) {
        double s = 0;
        for (double[] row : a) {
            for (double x : row) {
                s += x * x;
            }
        }
        return Math.sqrt(s);
    }

    /**
     * @param a a square matrix
     * @return its trace
     */
    public static double trace(double[][] a) {
        double s = 0;
        for (int i = 0; i < Math.min(a.length, a[0].length); i++) {
            s += a[i][i];
        }
        return s;
    }

    /**
     * @param x a vector
     * @param y a vector of the same length
     * @return ⟨x, y⟩
     */
    public static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    /**
     * @param x a vector
     * @return ‖x‖₂
     */
    public static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    /**
     * The inverse by Gauss–Jordan elimination with partial pivoting.
     *
     * @param a a square matrix
     * @return a⁻¹
     * @throws IllegalArgumentException if the matrix is not square or is singular to working precision
     */
    public static double[][] inverse(double[][] a) {
        int n = a.length;
        if (a[0].length != n) {
            throw new IllegalArgumentException("only a square matrix has an inverse, got " + n + "×" + a[0].length);
        }
        double[][] m = copy(a);
        double[][] inv = identity(n);
        double scale = 0;
        for (double[] row : a) {
            for (double x : row) {
                scale = Math.max(scale, Math.abs(x));
            }
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            if (!(Math.abs(m[pivot][col]) > 1e-14 * scale * n)) {
                throw new IllegalArgumentException("matrix of size " + n + " is singular to working precision "
                        + "(pivot " + m[pivot][col] + " in column " + col + "): it has no inverse");
            }
            double[] tmp = m[col];
            m[col] = m[pivot];
            m[pivot] = tmp;
            tmp = inv[col];
            inv[col] = inv[pivot];
            inv[pivot] = tmp;
            double p = m[col][col];
            for (int j = 0; j < n; j++) {
                m[col][j] /= p;
                inv[col][j] /= p;
            }
            for (int r = 0; r < n; r++) {
                if (r == col || m[r][col] == 0.0) {
                    continue;
                }
                double f = m[r][col];
                for (int j = 0; j < n; j++) {
                    m[r][j] -= f * m[col][j];
                    inv[r][j] -= f * inv[col][j];
                }
            }
        }
        return inv;
    }

    /**
     * The symmetric power S^p = Q diag(λ^p) Qᵀ of a symmetric positive semi-definite matrix (p = ½ for the
     * square root, p = −½ for the inverse square root).
     *
     * @param s a symmetric positive semi-definite matrix
     * @param p the power
     * @return S^p
     * @throws IllegalArgumentException if an eigenvalue is negative beyond rounding, or zero while p &lt; 0
     */
    public static double[][] symmetricPower(double[][] s, double p) {
        SymmetricEigen e = SymmetricEigen.of(s);
        int n = s.length;
        double top = Math.max(Math.abs(e.max()), Math.abs(e.min()));
        double[] f = new double[n];
        for (int i = 0; i < n; i++) {
            double l = e.value(i);
            if (l < -1e-12 * top) {
                throw new IllegalArgumentException("matrix has a negative eigenvalue " + l
                        + ": a symmetric power needs a positive semi-definite matrix");
            }
            l = Math.max(l, 0.0);
            if (p < 0 && l <= 0) {
                throw new IllegalArgumentException("matrix is singular: a negative power does not exist");
            }
            f[i] = l == 0 ? 0.0 : Math.pow(l, p);
        }
        double[][] q = e.vectors();
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = 0;
                for (int k = 0; k < n; k++) {
                    v += q[i][k] * f[k] * q[j][k];
                }
                out[i][j] = v;
            }
        }
        return out;
    }

    /**
     * A matrix of independent standard normal entries (Box–Muller on the given stream).
     *
     * @param rows rows
     * @param cols columns
     * @param random the source of randomness
     * @return the matrix
     */
    public static double[][] gaussian(int rows, int cols, SplittableRandom random) {
        double[][] g = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                g[i][j] = standardNormal(random);
            }
        }
        return g;
    }

    /**
     * @param random the source of randomness
     * @return one standard normal draw
     */
    public static double standardNormal(SplittableRandom random) {
        return dev.minima.util.SeededRandom.gaussian(random);
    }

    /**
     * A Haar-distributed random orthogonal matrix: Gram–Schmidt on the columns of a Gaussian matrix (the Q of
     * its QR decomposition with a positive diagonal R).
     *
     * @param n size
     * @param random the source of randomness
     * @return an n×n orthogonal matrix
     */
    public static double[][] randomOrthogonal(int n, SplittableRandom random) {
        double[][] cols = transpose(gaussian(n, n, random));
        for (int j = 0; j < n; j++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    double c = dot(cols[k], cols[j]);
                    for (int i = 0; i < n; i++) {
                        cols[j][i] -= c * cols[k][i];
                    }
                }
            }
            double nrm = norm(cols[j]);
            for (int i = 0; i < n; i++) {
                cols[j][i] /= nrm;
            }
        }
        return transpose(cols);
    }

    /**
     * @param a a matrix
     * @param b a matrix
     * @throws IllegalArgumentException if the shapes differ
     */
    public static void checkSameShape(double[][] a, double[][] b) {
        if (a.length != b.length || a[0].length != b[0].length) {
            throw new IllegalArgumentException("shapes differ: " + a.length + "×" + a[0].length + " vs "
                    + b.length + "×" + b[0].length);
        }
    }
}
