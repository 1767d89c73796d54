package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Plain Java dense linear algebra for independent reference values in tests. */
final class Dense {

    private Dense() {}

    static double[] matVec(double[][] a, double[] v) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double s = 0;
            for (int j = 0; j < v.length; j++) {
                s += a[i][j] * v[j];
            }
            r[i] = s;
        }
        return r;
    }

    static double[][] matMul(double[][] a, double[][] b) {
        int n = a.length;
        int m = b[0].length;
        int k = b.length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    s += a[i][l] * b[l][j];
                }
                c[i][j] = s;
            }
        }
        return c;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    static double[][] identity(int n) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            a[i][i] = 1;
        }
        return a;
    }

    static double frobenius2(double[][] a) {
        double s = 0;
        for (double[] row : a) {
            for (double x : row) {
                s += x * x;
            }
        }
        return s;
    }

    static double maxAbs(double[][] a) {
        double m = 0;
        for (double[] row : a) {
            for (double x : row) {
                m = Math.max(m, Math.abs(x));
            }
        }
        return m;
    }

    static double[] flatten(double[][]... blocks) {
        int n = 0;
        for (double[][] b : blocks) {
            for (double[] row : b) {
                n += row.length;
            }
        }
        double[] out = new double[n];
        int k = 0;
        for (double[][] b : blocks) {
            for (double[] row : b) {
                for (double x : row) {
                    out[k++] = x;
                }
            }
        }
        return out;
    }

    /** Asserts |a_ij − b_ij| ≤ tol · max(1, max|b|) for every entry. */
    static void assertMatrixEquals(double[][] expected, double[][] actual, double tol, String what) {
        double scale = Math.max(1, maxAbs(expected));
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(expected[i][j], actual[i][j], tol * scale, what + " entry (" + i + "," + j + ")");
            }
        }
    }

    static void assertVectorEquals(double[] expected, double[] actual, double tol, String what) {
        double scale = 1;
        for (double x : expected) {
            scale = Math.max(scale, Math.abs(x));
        }
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * scale, what + " entry " + i);
        }
    }

    /** Applies an operator to a Java vector. */
    static double[] apply(SymmetricOperator op, double[] v) {
        try (NDManager m = NDManager.newBaseManager(op.device(), "PyTorch")) {
            NDArray x = Vectors.of(m, v, op.dataType());
            return Vectors.toDoubles(op.apply(x));
        }
    }

    static double[] gaussian(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = dev.minima.util.SeededRandom.gaussian(r);
        }
        return v;
    }

    static DataType f64() {
        return DataType.FLOAT64;
    }
}
