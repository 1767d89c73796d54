package dev.minima;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.function.Function;

/** Small seeded models and data for tests. */
public final class TestModels {

    private TestModels() {}

    /**
     * @param manager manager of the parameters
     * @param dataType float32 or float64
     * @param seed libtorch seed for the initialisers
     * @param activation activation between layers
     * @param inputDim input dimension
     * @param widths output sizes of each Linear layer
     * @return an initialised MLP
     */
    public static Block mlp(NDManager manager, DataType dataType, long seed,
            Function<NDList, NDList> activation, int inputDim, int... widths) {
        SequentialBlock b = new SequentialBlock();
        for (int i = 0; i < widths.length; i++) {
            b.add(Linear.builder().setUnits(widths[i]).build());
            if (i < widths.length - 1) {
                b.add(activation);
            }
        }
        Engine.getInstance().setRandomSeed((int) seed);
        b.initialize(manager, dataType, new Shape(1, inputDim));
        return b;
    }

    /** @return tanh, a smooth activation */
    public static Function<NDList, NDList> tanh() {
        return Activation::tanh;
    }

    /** @return relu */
    public static Function<NDList, NDList> relu() {
        return Activation::relu;
    }

    /**
     * @param manager manager
     * @param seed seed
     * @param rows rows
     * @param cols columns
     * @param dataType type
     * @return a standard normal matrix, libtorch-owned
     */
    public static NDArray normal(NDManager manager, long seed, int rows, int cols, DataType dataType) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = dev.minima.util.SeededRandom.gaussian(r);
        }
        return dev.minima.autograd.NativeArrays.of(manager, v, new Shape(rows, cols), dataType);
    }
}
