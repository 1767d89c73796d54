package dev.minima.stability;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.minima.curvature.DenseOperator;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.SymmetricEigen;
import java.util.Random;

/**
 * The top of the spectrum of a dense symmetric PSD matrix held in Java memory: the r largest eigenvalues
 * (descending) with unit eigenvectors (package-private).
 *
 * <p>Two tools, chosen by size. Up to {@link #DENSE_LIMIT} rows, or when every pair is wanted, the dense
 * decomposition ({@link SymmetricEigen}, EJML) gives all n pairs at once for O(n³). Above it only a few top
 * pairs are needed and the library's {@link Lanczos} on the matrix as a {@link DenseOperator} costs O(n²) a
 * product and a few dozen products, started from a caller-supplied vector (a warm start from the previous top
 * eigenvector makes repeated solves along an optimisation path cheap).
 */
final class Spectrum {

    /** Up to this size the dense decomposition is used. */
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
        for (int m = 0; m < n; m++) {
            v[m] = eig.value(n - 1 - m);
            vec[m] = eig.vector(n - 1 - m);
        }
        return new Spectrum(v, vec, true);
    }

    /**
     * The r largest eigenpairs (all of them, densely, when n ≤ {@link #DENSE_LIMIT} or r ≥ n), each converged to
     * a residual ‖Av − μv‖ ≤ {@code tol}·μ (falling back to the dense decomposition if Lanczos does not get there
     * in n products).
     *
     * @param a symmetric matrix
     * @param r how many
     * @param start a starting vector (may be null)
     * @param tol relative residual tolerance
     */
    static Spectrum top(double[][] a, int r, double[] start, double tol) {
        int n = a.length;
        if (n <= DENSE_LIMIT || r >= n) {
            return dense(a);
        }
        Lanczos.Builder lanczos = Lanczos.builder().optTopK(r).optTolerance(tol).optMaxIterations(n);
        if (start != null) {
            // a start that is exactly an eigenvector spans an invariant subspace after one product; a small
            // seeded perturbation gives the other pairs a component
            double[] v = start.clone();
            Random rng = new Random(12345);
            for (int j = 0; j < n; j++) {
                v[j] += 1e-3 * rng.nextGaussian() / Math.sqrt(n);
            }
            lanczos.optWarmStart(v);
        }
        Eigenpairs pairs;
        try (DenseOperator op = DenseOperator.of(a, Device.cpu(), DataType.FLOAT64)) {
            pairs = lanczos.build().run(op);
        }
        if (!pairs.converged() || pairs.size() < r) {
            return dense(a);
        }
        double[][] vectors = new double[r][];
        for (int m = 0; m < r; m++) {
            vectors[m] = pairs.vectors()[m];
        }
        return new Spectrum(pairs.values(), vectors, false);
    }
}
