package dev.minima.linalg;

import java.util.Arrays;

/**
 * Thin singular value decomposition A = U diag(s) Vᵀ of a real p×q matrix in double precision, by one-sided
 * Jacobi (Hestenes) rotations.
 *
 * <p>With r = min(p, q): U is p×r and V is q×r, both with orthonormal columns, and s holds the r singular
 * values in descending order. One-sided Jacobi orthogonalises the columns of A·V by plane rotations until every
 * pair is orthogonal to working precision (|⟨a_i, a_j⟩| ≤ ε‖a_i‖‖a_j‖); it is simple and computes small
 * singular values to high relative accuracy (Demmel &amp; Veselić 1992). Columns of U that belong to zero
 * singular values are completed to an orthonormal set. Wide matrices are decomposed through their transpose.
 */
public final class Svd {

    private static final int MAX_SWEEPS = 80;

    private final double[][] u;
    private final double[] s;
    private final double[][] v;

    private Svd(double[][] u, double[] s, double[][] v) {
        this.u = u;
        this.s = s;
        this.v = v;
    }

    /**
     * Decomposes a matrix.
     *
     * @param a a p×q matrix with finite entries (not modified)
     * @return its thin SVD
     * @throws IllegalArgumentException if the matrix is empty, ragged or holds a non-finite entry
     * @throws ArithmeticException if the rotations do not converge (not seen in practice)
     */
    public static Svd of(double[][] a) {
        double[][] m = Matrices.checked("matrix", a);
        if (m.length >= m[0].length) {
            return tall(m);
        }
        Svd t = tall(Matrices.transpose(m));
        return new Svd(t.v, t.s, t.u);
    }

    /** One-sided Jacobi on the columns of a tall (p ≥ q) matrix. */
    private static Svd tall(double[][] a) {
        int p = a.length;
        int q = a[0].length;
        double[][] g = Matrices.transpose(a); // g[j] is column j of A·V
        double[][] vt = Matrices.identity(q); // vt[j] is column j of V
        double eps = Math.ulp(1.0);
        boolean rotated = true;
        int sweep = 0;
        while (rotated) {
            if (++sweep > MAX_SWEEPS) {
                throw new ArithmeticException("one-sided Jacobi SVD did not converge in " + MAX_SWEEPS + " sweeps");
            }
            rotated = false;
            for (int i = 0; i < q - 1; i++) {
                for (int j = i + 1; j < q; j++) {
                    double alpha = Matrices.dot(g[i], g[i]);
                    double beta = Matrices.dot(g[j], g[j]);
                    double gamma = Matrices.dot(g[i], g[j]);
                    if (alpha == 0 || beta == 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) {
                        continue;
                    }
                    rotated = true;
                    // rotation that zeroes the (i, j) entry of the 2×2 Gram matrix [[α, γ], [γ, β]]
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(1 + t * t);
                    double sn = c * t;
                    rotate(g[i], g[j], c, sn);
                    rotate(vt[i], vt[j], c, sn);
                }
            }
        }
        double[] sigma = new double[q];
        for (int j = 0; j < q; j++) {
            sigma[j] = Matrices.norm(g[j]);
        }
        Integer[] order = new Integer[q];
        for (int j = 0; j < q; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (x, y) -> Double.compare(sigma[y], sigma[x]));
        double[] s = new double[q];
        double[][] uCols = new double[q][];
        double[][] vCols = new double[q][];
        double top = sigma[order[0]];
        for (int k = 0; k < q; k++) {
            int j = order[k];
            s[k] = sigma[j];
            vCols[k] = vt[j];
            if (s[k] > 1e-300 && s[k] > eps * eps * top) {
                double[] col = new double[p];
                for (int i = 0; i < p; i++) {
                    col[i] = g[j][i] / s[k];
                }
                uCols[k] = col;
            }
        }
        complete(uCols, p);
        return new Svd(Matrices.transpose(uCols), s, Matrices.transpose(vCols));
    }

    private static void rotate(double[] x, double[] y, double c, double s) {
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            double yi = y[i];
            x[i] = c * xi - s * yi;
            y[i] = s * xi + c * yi;
        }
    }

    /** Fills null columns with unit vectors orthogonal to all others (Gram–Schmidt on coordinate vectors). */
    private static void complete(double[][] cols, int p) {
        int next = 0;
        for (int k = 0; k < cols.length; k++) {
            if (cols[k] != null) {
                continue;
            }
            while (true) {
                double[] e = new double[p];
                e[next++ % p] = 1.0;
                for (int pass = 0; pass < 2; pass++) {
                    for (double[] other : cols) {
                        if (other == null) {
                            continue;
                        }
                        double d = Matrices.dot(other, e);
                        for (int i = 0; i < p; i++) {
                            e[i] -= d * other[i];
                        }
                    }
                }
                double nrm = Matrices.norm(e);
                if (nrm > 1e-8) {
                    for (int i = 0; i < p; i++) {
                        e[i] /= nrm;
                    }
                    cols[k] = e;
                    break;
                }
            }
        }
    }

    /** @return the singular values, descending (a copy) */
    public double[] singularValues() {
        return s.clone();
    }

    /**
     * @param i index, 0 for the largest
     * @return the i-th largest singular value
     */
    public double singularValue(int i) {
        return s[i];
    }

    /** @return the largest singular value (the spectral norm) */
    public double max() {
        return s[0];
    }

    /** @return r = min(p, q), the number of singular values */
    public int size() {
        return s.length;
    }

    /** @return U, p×r with orthonormal columns (a copy) */
    public double[][] u() {
        return Matrices.copy(u);
    }

    /** @return V, q×r with orthonormal columns (a copy) */
    public double[][] v() {
        return Matrices.copy(v);
    }

    /**
     * @param i index, 0 for the largest
     * @return the left singular vector of the i-th singular value (column i of U)
     */
    public double[] left(int i) {
        double[] out = new double[u.length];
        for (int r = 0; r < u.length; r++) {
            out[r] = u[r][i];
        }
        return out;
    }

    /**
     * @param i index, 0 for the largest
     * @return the right singular vector of the i-th singular value (column i of V)
     */
    public double[] right(int i) {
        double[] out = new double[v.length];
        for (int r = 0; r < v.length; r++) {
            out[r] = v[r][i];
        }
        return out;
    }

    /**
     * @param relativeTolerance singular values at most this fraction of the largest count as zero
     * @return the numerical rank
     */
    public int rank(double relativeTolerance) {
        int r = 0;
        for (double x : s) {
            if (x > relativeTolerance * s[0]) {
                r++;
            }
        }
        return r;
    }
}
