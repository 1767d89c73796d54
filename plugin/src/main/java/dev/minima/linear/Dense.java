package dev.minima.linear;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.MatrixFeatures_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.mult.VectorVectorMult_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * What the deep-linear code needs around EJML and EJML does not say itself: user matrices checked with a message
 * that names the problem, an inverse that refuses a singular matrix, a thin SVD in descending order, and
 * vector products on plain {@code double[]} (wrapped, not copied).
 */
final class Dense {

    private Dense() {}

    /**
     * @param what a name for error messages
     * @param a a matrix
     * @return a copy as an EJML matrix, after checking that it is rectangular, non-empty and finite
     * @throws IllegalArgumentException naming the problem
     */
    static DMatrixRMaj checked(String what, double[][] a) {
        if (a == null || a.length == 0 || a[0] == null || a[0].length == 0) {
            throw new IllegalArgumentException(what + " is empty: pass a matrix with at least one row and column");
        }
        int cols = a[0].length;
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
        }
        return new DMatrixRMaj(a);
    }

    /**
     * @param what a name for error messages
     * @param a a square matrix (not modified)
     * @return a⁻¹
     * @throws IllegalArgumentException if the matrix is not square or is singular to working precision
     */
    static DMatrixRMaj inverse(String what, DMatrixRMaj a) {
        if (a.numRows != a.numCols) {
            throw new IllegalArgumentException(
                    "only a square matrix has an inverse, " + what + " is " + a.numRows + "×" + a.numCols);
        }
        DMatrixRMaj inv = new DMatrixRMaj(a.numRows, a.numCols);
        if (!CommonOps_DDRM.invert(a, inv) || MatrixFeatures_DDRM.hasUncountable(inv)) {
            throw new IllegalArgumentException(what + " (" + a.numRows + "×" + a.numCols
                    + ") is singular to working precision: it has no inverse");
        }
        return inv;
    }

    /**
     * @param x a vector
     * @param y a vector of the same length
     * @return ⟨x, y⟩
     */
    static double dot(double[] x, double[] y) {
        return VectorVectorMult_DDRM.innerProd(DMatrixRMaj.wrap(x.length, 1, x), DMatrixRMaj.wrap(y.length, 1, y));
    }

    /**
     * @param x a vector
     * @return ‖x‖₂
     */
    static double norm(double[] x) {
        return NormOps_DDRM.normF(DMatrixRMaj.wrap(x.length, 1, x));
    }

    /**
     * @param a a p×q matrix
     * @param x a vector of length q
     * @return ax
     */
    static double[] times(DMatrixRMaj a, double[] x) {
        return CommonOps_DDRM.mult(a, DMatrixRMaj.wrap(x.length, 1, x), null).data;
    }

    /**
     * @param a a p×q matrix
     * @param x a vector of length p
     * @return aᵀx
     */
    static double[] transposeTimes(DMatrixRMaj a, double[] x) {
        return CommonOps_DDRM.multTransA(a, DMatrixRMaj.wrap(x.length, 1, x), null).data;
    }

    /**
     * The thin singular value decomposition A = U diag(s) Vᵀ, singular values in descending order.
     *
     * @param u p×r, orthonormal columns
     * @param s the r = min(p, q) singular values, descending
     * @param v q×r, orthonormal columns
     */
    record Svd(DMatrixRMaj u, double[] s, DMatrixRMaj v) {

        /**
         * @param a a p×q matrix (not modified)
         * @return its thin SVD
         */
        static Svd of(DMatrixRMaj a) {
            SingularValueDecomposition_F64<DMatrixRMaj> svd =
                    DecompositionFactory_DDRM.svd(a.numRows, a.numCols, true, true, true);
            if (!svd.decompose(a.copy())) {
                throw new ArithmeticException("the SVD of a " + a.numRows + "×" + a.numCols + " matrix did not converge");
            }
            DMatrixRMaj u = svd.getU(null, false);
            DMatrixRMaj w = svd.getW(null);
            DMatrixRMaj v = svd.getV(null, false);
            SingularOps_DDRM.descendingOrder(u, false, w, v, false);
            double[] s = new double[Math.min(w.numRows, w.numCols)];
            for (int i = 0; i < s.length; i++) {
                s[i] = w.get(i, i);
            }
            return new Svd(u, s, v);
        }

        /** @return the largest singular value */
        double max() {
            return s[0];
        }

        /**
         * @param i index, 0 for the largest
         * @return column i of U
         */
        double[] left(int i) {
            return CommonOps_DDRM.extractColumn(u, i, null).data;
        }

        /**
         * @param i index, 0 for the largest
         * @return column i of V
         */
        double[] right(int i) {
            return CommonOps_DDRM.extractColumn(v, i, null).data;
        }
    }
}
