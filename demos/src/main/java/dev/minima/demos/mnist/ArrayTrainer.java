package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.Trainer;
import dev.minima.autograd.GradMode;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;

/**
 * Mini-batch training of a DJL {@link Trainer} on a data set held in two arrays (inputs and labels, batch
 * first): each epoch visits every example once in a seeded random order, one {@code trainer.step()} per batch,
 * every batch's arrays in its own sub-manager. The trainer's loss and optimizer do the work; this class only
 * feeds batches and reports the epoch's mean batch loss.
 *
 * <p>The backward pass is the one DJL's PyTorch {@code GradientCollector} makes ({@code JniUtils.backward} of the
 * loss with a gradient of ones, accumulated into the parameters' {@code .grad}), recorded under PyTorch's
 * thread-local grad mode ({@link GradMode}) instead of inside a collector: DJL allows one open
 * {@code PtGradientCollector} per process (a static flag), so two trainings in two threads could not both use it.
 * With this, independent trainings (different models) may run in parallel threads, one {@code ArrayTrainer} per
 * thread.
 */
public final class ArrayTrainer {

    private final Trainer trainer;
    private NDArray inputs;
    private final NDArray labels;
    private final int batchSize;
    private final SplittableRandom random;
    private final long size;
    private long steps;

    /**
     * @param trainer an initialised trainer (its loss must be a scalar mean over the batch)
     * @param inputs the inputs, batch first
     * @param labels the labels, batch first, as many as inputs
     * @param batchSize examples per step (the last batch of an epoch may be smaller)
     * @param seed seed of the example order
     * @throws IllegalArgumentException if the sizes do not fit
     */
    public ArrayTrainer(Trainer trainer, NDArray inputs, NDArray labels, int batchSize, long seed) {
        this.size = inputs.getShape().get(0);
        if (labels.getShape().get(0) != size) {
            throw new IllegalArgumentException(size + " inputs but " + labels.getShape().get(0)
                    + " labels: give one label row per input row");
        }
        if (batchSize < 1 || batchSize > size) {
            throw new IllegalArgumentException("batch size must be in [1, " + size + "], got " + batchSize);
        }
        this.trainer = trainer;
        this.inputs = inputs;
        this.labels = labels;
        this.batchSize = batchSize;
        this.random = new SplittableRandom(seed);
    }

    /**
     * Replaces the inputs from the next epoch on (e.g. the same images with noise drawn afresh); the labels stay.
     * The caller keeps ownership of both the old and the new array.
     *
     * @param inputs new inputs of the same shape as the current ones
     * @throws IllegalArgumentException if the shape differs
     */
    public void setInputs(NDArray inputs) {
        if (!inputs.getShape().equals(this.inputs.getShape())) {
            throw new IllegalArgumentException("new inputs have shape " + inputs.getShape() + ", the training inputs "
                    + this.inputs.getShape() + ": give the same images in the same shape");
        }
        this.inputs = inputs;
    }

    /** @return optimizer steps taken so far */
    public long steps() {
        return steps;
    }

    /** @return steps per epoch */
    public long stepsPerEpoch() {
        return (size + batchSize - 1) / batchSize;
    }

    /**
     * Runs one epoch.
     *
     * @return the mean of the batch losses (weighted by batch size); NaN or infinite if training diverged, in
     *     which case the epoch stops at the first non-finite batch loss
     */
    public double epoch() {
        double total = 0;
        try (NDManager epochScope = inputs.getManager().newSubManager()) {
            long[] order = permutation();
            NDArray index = epochScope.create(order);
            NDArray x = inputs.get(index);
            NDArray y = labels.get(index);
            x.attach(epochScope);
            y.attach(epochScope);
            for (long start = 0; start < size; start += batchSize) {
                long end = Math.min(size, start + batchSize);
                try (NDManager batch = epochScope.newSubManager()) {
                    NDArray xb = x.get(new NDIndex(start + ":" + end));
                    NDArray yb = y.get(new NDIndex(start + ":" + end));
                    xb.attach(batch);
                    yb.attach(batch);
                    double loss;
                    try (GradMode on = GradMode.enabled()) {
                        NDList pred = trainer.forward(new NDList(xb));
                        NDArray value = trainer.getLoss().evaluate(new NDList(yb), pred);
                        loss = value.getFloat();
                        if (!Double.isFinite(loss)) {
                            return loss;
                        }
                        JniUtils.backward((PtNDArray) value, (PtNDArray) value.onesLike(), false, false);
                    }
                    trainer.step();
                    steps++;
                    total += loss * (end - start);
                }
            }
        }
        return total / size;
    }

    private long[] permutation() {
        return java.util.Arrays.stream(SeededRandom.permutation(Math.toIntExact(size), random)).asLongStream()
                .toArray();
    }
}
