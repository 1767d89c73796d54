package dev.minima.linear;

import static dev.minima.linear.LinearTestData.relative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GainAscentTest {

    @Test
    void linearGainsAreTheSpectralNormsOfThePartialProducts() {
        double[][] t = LinearTestData.matrixWithSingularValues(new double[] {2.2, 1.1, 0.7, 0.3}, 4, 4,
                new SplittableRandom(1));
        DeepLinearMinima minima = DeepLinearMinima.builder().setTarget(t).setDepth(4).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            // arbitrary minimum: large intermediate gains, found exactly
            DeepLinearNetwork arbitrary = minima.arbitrary(5);
            GainProfile g = GainAscent.builder().optStarts(8).optSeed(3).build()
                    .run(arbitrary.toBlock(manager, DataType.FLOAT64), new Shape(4));
            assertArrayEquals(new int[] {1, 2, 3, 4}, g.cutPoints());
            for (int k = 1; k <= 4; k++) {
                double expected = LinearTestData.spectralNorm(arbitrary.prefix(k));
                assertTrue(relative(expected, g.maxGains()[k - 1]) < 1e-9,
                        "layer " + k + ": " + g.maxGains()[k - 1] + " vs σ_max(P_k) = " + expected);
            }
            assertTrue(relative(2.2, g.topSignalGains()[3]) < 1e-9);
            assertEquals(1.0, Dense.norm(g.topSignal()), 1e-12);
            // flattest minimum: the top signal v gains σ^{k/m} at every layer (Theorem 2(i), through DJL)
            GainProfile flat = GainAscent.builder().optStarts(8).optRadius(3.0).build()
                    .run(minima.canonical().toBlock(manager, DataType.FLOAT64), new Shape(4));
            for (int k = 1; k <= 4; k++) {
                assertTrue(relative(Math.pow(2.2, k / 4.0), flat.topSignalGains()[k - 1]) < 1e-9);
                assertTrue(relative(Math.pow(2.2, k / 4.0), flat.maxGains()[k - 1]) < 1e-9);
            }
            System.out.printf("gains (arbitrary minimum, d=4 m=4): %s; iterations %s%n",
                    java.util.Arrays.toString(g.maxGains()), java.util.Arrays.toString(g.iterations()));
        }
    }

    @Test
    void reluGainsMatchABruteForceSearchOverTheCircle() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = new SequentialBlock()
                    .add(Linear.builder().setUnits(3).optBias(false).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(2).optBias(false).build());
            ai.djl.engine.Engine.getInstance().setRandomSeed(7);
            block.initialize(manager, DataType.FLOAT64, new Shape(1, 2));
            double[][] w1 = weight(block, 0);
            double[][] w2 = weight(block, 2);
            GainProfile g = GainAscent.builder().optStarts(16).optSeed(1).build().run(block, new Shape(2));
            assertArrayEquals(new int[] {2, 3}, g.cutPoints());
            double best1 = 0;
            double best2 = 0;
            int n = 400_000;
            for (int i = 0; i < n; i++) {
                double phi = 2 * Math.PI * i / n;
                double[] h = LinearTestData.multiply(w1, new double[] {Math.cos(phi), Math.sin(phi)});
                for (int j = 0; j < h.length; j++) {
                    h[j] = Math.max(0, h[j]);
                }
                best1 = Math.max(best1, Dense.norm(h));
                best2 = Math.max(best2, Dense.norm(LinearTestData.multiply(w2, h)));
            }
            System.out.printf("ReLU gains: ascent %s vs brute force [%.9f, %.9f]%n",
                    java.util.Arrays.toString(g.maxGains()), best1, best2);
            // the grid (spacing 1.6e-5 rad) under-estimates a maximum at a kink by at most ~1.6e-5 relative
            assertTrue(relative(best1, g.maxGains()[0]) < 2e-5, g.maxGains()[0] + " vs " + best1);
            assertTrue(relative(best2, g.maxGains()[1]) < 2e-5, g.maxGains()[1] + " vs " + best2);
            assertTrue(g.maxGains()[0] >= best1 * (1 - 1e-12) && g.maxGains()[1] >= best2 * (1 - 1e-12),
                    "ascent is at least as good as the grid");
            assertTrue(g.topSignalGains()[1] == g.maxGains()[1]);
        }
    }

    @Test
    void inputGradientIsExactWithGarbageCollectionBetweenForwardAndBackward() {
        SplittableRandom random = new SplittableRandom(4);
        DeepLinearNetwork net = DeepLinearNetwork.of(RandomMatrices.gaussian(5, 3, random).get2DData(), RandomMatrices.gaussian(4, 5, random).get2DData());
        double[][] p = net.product();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = net.toBlock(manager, DataType.FLOAT64);
            List<Block> layers = new ArrayList<>(block.getChildren().values());
            GainAscent ascent = GainAscent.builder().optStarts(4).build();
            ascent.betweenForwardAndBackward = System::gc;
            ParameterStore store = new ParameterStore(manager, false);
            for (int rep = 0; rep < 20; rep++) {
                double[][] x = RandomMatrices.gaussian(3, 3, random).get2DData();
                double[] f = new double[3];
                double[][] g = new double[3][];
                ascent.valueAndGradient(layers, store, manager, x, new Shape(3), DataType.FLOAT64, f, g);
                for (int r = 0; r < 3; r++) {
                    double[] px = LinearTestData.multiply(p, x[r]);
                    double[] expected = LinearTestData.multiply(LinearTestData.transpose(p), px); // ∇‖Px‖² = 2PᵀPx
                    assertEquals(Dense.dot(px, px), f[r], 1e-12 * f[r]);
                    for (int i = 0; i < 3; i++) {
                        assertEquals(2 * expected[i], g[r][i], 1e-12 * Dense.norm(expected), "rep " + rep);
                    }
                }
            }
            ascent.betweenForwardAndBackward = System::gc;
            GainProfile gp = ascent.run(block, new Shape(3));
            assertTrue(relative(LinearTestData.spectralNorm(p), gp.maxGains()[1]) < 1e-9);
        }
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> GainAscent.builder().optStarts(0));
        assertThrows(IllegalArgumentException.class, () -> GainAscent.builder().optRadius(-1));
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = DeepLinearNetwork.of(new double[][] {{1, 0}}).toBlock(manager, DataType.FLOAT64);
            assertThrows(IllegalArgumentException.class,
                    () -> GainAscent.builder().optCutPoints(2).build().run(block, new Shape(2)));
            SequentialBlock empty = new SequentialBlock().add(Activation::relu);
            assertThrows(IllegalArgumentException.class, () -> GainAscent.builder().build().run(empty, new Shape(2)));
        }
    }

    private static double[][] weight(SequentialBlock block, int child) {
        ai.djl.ndarray.NDArray a = block.getChildren().get(child).getValue().getParameters().get(0).getValue()
                .getArray();
        int rows = (int) a.getShape().get(0);
        int cols = (int) a.getShape().get(1);
        double[] flat = a.toDoubleArray();
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * cols, m[i], 0, cols);
        }
        return m;
    }
}
