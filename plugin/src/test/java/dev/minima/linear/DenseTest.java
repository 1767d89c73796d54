package dev.minima.linear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.MatrixFeatures_DDRM;
import org.junit.jupiter.api.Test;

/** The thin, ordered SVD, the checked conversions and the seeded random matrices of the deep-linear code. */
class DenseTest {

    @Test
    void thinSvdIsDescendingAndReconstructs() {
        SplittableRandom random = new SplittableRandom(3);
        for (int[] shape : new int[][] {{5, 3}, {3, 5}, {4, 4}}) {
            DMatrixRMaj a = RandomMatrices.gaussian(shape[0], shape[1], random);
            Dense.Svd svd = Dense.Svd.of(a);
            int r = Math.min(shape[0], shape[1]);
            assertEquals(r, svd.s().length);
            for (int j = 1; j < r; j++) {
                assertTrue(svd.s()[j - 1] >= svd.s()[j], "descending order");
            }
            DMatrixRMaj us = svd.u().copy();
            for (int i = 0; i < us.numRows; i++) {
                for (int j = 0; j < r; j++) {
                    us.set(i, j, us.get(i, j) * svd.s()[j]);
                }
            }
            assertTrue(MatrixFeatures_DDRM.isIdentical(a, CommonOps_DDRM.multTransB(us, svd.v(), null), 1e-13));
            assertTrue(MatrixFeatures_DDRM.isOrthogonal(svd.u(), 1e-13));
            assertTrue(MatrixFeatures_DDRM.isOrthogonal(svd.v(), 1e-13));
            // A v_0 = σ_0 u_0
            double[] av = Dense.times(a, svd.right(0));
            for (int i = 0; i < av.length; i++) {
                assertEquals(svd.max() * svd.left(0)[i], av[i], 1e-13);
            }
        }
    }

    @Test
    void randomOrthogonalIsOrthogonalWithAPositiveRDiagonal() {
        DMatrixRMaj q = RandomMatrices.orthogonal(6, new SplittableRandom(1));
        assertTrue(MatrixFeatures_DDRM.isIdentical(CommonOps_DDRM.identity(6),
                CommonOps_DDRM.multTransA(q, q, null), 1e-14));
        // Q is Gram–Schmidt of the same Gaussian columns: Qᵀ G is upper triangular with a positive diagonal
        DMatrixRMaj g = RandomMatrices.gaussian(6, 6, new SplittableRandom(1));
        DMatrixRMaj r = CommonOps_DDRM.multTransA(q, g, null);
        for (int i = 0; i < 6; i++) {
            assertTrue(r.get(i, i) > 0, "positive diagonal");
            for (int j = 0; j < i; j++) {
                assertEquals(0.0, r.get(i, j), 1e-13, "upper triangular");
            }
        }
    }

    @Test
    void checksNameTheProblem() {
        assertThrows(IllegalArgumentException.class, () -> Dense.checked("W", new double[][] {{1, Double.NaN}}));
        assertThrows(IllegalArgumentException.class, () -> Dense.checked("W", new double[][] {{1, 2}, {3}}));
        assertThrows(IllegalArgumentException.class, () -> Dense.checked("W", new double[0][0]));
        assertThrows(IllegalArgumentException.class,
                () -> Dense.inverse("G", new DMatrixRMaj(new double[][] {{1, 2}, {2, 4}})));
        DMatrixRMaj a = new DMatrixRMaj(new double[][] {{2, 1}, {1, 3}});
        assertTrue(MatrixFeatures_DDRM.isIdentical(CommonOps_DDRM.identity(2),
                CommonOps_DDRM.mult(a, Dense.inverse("A", a), null), 1e-15));
    }
}
