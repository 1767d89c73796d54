package dev.minima.linear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DeepLinearNetworkTest {

    @Test
    void blockRoundTripIsExactAndComputesTheProduct() {
        SplittableRandom random = new SplittableRandom(3);
        DeepLinearNetwork net = DeepLinearNetwork.of(RandomMatrices.gaussian(4, 3, random).get2DData(), RandomMatrices.gaussian(5, 4, random).get2DData(),
                RandomMatrices.gaussian(2, 5, random).get2DData());
        assertArrayEquals(new int[] {3, 4, 5, 2}, net.widths());
        assertEquals(12 + 20 + 10, net.parameterCount());
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = net.toBlock(manager, DataType.FLOAT64);
            DeepLinearNetwork back = DeepLinearNetwork.fromBlock(block);
            assertArrayEquals(net.flatten(), back.flatten(), 0.0);
            // the flat order is ParameterSpace's order
            assertArrayEquals(net.flatten(), Vectors.toDoubles(ParameterSpace.of(block).values(manager)), 0.0);
            double[][] x = RandomMatrices.gaussian(6, 3, random).get2DData();
            NDArray out = block.forward(new ParameterStore(manager, false),
                    new NDList(LinearTestData.array(manager, x)), false).singletonOrThrow();
            double[] got = out.toDoubleArray();
            double[][] expected = LinearTestData.multiply(x, LinearTestData.transpose(net.product()));
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 2; j++) {
                    assertEquals(expected[i][j], got[i * 2 + j], 1e-13);
                }
            }
            // float32 blocks read back to float32 precision
            DeepLinearNetwork single = DeepLinearNetwork.fromBlock(net.toBlock(manager, DataType.FLOAT32));
            assertArrayEquals(net.flatten(), single.flatten(), 1e-6 * 4);
        }
        assertArrayEquals(net.flatten(), DeepLinearNetwork.fromFlat(net.widths(), net.flatten()).flatten(), 0.0);
    }

    @Test
    void productsAndPrefixesFollowThePapersNumbering() {
        double[][] w1 = {{2, 0}, {0, 3}};
        double[][] w2 = {{1, 1}};
        DeepLinearNetwork net = DeepLinearNetwork.of(w1, w2);
        assertArrayEquals(new double[] {2, 3}, net.product()[0], 0.0);
        assertArrayEquals(new double[] {1, 0}, net.prefix(0)[0], 0.0);
        assertArrayEquals(w1[1], net.prefix(1)[1], 0.0);
        assertArrayEquals(w2[0], net.suffix(1)[0], 0.0);
        assertArrayEquals(new double[] {2, 3}, net.suffix(0)[0], 0.0);
        assertEquals(1.0, net.suffix(2)[0][0], 0.0);
        assertEquals(3.0, net.spectralNorm(1), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> net.weight(0));
        assertThrows(IllegalArgumentException.class, () -> net.prefix(3));
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException chain = assertThrows(IllegalArgumentException.class,
                () -> DeepLinearNetwork.of(new double[2][3], new double[2][4]));
        assertTrue(chain.getMessage().contains("W_2"), chain.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> DeepLinearNetwork.of(new double[][] {{1, Double.NaN}}));
        assertTrue(nan.getMessage().contains("non-finite"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeepLinearNetwork.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> DeepLinearNetwork.of(new double[][] {{1, 2}, {3}}));
        assertThrows(IllegalArgumentException.class, () -> DeepLinearNetwork.fromFlat(new int[] {2, 2}, new double[3]));
        DeepLinearNetwork net = DeepLinearNetwork.of(new double[][] {{1, 2}, {3, 4}}, new double[][] {{1, 0}});
        assertThrows(IllegalArgumentException.class, () -> net.withHiddenBasis(List.of()));
        assertThrows(IllegalArgumentException.class, () -> net.withHiddenBasis(java.util.Collections.singletonList(new double[][] {{1, 1}, {1, 1}})));
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock withBias = new SequentialBlock().add(Linear.builder().setUnits(2).build());
            withBias.initialize(manager, DataType.FLOAT64, new Shape(1, 2));
            IllegalArgumentException bias = assertThrows(IllegalArgumentException.class,
                    () -> DeepLinearNetwork.fromBlock(withBias));
            assertTrue(bias.getMessage().contains("optBias(false)"), bias.getMessage());
            SequentialBlock relu = new SequentialBlock().add(Linear.builder().setUnits(2).optBias(false).build())
                    .add(Activation::relu).add(Linear.builder().setUnits(1).optBias(false).build());
            relu.initialize(manager, DataType.FLOAT64, new Shape(1, 2));
            assertThrows(IllegalArgumentException.class, () -> DeepLinearNetwork.fromBlock(relu));
            SequentialBlock uninitialised = new SequentialBlock().add(Linear.builder().setUnits(2).optBias(false)
                    .build());
            assertThrows(IllegalArgumentException.class, () -> DeepLinearNetwork.fromBlock(uninitialised));
        }
    }
}
