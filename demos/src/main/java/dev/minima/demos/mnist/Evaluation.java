package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import dev.minima.autograd.GradMode;
import dev.minima.curvature.Vectors;

/**
 * Forward passes without autograd, in chunks, each chunk in its own sub-manager: the mean loss of a data set
 * and the predictions of a block.
 */
public final class Evaluation {

    private static final int CHUNK = 1000;

    private Evaluation() {}

    /**
     * @param block the block
     * @param loss a loss that is a mean over the examples of a batch
     * @param inputs inputs, batch first
     * @param labels labels, batch first
     * @return the mean loss over all examples
     */
    public static double loss(Block block, Loss loss, NDArray inputs, NDArray labels) {
        long n = inputs.getShape().get(0);
        double total = 0;
        ParameterStore store = new ParameterStore(inputs.getManager(), false);
        try (GradMode off = GradMode.disabled()) {
            for (long start = 0; start < n; start += CHUNK) {
                long end = Math.min(n, start + CHUNK);
                try (NDManager scope = inputs.getManager().newSubManager()) {
                    NDArray x = inputs.get(new NDIndex(start + ":" + end));
                    NDArray y = labels.get(new NDIndex(start + ":" + end));
                    x.attach(scope);
                    y.attach(scope);
                    NDList pred = block.forward(store, new NDList(x), false);
                    total += Vectors.scalar(loss.evaluate(new NDList(y), pred)) * (end - start);
                }
            }
        }
        return total / n;
    }

    /**
     * @param block the block
     * @param inputs inputs, batch first
     * @return the block's (single) output for every input, as floats, row after row
     */
    public static float[] predict(Block block, NDArray inputs) {
        long n = inputs.getShape().get(0);
        ParameterStore store = new ParameterStore(inputs.getManager(), false);
        float[] out = null;
        int pos = 0;
        try (GradMode off = GradMode.disabled()) {
            for (long start = 0; start < n; start += CHUNK) {
                long end = Math.min(n, start + CHUNK);
                try (NDManager scope = inputs.getManager().newSubManager()) {
                    NDArray x = inputs.get(new NDIndex(start + ":" + end));
                    x.attach(scope);
                    float[] chunk = block.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
                    if (out == null) {
                        out = new float[Math.toIntExact(chunk.length / (end - start) * n)];
                    }
                    System.arraycopy(chunk, 0, out, pos, chunk.length);
                    pos += chunk.length;
                }
            }
        }
        return out;
    }
}
