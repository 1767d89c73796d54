package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.minima.autograd.GradMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Dead ReLU units of a {@link Networks#denoiser} stack: for every hidden layer, the fraction of its units that are
 * zero for every input of a batch. A unit that is zero on all the data passes no signal and gets no gradient
 * through its input weights; a network whose later layers have many of them has lost most of the paths from input
 * to output.
 */
public final class DeadUnits {

    private DeadUnits() {}

    /**
     * @param block a {@link SequentialBlock} of Linear layers with parameter-free activations between them
     * @param inputs a batch of inputs (at most a few thousand rows: one forward pass, no autograd)
     * @return one fraction in [0, 1] per activation of the stack (the hidden layers, first to last)
     * @throws IllegalArgumentException if the block is not a SequentialBlock
     */
    public static double[] fractions(Block block, NDArray inputs) {
        if (!(block instanceof SequentialBlock)) {
            throw new IllegalArgumentException("dead units are counted on a SequentialBlock of Linear layers and"
                    + " activations, got " + block.getClass().getSimpleName());
        }
        List<Double> out = new ArrayList<>();
        try (NDManager scope = inputs.getManager().newSubManager();
                GradMode off = GradMode.disabled()) {
            ParameterStore store = new ParameterStore(scope, false);
            NDArray h = inputs;
            for (Pair<String, Block> child : block.getChildren()) {
                boolean activation = child.getValue().getParameters().isEmpty();
                h = child.getValue().forward(store, new NDList(h), false).singletonOrThrow();
                h.attach(scope);
                if (activation) {
                    NDArray alive = h.gt(0).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).sum(new int[] {0})
                            .gt(0);
                    long units = h.getShape().get(1);
                    long live = alive.toType(ai.djl.ndarray.types.DataType.INT64, false).sum().getLong();
                    out.add((double) (units - live) / units);
                }
            }
        }
        double[] a = new double[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }
}
