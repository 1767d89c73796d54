package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exact dense matrix of a {@link SymmetricOperator}, by n products with the unit vectors: the exact
 * dense Hessian (or Gauss–Newton matrix) of a small model, for tests, closed-form checks and full spectra.
 *
 * <p>Cost: n products and n² doubles of Java memory, so it refuses operators above a limit (default {@value
 * #DEFAULT_LIMIT}; raise it explicitly with {@link #materialize(SymmetricOperator, long)}). Column j is A e_j
 * as computed; no symmetrisation is applied, so {@link #asymmetry(double[][])} measures the rounding error of
 * the products.
 */
public final class DenseMatrices {

    /** The default largest dimension {@link #materialize(SymmetricOperator)} accepts. */
    public static final long DEFAULT_LIMIT = 4096;

    private static final Logger LOGGER = LoggerFactory.getLogger(DenseMatrices.class);

    private DenseMatrices() {}

    /**
     * @param op an operator of dimension at most {@value #DEFAULT_LIMIT}
     * @return its dense matrix, a[i][j] = (A e_j)_i
     * @throws IllegalArgumentException if the dimension exceeds the limit
     */
    public static double[][] materialize(SymmetricOperator op) {
        return materialize(op, DEFAULT_LIMIT);
    }

    /**
     * @param op an operator
     * @param limit the largest dimension accepted
     * @return its dense matrix, a[i][j] = (A e_j)_i
     * @throws IllegalArgumentException if the dimension exceeds the limit
     */
    public static double[][] materialize(SymmetricOperator op, long limit) {
        long n = op.dimension();
        if (n > limit) {
            throw new IllegalArgumentException("the operator has dimension " + n + ", above the dense limit " + limit
                    + ": a dense matrix needs " + n + " products and " + (8 * n * n >> 20) + " MB; use an estimator "
                    + "(Lanczos, Hutchinson, SpectralDensity) or restrict it (RestrictedOperator), or pass a larger "
                    + "limit to materialize(op, limit)");
        }
        int size = Math.toIntExact(n);
        double[][] a = new double[size][size];
        double[] unit = new double[size];
        try (NDManager scratch = Vectors.scratch(op)) {
            for (int j = 0; j < size; j++) {
                try (NDManager scope = scratch.newSubManager()) {
                    unit[j] = 1.0;
                    NDArray e = Vectors.of(scope, unit, op.dataType());
                    unit[j] = 0.0;
                    double[] column = Vectors.toDoubles(op.apply(e));
                    for (int i = 0; i < size; i++) {
                        a[i][j] = column[i];
                    }
                }
            }
        }
        LOGGER.debug("materialised a {}×{} operator, asymmetry {}", size, size, asymmetry(a));
        return a;
    }

    /**
     * @param a a square matrix
     * @return max |a_ij − a_ji| / max(max |a_ij|, tiny): the relative asymmetry
     */
    public static double asymmetry(double[][] a) {
        double max = 0;
        double gap = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                max = Math.max(max, Math.abs(a[i][j]));
                gap = Math.max(gap, Math.abs(a[i][j] - a[j][i]));
            }
        }
        return gap / Math.max(max, Double.MIN_NORMAL);
    }

    /**
     * @param a a square matrix
     * @return its trace
     */
    public static double trace(double[][] a) {
        double t = 0;
        for (int i = 0; i < a.length; i++) {
            t += a[i][i];
        }
        return t;
    }

    /**
     * @param a a square matrix
     * @return (A + Aᵀ)/2
     */
    public static double[][] symmetrise(double[][] a) {
        int n = a.length;
        double[][] s = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s[i][j] = 0.5 * (a[i][j] + a[j][i]);
            }
        }
        return s;
    }
}
