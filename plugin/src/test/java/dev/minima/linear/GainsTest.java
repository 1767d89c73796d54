package dev.minima.linear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.minima.linalg.SymmetricEigen;
import org.junit.jupiter.api.Test;

class GainsTest {

    private static SequentialBlock net(NDManager m, boolean relu, boolean bias, int inputDim, int... widths) {
        SequentialBlock b = new SequentialBlock();
        for (int i = 0; i < widths.length; i++) {
            b.add(Linear.builder().setUnits(widths[i]).optBias(bias).build());
            if (relu && i < widths.length - 1) {
                b.add(Activation::relu);
            }
        }
        Engine.getInstance().setRandomSeed(11);
        b.initialize(m, DataType.FLOAT64, new Shape(1, inputDim));
        return b;
    }

    private static double[][] weight(SequentialBlock b, int layer) {
        var w = b.getChildren().get(layer).getValue().getParameters().get("weight").getArray();
        long rows = w.getShape().get(0);
        long cols = w.getShape().get(1);
        double[] flat = w.toDoubleArray();
        double[][] out = new double[(int) rows][(int) cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, (int) (r * cols), out[r], 0, (int) cols);
        }
        return out;
    }

    private static double[][] mul(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int k = 0; k < b.length; k++) {
                for (int j = 0; j < b[0].length; j++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }

    private static double sigmaMax(double[][] p) {
        double[][] pt = new double[p[0].length][p.length];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p[0].length; j++) {
                pt[j][i] = p[i][j];
            }
        }
        return Math.sqrt(SymmetricEigen.of(mul(pt, p)).max());
    }

    /**
     * A linear network's gain up to layer k is σ_max(W_k⋯W_1) (paper 001, Theorem 2's setting): the ascent is
     * a shifted power method on P_kᵀP_k, so after 150 steps it agrees with the dense eigen-decomposition to
     * near machine precision (1e-8 relative leaves room for a slow eigen-gap). A GC between every forward
     * and backward pass must not change the numbers.
     */
    @Test
    void linearNetworkGainsAreTheTopSingularValuesOfPartialProducts() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock b = net(m, false, false, 5, 4, 6, 3);
            Gains gains = Gains.builder().optStarts(4).optSteps(150).optRadius(2.5).optSeed(3).build();
            gains.beforeBackward(System::gc);
            Gains.GainProfile p = gains.profile(b, 5);
            double[][] prod = weight(b, 0);
            for (int k = 0; k < 3; k++) {
                if (k > 0) {
                    prod = mul(weight(b, k), prod);
                }
                double expected = sigmaMax(prod);
                assertEquals(expected, p.maxGains()[k], 1e-8 * expected, "layer " + (k + 1));
            }
            assertEquals(p.maxGains()[2], p.topSignalGains()[2], 1e-12, "the top signal is the end-to-end maximiser");
            assertEquals(3, p.depth());
        }
    }

    /** Without biases a ReLU network is positively homogeneous: the gains do not depend on the radius. */
    @Test
    void biasFreeReluGainsDoNotDependOnTheRadius() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock b = net(m, true, false, 6, 8, 8, 4);
            double[] small = Gains.builder().optRadius(0.1).optSteps(30).optSeed(5).build().profile(b, 6).maxGains();
            double[] large = Gains.builder().optRadius(100).optSteps(30).optSeed(5).build().profile(b, 6).maxGains();
            assertArrayEquals(small, large, 1e-9);
            for (double g : small) {
                assertTrue(g > 0 && Double.isFinite(g), "gain " + g);
            }
        }
    }

    /** The reported gain is a maximum over the iterates, so it is at least the gain of any start. */
    @Test
    void reluGainIsAtLeastTheGainOfRandomInputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock b = net(m, true, true, 6, 8, 5);
            double zeroSteps = Gains.builder().optSteps(0).optStarts(10).optRadius(3).optSeed(9).build()
                    .profile(b, 6).maxGains()[1];
            double ascended = Gains.builder().optSteps(50).optStarts(10).optRadius(3).optSeed(9).build()
                    .profile(b, 6).maxGains()[1];
            assertTrue(ascended >= zeroSteps, ascended + " < " + zeroSteps);
        }
    }

    @Test
    void badInputIsRefusedWithTheFix() {
        assertThrows(IllegalArgumentException.class, () -> Gains.builder().optStarts(0));
        assertThrows(IllegalArgumentException.class, () -> Gains.builder().optRadius(-1));
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock b = net(m, false, false, 3, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Gains.builder().build().profile(b, 0));
            assertTrue(e.getMessage().contains("input dimension"), e.getMessage());
            SequentialBlock empty = new SequentialBlock().add(Activation::relu);
            e = assertThrows(IllegalArgumentException.class, () -> Gains.builder().build().profile(empty, 3));
            assertTrue(e.getMessage().contains("no layer with parameters"), e.getMessage());
        }
    }
}
