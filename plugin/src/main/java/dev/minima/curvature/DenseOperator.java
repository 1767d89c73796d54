package dev.minima.curvature;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.minima.autograd.NativeArrays;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;

/**
 * A symmetric matrix held as a dense array, as a {@link SymmetricOperator}: for quadratic objectives with a
 * known spectrum (testing estimators), and for exact dense Hessians of small models ({@link
 * DenseMatrices#materialize(SymmetricOperator)}) wrapped back into an operator.
 *
 * <p>The matrix is validated to be symmetric (up to a relative tolerance, default 1e-8 of its largest entry)
 * and stored symmetrised, (A + Aᵀ)/2, in its own sub-manager: close the operator to free it.
 *
 * <pre>{@code
 * try (DenseOperator a = DenseOperator.withSpectrum(new double[] {5, 3, 1, 0}, 7, manager, DataType.FLOAT64)) {
 *     TraceEstimate t = Hutchinson.builder().optSamples(100).build().run(a); // ≈ 9
 * }
 * }</pre>
 */
public final class DenseOperator implements SymmetricOperator, AutoCloseable {

    /** Default relative tolerance of the symmetry check. */
    public static final double DEFAULT_SYMMETRY_TOLERANCE = 1e-8;

    private final double[][] matrix;
    private final NDManager manager;
    private final NDArray array;

    private DenseOperator(double[][] matrix, NDManager manager, DataType dataType) {
        this.matrix = matrix;
        this.manager = manager;
        int n = matrix.length;
        double[] flat = new double[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(matrix[i], 0, flat, i * n, n);
        }
        this.array = NativeArrays.of(manager, flat, new Shape(n, n), dataType);
    }

    /**
     * @param symmetric a square symmetric matrix (rows)
     * @param manager the manager whose device holds the matrix (a sub-manager is used and closed by {@link
     *     #close()})
     * @param dataType the vectors' data type (float32 or float64)
     * @return the operator
     * @throws IllegalArgumentException if the matrix is empty, not square, not finite or not symmetric
     */
    public static DenseOperator of(double[][] symmetric, NDManager manager, DataType dataType) {
        return of(symmetric, manager, dataType, DEFAULT_SYMMETRY_TOLERANCE);
    }

    /**
     * @param symmetric a square symmetric matrix (rows)
     * @param manager the manager whose device holds the matrix (a sub-manager is used)
     * @param dataType the vectors' data type
     * @param symmetryTolerance largest accepted |a_ij − a_ji| relative to the largest |a_ij|
     * @return the operator
     * @throws IllegalArgumentException if the matrix is empty, not square, not finite or not symmetric
     */
    public static DenseOperator of(
            double[][] symmetric, NDManager manager, DataType dataType, double symmetryTolerance) {
        double[][] sym = symmetrised(symmetric, symmetryTolerance);
        return new DenseOperator(sym, manager.newSubManager(), dataType);
    }

    /**
     * @param symmetric a square symmetric matrix (rows)
     * @param device the device of the matrix and of the vectors
     * @param dataType the vectors' data type
     * @return the operator, owning a new base manager on {@code device}
     * @throws IllegalArgumentException if the matrix is empty, not square, not finite or not symmetric
     */
    public static DenseOperator of(double[][] symmetric, Device device, DataType dataType) {
        double[][] sym = symmetrised(symmetric, DEFAULT_SYMMETRY_TOLERANCE);
        return new DenseOperator(sym, NDManager.newBaseManager(device, "PyTorch"), dataType);
    }

    /**
     * A matrix Q diag(λ) Qᵀ with the given eigenvalues and a random orthogonal Q (Gram–Schmidt, twice, of a
     * seeded Gaussian matrix): a quadratic objective with a known spectrum.
     *
     * @param eigenvalues the spectrum, any order, repeats allowed
     * @param seed the seed of Q
     * @param manager the manager whose device holds the matrix
     * @param dataType the vectors' data type
     * @return the operator
     */
    public static DenseOperator withSpectrum(double[] eigenvalues, long seed, NDManager manager, DataType dataType) {
        int n = eigenvalues.length;
        if (n == 0) {
            throw new IllegalArgumentException("the spectrum is empty: give at least one eigenvalue");
        }
        double[][] q = randomOrthogonal(n, new SplittableRandom(seed));
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += q[k][i] * eigenvalues[k] * q[k][j]; // rows of q are the eigenvectors
                }
                a[i][j] = s;
                a[j][i] = s;
            }
        }
        return new DenseOperator(a, manager.newSubManager(), dataType);
    }

    /**
     * @param n dimension
     * @param random source of randomness
     * @return an n×n matrix with orthonormal rows
     */
    static double[][] randomOrthogonal(int n, SplittableRandom random) {
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q[i][j] = SeededRandom.gaussian(random);
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < i; k++) {
                    double d = 0;
                    for (int j = 0; j < n; j++) {
                        d += q[i][j] * q[k][j];
                    }
                    for (int j = 0; j < n; j++) {
                        q[i][j] -= d * q[k][j];
                    }
                }
            }
            double norm = 0;
            for (int j = 0; j < n; j++) {
                norm += q[i][j] * q[i][j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < n; j++) {
                q[i][j] /= norm;
            }
        }
        return q;
    }

    private static double[][] symmetrised(double[][] a, double tolerance) {
        int n = a.length;
        if (n == 0) {
            throw new IllegalArgumentException("the matrix is empty: give at least a 1×1 matrix");
        }
        double max = 0;
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) {
                throw new IllegalArgumentException(
                        "the matrix must be square: row " + i + " has " + a[i].length + " entries, expected " + n);
            }
            for (int j = 0; j < n; j++) {
                if (!Double.isFinite(a[i][j])) {
                    throw new IllegalArgumentException("matrix entry (" + i + "," + j + ") is " + a[i][j]
                            + ": a dense operator needs finite entries");
                }
                max = Math.max(max, Math.abs(a[i][j]));
            }
        }
        double[][] s = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double gap = Math.abs(a[i][j] - a[j][i]);
                if (gap > tolerance * max) {
                    throw new IllegalArgumentException("the matrix is not symmetric: |a[" + i + "][" + j + "] − a[" + j
                            + "][" + i + "]| = " + gap + " exceeds " + tolerance + " × max|a| = " + tolerance * max
                            + "; pass (A + Aᵀ)/2 or raise the tolerance");
                }
                s[i][j] = 0.5 * (a[i][j] + a[j][i]);
                s[j][i] = s[i][j];
            }
        }
        return s;
    }

    @Override
    public long dimension() {
        return matrix.length;
    }

    @Override
    public DataType dataType() {
        return array.getDataType();
    }

    @Override
    public Device device() {
        return array.getDevice();
    }

    /** @return a copy of the (symmetrised) matrix */
    public double[][] matrix() {
        double[][] copy = new double[matrix.length][];
        for (int i = 0; i < matrix.length; i++) {
            copy[i] = matrix[i].clone();
        }
        return copy;
    }

    @Override
    public NDArray apply(NDArray vector) {
        SymmetricOperator.checkVector(this, vector);
        NDManager target = vector.getManager();
        try (NDManager scope = target.newSubManager()) {
            NDArray v = vector.toType(dataType(), false);
            NDArray r = array.matMul(v);
            r.attach(target);
            if (v != vector) {
                v.attach(scope);
            }
            return r;
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
