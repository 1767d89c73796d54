package dev.minima.stability;

import dev.minima.curvature.SymmetricEigen;

/**
 * The training inputs x_1..x_n ∈ ℝ^d as an immutable empirical distribution: X uniform over the rows, the
 * law every weight function of Mulayoff et al. (2021, eq. 22–23) and Nacson et al. (2023, eq. 12) is taken under.
 * Labels are not needed: the stability norms depend on the inputs only.
 */
public final class InputSample {

    private final double[][] x;

    private InputSample(double[][] x) {
        this.x = x;
    }

    /**
     * @param rows n rows of d finite numbers (n ≥ 2, d ≥ 1); copied
     * @return the sample
     * @throws IllegalArgumentException on fewer than two rows, ragged rows or non-finite values
     */
    public static InputSample of(double[][] rows) {
        if (rows == null || rows.length < 2) {
            throw new IllegalArgumentException(
                    "got " + (rows == null ? 0 : rows.length) + " data point(s): the stability norms and"
                            + " sharpness need at least two training inputs (n ≥ 2); pass n rows of d numbers");
        }
        int d = rows[0] == null ? 0 : rows[0].length;
        if (d == 0) {
            throw new IllegalArgumentException("data row 0 is empty: each input needs d ≥ 1 coordinates");
        }
        double[][] c = new double[rows.length][];
        for (int j = 0; j < rows.length; j++) {
            if (rows[j] == null || rows[j].length != d) {
                throw new IllegalArgumentException(
                        "data row " + j + " has " + (rows[j] == null ? 0 : rows[j].length) + " values, expected "
                                + d + " like row 0 (every input must have the same dimension)");
            }
            c[j] = rows[j].clone();
            for (int l = 0; l < d; l++) {
                if (!Double.isFinite(c[j][l])) {
                    throw new IllegalArgumentException(
                            "data row " + j + ", column " + l + " is " + c[j][l] + ": inputs must be finite");
                }
            }
        }
        return new InputSample(c);
    }

    /**
     * @param xs n ≥ 2 scalar inputs (d = 1)
     * @return the sample
     */
    public static InputSample ofScalars(double... xs) {
        if (xs == null) {
            throw new IllegalArgumentException("no data: pass at least two scalar inputs");
        }
        double[][] rows = new double[xs.length][];
        for (int j = 0; j < xs.length; j++) {
            rows[j] = new double[] {xs[j]};
        }
        return of(rows);
    }

    /** @return n */
    public int size() {
        return x.length;
    }

    /** @return d */
    public int dimension() {
        return x[0].length;
    }

    /**
     * @param j row index
     * @return a copy of x_j
     */
    public double[] point(int j) {
        return x[j].clone();
    }

    /** @return a copy of all rows */
    public double[][] points() {
        double[][] c = new double[x.length][];
        for (int j = 0; j < x.length; j++) {
            c[j] = x[j].clone();
        }
        return c;
    }

    /** Row access without copying, for this package's hot loops. */
    double[] row(int j) {
        return x[j];
    }

    /**
     * @return the scalar inputs (d must be 1)
     * @throws IllegalStateException if d ≠ 1
     */
    public double[] scalars() {
        if (dimension() != 1) {
            throw new IllegalStateException("scalars() needs d = 1 but the sample has d = " + dimension());
        }
        double[] s = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            s[j] = x[j][0];
        }
        return s;
    }

    /**
     * Throws unless the dimension matches a network's.
     *
     * @param network the network
     */
    public void checkCompatible(ShallowReluNetwork network) {
        if (network.inputDimension() != dimension()) {
            throw new IllegalArgumentException(
                    "data have d = " + dimension() + " columns but the network's first layer expects d = "
                            + network.inputDimension() + " inputs: W1 must have one column per data column");
        }
    }

    /** @return max_j ‖x_j‖₂ (for d = 1, the M = max|x_j| of Mulayoff et al. 2021, Theorem 2) */
    public double maxNorm() {
        double m = 0;
        for (double[] r : x) {
            m = Math.max(m, norm(r));
        }
        return m;
    }

    /** @return E‖X‖² = (1/n) Σ ‖x_j‖² */
    public double meanSquaredNorm() {
        double s = 0;
        for (double[] r : x) {
            double t = norm(r);
            s += t * t;
        }
        return s / x.length;
    }

    /** @return the mean (1/n) Σ x_j */
    public double[] mean() {
        int d = dimension();
        double[] m = new double[d];
        for (double[] r : x) {
            for (int l = 0; l < d; l++) {
                m[l] += r[l];
            }
        }
        for (int l = 0; l < d; l++) {
            m[l] /= x.length;
        }
        return m;
    }

    /** @return λ_max(Σ_X) of the 1/n data covariance (Nacson et al. 2023, Lemma 2, Theorem 3) */
    public double covarianceMaxEigenvalue() {
        int d = dimension();
        double[] m = mean();
        double[][] c = new double[d][d];
        for (double[] r : x) {
            for (int a = 0; a < d; a++) {
                double da = r[a] - m[a];
                for (int b = 0; b <= a; b++) {
                    c[a][b] += da * (r[b] - m[b]);
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = 0; b <= a; b++) {
                c[a][b] /= x.length;
                c[b][a] = c[a][b];
            }
        }
        return Math.max(0.0, SymmetricEigen.of(c).max());
    }

    static double norm(double[] v) {
        double s = 0;
        for (double a : v) {
            s += a * a;
        }
        return Math.sqrt(s);
    }
}
