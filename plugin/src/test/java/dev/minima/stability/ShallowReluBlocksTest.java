package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Round trip between DJL blocks (PyTorch engine, CPU) and {@link ShallowReluNetwork}.
 *
 * <p>Tolerances: float64 blocks agree with the Java evaluation to 1e-12 relative (same arithmetic, other
 * order); float32 blocks to 1e-5 relative (weights and inputs rounded to 24-bit mantissas, k ≤ 16 terms).
 */
class ShallowReluBlocksTest {

    private static double[] forward(Block block, NDManager m, double[][] x, DataType type) {
        int n = x.length;
        int d = x[0].length;
        double[] flat = new double[n * d];
        for (int j = 0; j < n; j++) {
            System.arraycopy(x[j], 0, flat, j * d, d);
        }
        NDArray in = m.create(flat, new Shape(n, d)).toType(type, false);
        NDArray out = block.forward(new ParameterStore(m, false), new NDList(in), false).singletonOrThrow();
        return out.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    @Test
    void roundTripMatchesJavaEvaluation() {
        Random rng = new Random(17);
        try (NDManager m = NDManager.newBaseManager()) {
            for (DataType type : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                for (boolean hb : new boolean[] {true, false}) {
                    for (boolean ob : new boolean[] {true, false}) {
                        ShallowReluNetwork net = Fixtures.randomNetwork(rng, 16, 3, hb, ob);
                        SequentialBlock block = ShallowReluBlocks.toBlock(net, m, type);
                        double[][] x = Fixtures.gaussianData(rng, 20, 3);
                        double[] y = forward(block, m, x, type);
                        double tol = type == DataType.FLOAT64 ? 1e-12 : 1e-5;
                        for (int j = 0; j < x.length; j++) {
                            double f = net.evaluate(x[j]);
                            assertEquals(f, y[j], tol * (1 + Math.abs(f)), type + " hb=" + hb + " ob=" + ob);
                        }
                        ShallowReluNetwork back = ShallowReluBlocks.read(block);
                        assertEquals(hb, back.hasHiddenBias());
                        assertEquals(ob, back.hasOutputBias());
                        if (type == DataType.FLOAT64) {
                            assertEquals(net, back);
                        } else {
                            double[] a = net.parameters();
                            double[] b = back.parameters();
                            for (int p = 0; p < a.length; p++) {
                                assertEquals(a[p], b[p], 1e-6 * (1 + Math.abs(a[p])));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void readsAHandBuiltBlockWithAnonymousReluLambda() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock block = new SequentialBlock()
                    .add(Linear.builder().setUnits(7).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(1).optBias(false).build());
            block.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            ShallowReluNetwork net = ShallowReluBlocks.read(block);
            assertEquals(7, net.width());
            assertEquals(2, net.inputDimension());
            assertNull(net.outputBias());
            double[][] x = {{0.3, -1.2}, {2.0, 0.5}, {-1, -1}};
            double[] y = forward(block, m, x, DataType.FLOAT32);
            for (int j = 0; j < x.length; j++) {
                assertEquals(net.evaluate(x[j]), y[j], 1e-5 * (1 + Math.abs(y[j])));
            }
        }
    }

    @Test
    void rejectsOtherBlocks() {
        try (NDManager m = NDManager.newBaseManager()) {
            ShallowReluNetworkTest.assertMessage(() -> ShallowReluBlocks.read(Linear.builder().setUnits(1).build()),
                    "expected SequentialBlock");
            SequentialBlock sigmoid = new SequentialBlock()
                    .add(Linear.builder().setUnits(3).build())
                    .add(Activation.sigmoidBlock())
                    .add(Linear.builder().setUnits(1).build());
            sigmoid.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            ShallowReluNetworkTest.assertMessage(() -> ShallowReluBlocks.read(sigmoid), "not ReLU");
            SequentialBlock deep = new SequentialBlock()
                    .add(Linear.builder().setUnits(3).build())
                    .add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(3).build())
                    .add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(1).build());
            ShallowReluNetworkTest.assertMessage(() -> ShallowReluBlocks.read(deep), "5 children");
            SequentialBlock twoOut = new SequentialBlock()
                    .add(Linear.builder().setUnits(3).build())
                    .add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(2).build());
            twoOut.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            ShallowReluNetworkTest.assertMessage(() -> ShallowReluBlocks.read(twoOut), "setUnits(1)");
            SequentialBlock fresh = new SequentialBlock()
                    .add(Linear.builder().setUnits(3).build())
                    .add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(1).build());
            ShallowReluNetworkTest.assertMessage(() -> ShallowReluBlocks.read(fresh), "not initialized");
            ShallowReluNetwork net = ShallowReluNetwork.univariate(new double[] {1}, null, new double[] {1}, null);
            ShallowReluNetworkTest.assertMessage(() -> ShallowReluBlocks.toBlock(net, m, DataType.INT32), "FLOAT32");
        }
    }
}
