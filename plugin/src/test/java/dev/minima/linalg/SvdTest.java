package dev.minima.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SvdTest {

    /** Backward-stable Jacobi: errors are a small multiple of machine epsilon (2.2e-16) times ‖A‖. */
    private static final double TOL = 1e-13;

    @Test
    void reconstructsTallWideAndSquareMatrices() {
        SplittableRandom random = new SplittableRandom(1);
        int[][] shapes = {{5, 3}, {3, 5}, {4, 4}, {1, 6}, {6, 1}, {9, 7}};
        for (int[] s : shapes) {
            double[][] a = Matrices.gaussian(s[0], s[1], random);
            Svd svd = Svd.of(a);
            int r = Math.min(s[0], s[1]);
            assertEquals(r, svd.size());
            double[][] us = svd.u();
            for (int i = 0; i < us.length; i++) {
                for (int j = 0; j < r; j++) {
                    us[i][j] *= svd.singularValue(j);
                }
            }
            double[][] back = Matrices.multiply(us, Matrices.transpose(svd.v()));
            double err = Matrices.frobeniusNorm(Matrices.subtract(back, a)) / Matrices.frobeniusNorm(a);
            assertTrue(err < TOL, "reconstruction error " + err + " for " + s[0] + "×" + s[1]);
            assertOrthonormalColumns(svd.u(), r);
            assertOrthonormalColumns(svd.v(), r);
            for (int j = 1; j < r; j++) {
                assertTrue(svd.singularValue(j - 1) >= svd.singularValue(j), "descending order");
            }
        }
    }

    @Test
    void singularValuesAreSquareRootsOfGramEigenvalues() {
        double[][] a = Matrices.gaussian(7, 4, new SplittableRandom(2));
        Svd svd = Svd.of(a);
        SymmetricEigen e = SymmetricEigen.of(Matrices.gramOfColumns(a));
        for (int i = 0; i < 4; i++) {
            double expected = Math.sqrt(e.value(3 - i));
            assertEquals(expected, svd.singularValue(i), 1e-12 * svd.max());
        }
    }

    @Test
    void rankDeficientMatrixKeepsOrthonormalFactors() {
        SplittableRandom random = new SplittableRandom(3);
        double[][] a = Matrices.multiply(Matrices.gaussian(5, 2, random), Matrices.gaussian(2, 4, random));
        Svd svd = Svd.of(a);
        assertEquals(2, svd.rank(1e-10));
        assertTrue(svd.singularValue(2) < 1e-14 * svd.max());
        assertOrthonormalColumns(svd.u(), 4);
        assertOrthonormalColumns(svd.v(), 4);
        double[][] zero = new double[3][2];
        Svd z = Svd.of(zero);
        assertEquals(0.0, z.max());
        assertOrthonormalColumns(z.u(), 2);
    }

    @Test
    void knownDiagonalCase() {
        Svd svd = Svd.of(new double[][] {{0, 3}, {-2, 0}, {0, 0}});
        assertEquals(3.0, svd.singularValue(0), 1e-15);
        assertEquals(2.0, svd.singularValue(1), 1e-15);
        assertEquals(1.0, Math.abs(svd.right(0)[1]), 1e-15);
        assertEquals(1.0, Math.abs(svd.left(1)[1]), 1e-15);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Svd.of(new double[][] {{1, Double.NaN}}));
        assertThrows(IllegalArgumentException.class, () -> Svd.of(new double[][] {{1, 2}, {3}}));
        assertThrows(IllegalArgumentException.class, () -> Svd.of(new double[0][0]));
    }

    @Test
    void inverseAndSymmetricPowers() {
        SplittableRandom random = new SplittableRandom(4);
        double[][] a = Matrices.gaussian(5, 5, random);
        double[][] id = Matrices.multiply(a, Matrices.inverse(a));
        assertTrue(Matrices.frobeniusNorm(Matrices.subtract(id, Matrices.identity(5))) < 1e-12);
        double[][] spd = Matrices.gramOfColumns(a);
        double[][] half = Matrices.symmetricPower(spd, 0.5);
        assertTrue(Matrices.frobeniusNorm(Matrices.subtract(Matrices.multiply(half, half), spd))
                < 1e-12 * Matrices.frobeniusNorm(spd));
        double[][] minusHalf = Matrices.symmetricPower(spd, -0.5);
        assertTrue(Matrices.frobeniusNorm(Matrices.subtract(Matrices.multiply(half, minusHalf), Matrices.identity(5)))
                < 1e-10);
        double[][] q = Matrices.randomOrthogonal(6, random);
        assertOrthonormalColumns(q, 6);
        assertThrows(IllegalArgumentException.class, () -> Matrices.inverse(new double[][] {{1, 2}, {2, 4}}));
    }

    static void assertOrthonormalColumns(double[][] m, int cols) {
        double[][] g = Matrices.gramOfColumns(m);
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                assertEquals(i == j ? 1.0 : 0.0, g[i][j], 1e-13, "Gram entry (" + i + "," + j + ")");
            }
        }
    }
}
