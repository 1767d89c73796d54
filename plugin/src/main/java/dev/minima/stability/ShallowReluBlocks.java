package dev.minima.stability;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * Converts between a DJL block and a {@link ShallowReluNetwork}.
 *
 * <p>The accepted block shape is {@code SequentialBlock[Linear(k), ReLU, Linear(1)]}, each Linear with or
 * without bias, where the middle child is a {@link LambdaBlock} (as made by {@link Activation#reluBlock()}
 * or {@code SequentialBlock.add(Activation::relu)}). A lambda cannot be introspected, so {@link #read}
 * checks its behaviour instead: it runs a probe through the middle block and requires the output to equal
 * max(x, 0). Weights are read in float32 or float64 and converted to double.
 */
public final class ShallowReluBlocks {

    /** Inputs of the ReLU probe; the output must be max(x, 0) on each. */
    private static final double[] PROBE = {-3.5, -1.0, -0.25, 0.0, 0.125, 0.5, 2.0, 7.0};

    private ShallowReluBlocks() {}

    /**
     * Reads the weights out of an initialized block.
     *
     * @param block a {@code SequentialBlock[Linear(k), ReLU lambda, Linear(1)]}, initialized
     * @return the network in double precision
     * @throws IllegalArgumentException naming what does not match and how to build an accepted block
     */
    public static ShallowReluNetwork read(Block block) {
        String expected = "expected SequentialBlock[Linear(k), ReLU (Activation.reluBlock()), Linear(1)]";
        if (!(block instanceof SequentialBlock)) {
            throw new IllegalArgumentException(
                    expected + ", got " + (block == null ? "null" : block.getClass().getSimpleName()));
        }
        List<Block> children = block.getChildren().values();
        if (children.size() != 3) {
            throw new IllegalArgumentException(
                    expected + ", got a SequentialBlock with " + children.size() + " children " + names(children));
        }
        if (!(children.get(0) instanceof Linear) || !(children.get(1) instanceof LambdaBlock)
                || !(children.get(2) instanceof Linear)) {
            throw new IllegalArgumentException(expected + ", got children " + names(children));
        }
        if (!block.isInitialized()) {
            throw new IllegalArgumentException(
                    "the block is not initialized: call block.initialize(manager, DataType.FLOAT32, new Shape(1, d))"
                            + " or train it before reading its weights");
        }
        Parameter w1p = children.get(0).getParameters().get("weight");
        Parameter b1p = children.get(0).getParameters().get("bias");
        Parameter w2p = children.get(2).getParameters().get("weight");
        Parameter b2p = children.get(2).getParameters().get("bias");
        NDArray w1a = w1p.getArray();
        NDArray w2a = w2p.getArray();
        Shape s1 = w1a.getShape();
        Shape s2 = w2a.getShape();
        if (s1.dimension() != 2 || s1.get(0) < 1 || s1.get(1) < 1) {
            throw new IllegalArgumentException("first Linear has weight shape " + s1 + ", expected (k, d) with k, d ≥ 1");
        }
        int k = Math.toIntExact(s1.get(0));
        int d = Math.toIntExact(s1.get(1));
        if (s2.dimension() != 2 || s2.get(0) != 1 || s2.get(1) != k) {
            throw new IllegalArgumentException(
                    "last Linear has weight shape " + s2 + ", expected (1, " + k + "): the output layer must be"
                            + " Linear.builder().setUnits(1) on the k = " + k + " hidden units");
        }
        double[] w1flat = toDoubles(w1a, "first Linear weight");
        double[][] w1 = new double[k][d];
        for (int i = 0; i < k; i++) {
            System.arraycopy(w1flat, i * d, w1[i], 0, d);
        }
        double[] b1 = b1p == null ? null : toDoubles(b1p.getArray(), "first Linear bias");
        double[] w2 = toDoubles(w2a, "last Linear weight");
        Double b2 = b2p == null ? null : toDoubles(b2p.getArray(), "last Linear bias")[0];
        checkRelu(children.get(1), w1a.getManager(), k);
        return ShallowReluNetwork.of(w1, b1, w2, b2);
    }

    /**
     * Builds an initialized {@code SequentialBlock[Linear(k), Activation.reluBlock(), Linear(1)]} holding the
     * network's weights.
     *
     * @param network the network
     * @param manager where the parameter arrays live
     * @param dataType {@link DataType#FLOAT32} or {@link DataType#FLOAT64}
     * @return the block, initialized for inputs of shape (batch, d)
     */
    public static SequentialBlock toBlock(ShallowReluNetwork network, NDManager manager, DataType dataType) {
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64) {
            throw new IllegalArgumentException(
                    "unsupported data type " + dataType + ": use DataType.FLOAT32 or DataType.FLOAT64");
        }
        int k = network.width();
        int d = network.inputDimension();
        SequentialBlock block = new SequentialBlock()
                .add(Linear.builder().setUnits(k).optBias(network.hasHiddenBias()).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(1).optBias(network.hasOutputBias()).build());
        block.initialize(manager, dataType, new Shape(1, d));
        List<Block> children = block.getChildren().values();
        double[][] w1 = network.firstLayerWeights();
        double[] flat = new double[k * d];
        for (int i = 0; i < k; i++) {
            System.arraycopy(w1[i], 0, flat, i * d, d);
        }
        write(children.get(0).getParameters().get("weight"), flat, dataType);
        if (network.hasHiddenBias()) {
            write(children.get(0).getParameters().get("bias"), network.hiddenBiases(), dataType);
        }
        write(children.get(2).getParameters().get("weight"), network.outputWeights(), dataType);
        if (network.hasOutputBias()) {
            write(children.get(2).getParameters().get("bias"), new double[] {network.outputBias()}, dataType);
        }
        return block;
    }

    private static void write(Parameter p, double[] values, DataType dataType) {
        NDArray a = p.getArray();
        if (dataType == DataType.FLOAT64) {
            a.set(values);
        } else {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            a.set(f);
        }
    }

    private static double[] toDoubles(NDArray a, String what) {
        DataType t = a.getDataType();
        if (t == DataType.FLOAT64) {
            return a.toDoubleArray();
        }
        if (t == DataType.FLOAT32) {
            float[] f = a.toFloatArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        throw new IllegalArgumentException(what + " has data type " + t + ": only float32 and float64 weights are"
                + " supported (cast the block with block.cast(DataType.FLOAT32))");
    }

    private static void checkRelu(Block middle, NDManager parent, int k) {
        try (NDManager m = parent.newSubManager()) {
            double[] probe = new double[PROBE.length * k];
            for (int r = 0; r < PROBE.length; r++) {
                for (int i = 0; i < k; i++) {
                    probe[r * k + i] = PROBE[r] * (1 + 0.01 * i);
                }
            }
            NDArray in = m.create(probe, new Shape(PROBE.length, k)).toType(DataType.FLOAT32, false);
            NDList out = middle.forward(new ParameterStore(m, false), new NDList(in), false);
            if (out.size() != 1 || !out.singletonOrThrow().getShape().equals(in.getShape())) {
                throw new IllegalArgumentException(
                        "the middle LambdaBlock does not act elementwise (output shapes " + out.getShapes()
                                + " for input " + in.getShape() + "); it must be ReLU (Activation.reluBlock())");
            }
            float[] y = out.singletonOrThrow().toType(DataType.FLOAT32, false).toFloatArray();
            for (int j = 0; j < y.length; j++) {
                double expect = Math.max(0.0, (float) probe[j]);
                if (Math.abs(y[j] - expect) > 1e-6 * (1 + Math.abs(expect))) {
                    throw new IllegalArgumentException(
                            "the middle LambdaBlock is not ReLU: it maps " + (float) probe[j] + " to " + y[j]
                                    + "; these norms are for ReLU networks (use Activation.reluBlock())");
                }
            }
        }
    }

    private static String names(List<Block> children) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < children.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Block b = children.get(i);
            sb.append(b.getClass().getSimpleName());
            if (b instanceof LambdaBlock) {
                sb.append('(').append(((LambdaBlock) b).getName()).append(')');
            }
        }
        return sb.append(']').toString();
    }
}
