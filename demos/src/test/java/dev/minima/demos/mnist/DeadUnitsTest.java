package dev.minima.demos.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.util.Pair;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadUnitsTest {

    /**
     * Inputs with positive coordinates through Linear(4) -> ReLU -> Linear(2) -> ReLU -> Linear(1), weights set by
     * hand: in layer 1 unit 0 copies x_0 (alive), unit 1 has bias -100 (dead), unit 2 computes -x_0 - x_1 (dead on
     * positive inputs), unit 3 copies x_1 (alive): 2 of 4 dead. Layer 2: unit 0 sums the live units (alive), unit 1
     * is their negative sum (dead): 1 of 2.
     */
    @Test
    void countsUnitsThatAreZeroOnEveryInput() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = new SequentialBlock()
                    .add(Linear.builder().setUnits(4).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(2).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(1).build());
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
            List<float[]> values = List.of(
                    new float[] {1, 0, 0, 0, -1, -1, 0, 1}, new float[] {0, -100, 0, 0},
                    new float[] {1, 0, 1, 1, -1, 0, -1, -1}, new float[] {0, 0},
                    new float[] {1, 1}, new float[] {0});
            int i = 0;
            for (Pair<String, ai.djl.nn.Parameter> p : block.getParameters()) {
                p.getValue().getArray().set(values.get(i++));
            }
            NDArray x = manager.create(new float[] {0.5f, 0.2f, 1f, 3f, 0.1f, 0.7f}, new Shape(3, 2));
            assertArrayEquals(new double[] {0.5, 0.5}, DeadUnits.fractions(block, x), 0);
        }
    }

    @Test
    void refusesABlockThatIsNotAStack() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.ones(new Shape(2, 2));
            assertThrows(IllegalArgumentException.class, () -> DeadUnits.fractions(Linear.builder().setUnits(1)
                    .build(), x));
        }
    }
}
