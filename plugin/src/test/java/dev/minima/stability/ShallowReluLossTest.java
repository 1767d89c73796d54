package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.loss.Losses;
import dev.minima.util.GarbageCollection;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShallowReluLossTest {

    /** A DJL Linear(k) → ReLU → Linear(1) block in float64 holding θ = [W; b; v; c]. */
    static Block block(NDManager m, double[] theta, int k, int d) {
        SequentialBlock b = new SequentialBlock()
                .add(Linear.builder().setUnits(k).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(1).build());
        b.initialize(m, DataType.FLOAT64, new Shape(1, d));
        ParameterSpace.of(b).assign(Vectors.of(m, theta, DataType.FLOAT64));
        return b;
    }

    static double[][] gaussianRows(SplittableRandom r, int n, int d) {
        double[][] x = new double[n][d];
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < d; l++) {
                x[j][l] = SeededRandom.gaussian(r);
            }
        }
        return x;
    }

    /**
     * The plain-Java gradient equals the gradient DJL computes through the autograd bridge on a block holding the
     * same weights (float64: both sum the same few products, so they agree to rounding, far below 1e-12).
     * System.gc() runs between DJL's forward and backward passes.
     */
    @Test
    void gradientEqualsBridgeGradientOfTheDjlBlock() {
        check(10, 1, 80, 1.0, 11); // the papers' univariate size: 241 parameters
        check(30, 5, 7, 3.0, 12); // multivariate, large init (many active and dead units)
    }

    private static void check(int n, int d, int k, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = gaussianRows(r, n, d);
        double[] y = new double[n];
        for (int j = 0; j < n; j++) {
            y[j] = 2 * r.nextDouble() - 1;
        }
        double[] theta = ShallowReluInit.pytorchDefault(k, d, scale, seed);
        ShallowReluLoss loss = ShallowReluLoss.of(x, y, k);
        double[] g = new double[theta.length];
        double value = loss.lossAndGradient(theta, g);

        try (NDManager m = NDManager.newBaseManager()) {
            double[] flatX = new double[n * d];
            for (int j = 0; j < n; j++) {
                System.arraycopy(x[j], 0, flatX, j * d, d);
            }
            NDArray xs = NativeArrays.of(m, flatX, new Shape(n, d), DataType.FLOAT64);
            NDArray ys = NativeArrays.of(m, y, new Shape(n, 1), DataType.FLOAT64);
            Block b = block(m, theta, k, d);
            try (Objective obj = Objective.builder().setBlock(b).setLoss(Losses.halfMse()).addBatch(xs, ys).build()) {
                assertEquals(obj.value(), value, 1e-14 * Math.max(1, value));
                AutogradBridge bridge = AutogradBridge.on(obj.space().device());
                double[][] djl = new double[1][];
                obj.forEachBatch(m, (l, w, s, batch) -> {
                    GarbageCollection.collect(); // freed Java-backed scalars would corrupt the backward pass here
                    djl[0] = Vectors.toDoubles(obj.space().flatten(bridge.gradient(l, obj.space().arrays(), false, s)));
                });
                double[] viaObjective = Vectors.toDoubles(obj.gradient(m));
                assertEquals(theta.length, djl[0].length);
                for (int i = 0; i < theta.length; i++) {
                    assertEquals(djl[0][i], g[i], 1e-12 * Math.max(1, Math.abs(g[i])), "component " + i);
                    assertEquals(viaObjective[i], g[i], 1e-12 * Math.max(1, Math.abs(g[i])), "component " + i);
                }
                assertEquals(value, loss.loss(theta), 1e-15 * Math.max(1, value));
            }
        }
    }

    /** Central differences of L: O(h²) error on a piecewise-quadratic L away from kinks. */
    @Test
    void gradientMatchesCentralDifferences() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 12;
        int d = 2;
        int k = 9;
        double[][] x = gaussianRows(r, n, d);
        double[] y = new double[n];
        for (int j = 0; j < n; j++) {
            y[j] = r.nextDouble();
        }
        ShallowReluLoss loss = ShallowReluLoss.of(x, y, k);
        double[] theta = ShallowReluInit.pytorchDefault(k, d, 1.0, 5);
        double[] g = new double[theta.length];
        loss.lossAndGradient(theta, g);
        double h = 1e-6;
        for (int i = 0; i < theta.length; i++) {
            double[] tp = theta.clone();
            double[] tm = theta.clone();
            tp[i] += h;
            tm[i] -= h;
            double fd = (loss.loss(tp) - loss.loss(tm)) / (2 * h);
            assertEquals(fd, g[i], 1e-8, "component " + i);
        }
    }

    @Test
    void predictsTheNetworkOutput() {
        // f(x) = 2·relu(x − 1) − relu(−x) + 0.5, k = 2, d = 1: θ = [w; b; v; c] = [1, −1; −1, 0; 2, −1; 0.5]
        double[] theta = {1, -1, -1, 0, 2, -1, 0.5};
        ShallowReluLoss loss = ShallowReluLoss.univariate(new double[] {0}, new double[] {0}, 2);
        assertEquals(0.5, loss.predict(theta, new double[] {0.5}), 0);
        assertEquals(2 * 2 + 0.5, loss.predict(theta, new double[] {3}), 0);
        assertEquals(-2 + 0.5, loss.predict(theta, new double[] {-2}), 0);
        // L at x = 0, y = 0: ½·0.5² = 0.125
        assertEquals(0.125, loss.loss(theta), 0);
    }

    @Test
    void networkImplementsTheSameFunction() {
        SplittableRandom r = new SplittableRandom(8);
        double[][] x = gaussianRows(r, 5, 3);
        ShallowReluLoss loss = ShallowReluLoss.of(x, new double[5], 6);
        double[] theta = ShallowReluInit.pytorchDefault(6, 3, 2.0, 8);
        ShallowReluNetwork net = loss.network(theta);
        assertEquals(6, net.width());
        assertEquals(3, net.inputDimension());
        org.junit.jupiter.api.Assertions.assertArrayEquals(theta, net.parameters(), 0);
        for (double[] p : gaussianRows(r, 10, 3)) {
            assertEquals(loss.predict(theta, p), net.evaluate(p), 1e-14);
        }
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShallowReluLoss.univariate(new double[] {0, 1}, new double[] {0}, 3));
        assertTrue(e.getMessage().contains("one target"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ShallowReluLoss.univariate(new double[] {0, Double.NaN}, new double[] {0, 1}, 3));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
        ShallowReluLoss ok = ShallowReluLoss.univariate(new double[] {0}, new double[] {0}, 3);
        e = assertThrows(IllegalArgumentException.class, () -> ok.loss(new double[5]));
        assertTrue(e.getMessage().contains("expected k·d + 2k + 1 = 10"), e.getMessage());
        assertTrue(ok.parameterCount() == 10);
    }
}
