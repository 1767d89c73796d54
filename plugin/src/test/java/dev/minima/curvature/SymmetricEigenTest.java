package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The ordered eigenpairs on top of EJML: order, eigen-equation, tridiagonal input and symmetric powers. */
class SymmetricEigenTest {

    @Test
    void eigenpairsComeInAscendingOrderAndSatisfyTheEigenEquation() {
        // the path-graph Laplacian's tridiagonal part: eigenvalues 2 − 2cos(kπ/(n+1)), k = 1..n
        int n = 7;
        double[] diag = new double[n];
        double[] off = new double[n - 1];
        java.util.Arrays.fill(diag, 2.0);
        java.util.Arrays.fill(off, -1.0);
        SymmetricEigen t = SymmetricEigen.ofTridiagonal(diag, off);
        double[][] dense = new double[n][n];
        for (int i = 0; i < n; i++) {
            dense[i][i] = 2;
            if (i + 1 < n) {
                dense[i][i + 1] = -1;
                dense[i + 1][i] = -1;
            }
        }
        SymmetricEigen d = SymmetricEigen.of(dense);
        for (int k = 1; k <= n; k++) {
            double expected = 2 - 2 * Math.cos(k * Math.PI / (n + 1));
            assertEquals(expected, t.value(k - 1), 1e-14);
            assertEquals(expected, d.value(k - 1), 1e-14);
            double[] v = d.vector(k - 1);
            double norm = 0;
            for (int i = 0; i < n; i++) {
                double av = 2 * v[i] - (i > 0 ? v[i - 1] : 0) - (i + 1 < n ? v[i + 1] : 0);
                assertEquals(expected * v[i], av, 1e-13, "A v = λ v");
                norm += v[i] * v[i];
            }
            assertEquals(1.0, norm, 1e-14, "unit eigenvector");
            assertEquals(v[3], d.vectors()[3][k - 1], 0.0, "vectors() holds the eigenvectors as columns");
        }
        assertEquals(d.value(0), d.min(), 0.0);
        assertEquals(d.value(n - 1), d.max(), 0.0);
    }

    @Test
    void symmetricPowersMultiplyOut() {
        double[][] s = {{4, 1, 0}, {1, 3, 1}, {0, 1, 2}};
        double[][] half = SymmetricEigen.of(s).power(0.5);
        double[][] minusHalf = SymmetricEigen.of(s).power(-0.5);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double hh = 0;
                double hm = 0;
                for (int k = 0; k < 3; k++) {
                    hh += half[i][k] * half[k][j];
                    hm += half[i][k] * minusHalf[k][j];
                }
                assertEquals(s[i][j], hh, 1e-14, "S^½ S^½ = S");
                assertEquals(i == j ? 1 : 0, hm, 1e-14, "S^½ S^−½ = I");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{1, 0}, {0, -1}}).power(0.5));
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{1, 0}, {0, 0}}).power(-0.5));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{1, 2}, {2}}));
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{Double.NaN}}));
        assertThrows(IllegalArgumentException.class,
                () -> SymmetricEigen.ofTridiagonal(new double[] {1, 2, 3}, new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> SymmetricEigen.ofTridiagonal(new double[] {1, Double.POSITIVE_INFINITY}, new double[] {1}));
    }
}
