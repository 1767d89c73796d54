package dev.minima.curvature;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The eigenpairs of a small dense symmetric matrix in double precision, in ascending order: EJML's symmetric
 * eigen-decomposition (Householder tridiagonalisation and implicit QR), with its eigenpairs sorted.
 *
 * <p>EJML returns the eigenpairs in no particular order; every caller here needs them ordered (the Ritz values
 * of Lanczos from either end, the nodes of stochastic Lanczos quadrature, λ_max of an exact Hessian or Gram
 * matrix), so this class sorts them once. Eigenvectors are unit vectors with an arbitrary sign.
 *
 * <pre>{@code
 * double lambdaMax = SymmetricEigen.of(DenseMatrices.materialize(hessian)).max();
 * }</pre>
 */
public final class SymmetricEigen {

    private final double[] values;
    private final double[][] vectors; // vectors[i] is the unit eigenvector of values[i]

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
     * @throws ArithmeticException if the decomposition does not converge
     */
    public static SymmetricEigen of(double[][] matrix) {
        int n = matrix.length;
        DMatrixRMaj a = new DMatrixRMaj(n, n);
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
                a.unsafe_set(i, j, x);
                a.unsafe_set(j, i, x);
            }
        }
        return of(a);
    }

    /**
     * Decomposes a symmetric tridiagonal matrix given by its diagonal and off-diagonal (the T_j of Lanczos).
     *
     * @param diagonal the n diagonal entries
     * @param offDiagonal the n−1 entries below the diagonal (more are ignored)
     * @return the decomposition
     * @throws IllegalArgumentException if there are fewer than n−1 off-diagonal entries or an entry is not finite
     */
    public static SymmetricEigen ofTridiagonal(double[] diagonal, double[] offDiagonal) {
        int n = diagonal.length;
        if (offDiagonal.length < n - 1) {
            throw new IllegalArgumentException("need " + (n - 1) + " off-diagonal entries, got " + offDiagonal.length);
        }
        DMatrixRMaj t = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            t.unsafe_set(i, i, finite(diagonal[i], i, i));
            if (i + 1 < n) {
                double b = finite(offDiagonal[i], i + 1, i);
                t.unsafe_set(i + 1, i, b);
                t.unsafe_set(i, i + 1, b);
            }
        }
        return of(t);
    }

    private static double finite(double x, int i, int j) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("matrix entry (" + i + "," + j + ") is not finite: " + x);
        }
        return x;
    }

    /** Decomposes a finite symmetric matrix that this class owns (EJML may overwrite it). */
    private static SymmetricEigen of(DMatrixRMaj a) {
        int n = a.numRows;
        if (n == 0) {
            return new SymmetricEigen(new double[0], new double[0][]);
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(a)) {
            throw new ArithmeticException("the symmetric eigen-decomposition of a " + n + "×" + n
                    + " matrix did not converge");
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> eig.getEigenvalue(i).real));
        double[] values = new double[n];
        double[][] vectors = new double[n][];
        for (int r = 0; r < n; r++) {
            values[r] = eig.getEigenvalue(order[r]).real;
            vectors[r] = eig.getEigenVector(order[r]).data.clone();
        }
        return new SymmetricEigen(values, vectors);
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

    /** @return the size n of the matrix */
    public int size() {
        return values.length;
    }

    /** @return the eigenvectors as columns: {@code vectors()[row][i]} belongs to {@code value(i)} (a new array) */
    public double[][] vectors() {
        int n = values.length;
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < n; r++) {
                q[r][i] = vectors[i][r];
            }
        }
        return q;
    }

    /**
     * @param i index in ascending order
     * @return the unit eigenvector of {@code value(i)} (a copy)
     */
    public double[] vector(int i) {
        return vectors[i].clone();
    }

    /**
     * The symmetric power S^p = Q diag(λ^p) Qᵀ of a positive semi-definite matrix (p = ½ for the square root,
     * p = −½ for the inverse square root).
     *
     * @param p the power
     * @return S^p
     * @throws IllegalArgumentException if an eigenvalue is negative beyond rounding, or zero while p &lt; 0
     */
    public double[][] power(double p) {
        int n = values.length;
        double top = n == 0 ? 0 : Math.max(Math.abs(max()), Math.abs(min()));
        double[] f = new double[n];
        for (int i = 0; i < n; i++) {
            double l = values[i];
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
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = 0;
                for (int k = 0; k < n; k++) {
                    v += vectors[k][i] * f[k] * vectors[k][j];
                }
                out[i][j] = v;
                out[j][i] = v;
            }
        }
        return out;
    }
}
