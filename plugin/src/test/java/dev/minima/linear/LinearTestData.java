package dev.minima.linear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.SymmetricOperator;
import dev.minima.curvature.Vectors;
import dev.minima.util.GarbageCollection;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/** Exact synthetic regression data and dense-operator helpers for the deep-linear tests. */
final class LinearTestData {

    private LinearTestData() {}

    /**
     * @param n examples
     * @param d features
     * @param random randomness
     * @return X (n × d) with XᵀX/n = I to rounding: orthonormal columns (Gram–Schmidt, twice) times √n
     */
    static double[][] whiteInputs(int n, int d, SplittableRandom random) {
        double[][] cols = transpose(RandomMatrices.gaussian(n, d, random).get2DData());
        orthonormalise(cols);
        for (double[] c : cols) {
            for (int i = 0; i < n; i++) {
                c[i] *= Math.sqrt(n);
            }
        }
        return transpose(cols);
    }

    /**
     * @param x inputs (n × d)
     * @param dy outputs
     * @param scale noise size
     * @param random randomness
     * @return E (n × dy) with EᵀX = 0: noise that leaves Σ_yx, hence T, unchanged
     */
    static double[][] orthogonalNoise(double[][] x, int dy, double scale, SplittableRandom random) {
        double[][] q = transpose(x); // columns of X, made orthonormal
        orthonormalise(q);
        double[][] e = transpose(RandomMatrices.gaussian(x.length, dy, random).get2DData());
        for (double[] col : e) {
            for (int pass = 0; pass < 2; pass++) {
                for (double[] b : q) {
                    double c = Dense.dot(b, col);
                    for (int i = 0; i < col.length; i++) {
                        col[i] -= c * b[i];
                    }
                }
            }
            for (int i = 0; i < col.length; i++) {
                col[i] *= scale;
            }
        }
        return transpose(e);
    }

    private static void orthonormalise(double[][] cols) {
        for (int j = 0; j < cols.length; j++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    subtractProjection(cols[j], cols[k]);
                }
            }
            double nrm = Dense.norm(cols[j]);
            for (int i = 0; i < cols[j].length; i++) {
                cols[j][i] /= nrm;
            }
        }
    }

    private static void subtractProjection(double[] v, double[] unit) {
        double c = Dense.dot(v, unit);
        for (int i = 0; i < v.length; i++) {
            v[i] -= c * unit[i];
        }
    }

    /**
     * @param singularValues σ_1 ≥ σ_2 ≥ … (length min(dy, dx))
     * @param dy rows
     * @param dx columns
     * @param random randomness
     * @return Q_1 diag(σ) Q_2ᵀ with Haar-random orthogonal factors
     */
    static double[][] matrixWithSingularValues(double[] singularValues, int dy, int dx, SplittableRandom random) {
        double[][] d = new double[dy][dx];
        for (int i = 0; i < singularValues.length; i++) {
            d[i][i] = singularValues[i];
        }
        return multiply(multiply(RandomMatrices.orthogonal(dy, random).get2DData(), d),
                transpose(RandomMatrices.orthogonal(dx, random).get2DData()));
    }

    /** y_i = T x_i + e_i, one example per row. */
    static double[][] targets(double[][] x, double[][] t, double[][] noise) {
        double[][] y = multiply(x, transpose(t));
        if (noise != null) {
            for (int i = 0; i < y.length; i++) {
                for (int j = 0; j < y[0].length; j++) {
                    y[i][j] += noise[i][j];
                }
            }
        }
        return y;
    }

    static NDArray array(NDManager manager, double[][] m) {
        double[] flat = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, flat, i * m[0].length, m[0].length);
        }
        return NativeArrays.of(manager, flat, new Shape(m.length, m[0].length), DataType.FLOAT64);
    }

    /** Materialises an operator with n products of unit vectors (column j = op(e_j)). */
    static double[][] dense(SymmetricOperator op, NDManager manager) {
        int n = Math.toIntExact(op.dimension());
        double[][] cols = new double[n][];
        for (int j = 0; j < n; j++) {
            try (NDManager sub = manager.newSubManager()) {
                double[] e = new double[n];
                e[j] = 1.0;
                cols[j] = Vectors.toDoubles(op.apply(Vectors.of(sub, e, op.dataType())));
            }
        }
        return transpose(cols);
    }

    /** λ_max by Lanczos run to a tight tolerance (the Ritz value error is then far below 1e-12 relative). */
    static Eigenpairs top(SymmetricOperator op, long seed) {
        return Lanczos.builder().optTopK(1).optTolerance(1e-10).optMaxIterations((int) Math.min(op.dimension(), 200))
                .optSeed(seed).build().run(op);
    }

    /** An operator that forces a garbage collection before every product (between forward and backward). */
    static SymmetricOperator gcBetweenProducts(SymmetricOperator op) {
        return new SymmetricOperator() {
            @Override
            public long dimension() {
                return op.dimension();
            }

            @Override
            public DataType dataType() {
                return op.dataType();
            }

            @Override
            public ai.djl.Device device() {
                return op.device();
            }

            @Override
            public NDArray apply(NDArray vector) {
                GarbageCollection.collect();
                return op.apply(vector);
            }
        };
    }

    static double relative(double expected, double actual) {
        return Math.abs(actual - expected) / Math.abs(expected);
    }

    // Products and norms of plain double[][] matrices for the tests' expected values, by EJML.

    static double[][] multiply(double[][] a, double[][] b) {
        return CommonOps_DDRM.mult(new DMatrixRMaj(a), new DMatrixRMaj(b), null).get2DData();
    }

    static double[] multiply(double[][] a, double[] x) {
        return Dense.times(new DMatrixRMaj(a), x);
    }

    static double[][] transpose(double[][] a) {
        return CommonOps_DDRM.transpose(new DMatrixRMaj(a), null).get2DData();
    }

    static double[][] subtract(double[][] a, double[][] b) {
        return CommonOps_DDRM.subtract(new DMatrixRMaj(a), new DMatrixRMaj(b), null).get2DData();
    }

    static double[][] identity(int n) {
        return CommonOps_DDRM.identity(n).get2DData();
    }

    static double trace(double[][] a) {
        return CommonOps_DDRM.trace(new DMatrixRMaj(a));
    }

    static double frobeniusNorm(double[][] a) {
        return NormOps_DDRM.normF(new DMatrixRMaj(a));
    }

    /** σ_max, the spectral norm. */
    static double spectralNorm(double[][] a) {
        return NormOps_DDRM.normP2(new DMatrixRMaj(a));
    }
}
