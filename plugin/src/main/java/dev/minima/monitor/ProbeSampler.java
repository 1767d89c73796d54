package dev.minima.monitor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a fixed probe set from the first training batches: it copies every batch it is offered until it
 * holds at least {@code size} examples, then keeps the first {@code size} of them, or, given a seed, {@code
 * size} of them chosen by a seeded permutation (in their original order). The copies belong to the sampler's
 * manager.
 */
final class ProbeSampler {

    private final int size;
    private final Long seed;
    private final NDManager manager;
    private final List<NDList> data = new ArrayList<>();
    private final List<NDList> labels = new ArrayList<>();
    private long pooled;
    private NDList[] probe;

    /**
     * @param size the probe size
     * @param seed the seed of the choice among the pooled examples, or null for the first {@code size} examples
     * @param manager the manager of the copies
     */
    ProbeSampler(int size, Long seed, NDManager manager) {
        this.size = size;
        this.seed = seed;
        this.manager = manager;
    }

    /** @return whether the probe set is complete */
    boolean ready() {
        return probe != null;
    }

    /** @return {data, labels} of the probe set, or null if not ready */
    NDList[] probe() {
        return probe;
    }

    /**
     * Copies a batch into the pool (nothing once the probe set is complete).
     *
     * @param batchData the batch's inputs (batch first)
     * @param batchLabels the batch's labels
     */
    void offer(NDList batchData, NDList batchLabels) {
        if (probe != null) {
            return;
        }
        long n = batchData.get(0).getShape().get(0);
        data.add(copy(batchData));
        labels.add(copy(batchLabels));
        pooled += n;
        if (pooled >= size) {
            NDList x = concat(data);
            NDList y = concat(labels);
            long[] keep = seed == null ? first(size) : choose(pooled, size, seed);
            probe = new NDList[] {rows(x, keep), rows(y, keep)};
            for (NDList l : data) {
                l.close();
            }
            for (NDList l : labels) {
                l.close();
            }
            x.close();
            y.close();
            data.clear();
            labels.clear();
        }
    }

    /** @return examples pooled so far (before the probe set is complete) */
    long pooled() {
        return pooled;
    }

    /**
     * Completes the probe set with every example pooled so far (the training data held fewer than the size
     * asked), without repeating any.
     *
     * @return the probe size, 0 if nothing was pooled
     */
    long finishWithPooled() {
        if (probe != null || pooled == 0) {
            return probe != null ? probe[0].get(0).getShape().get(0) : 0;
        }
        NDList x = concat(data);
        NDList y = concat(labels);
        probe = new NDList[] {x, y};
        for (NDList l : data) {
            l.close();
        }
        for (NDList l : labels) {
            l.close();
        }
        data.clear();
        labels.clear();
        return pooled;
    }

    private NDList copy(NDList arrays) {
        return dev.minima.autograd.NativeArrays.copyInto(arrays, manager);
    }

    private NDList concat(List<NDList> parts) {
        int width = parts.get(0).size();
        NDList out = new NDList(width);
        for (int j = 0; j < width; j++) {
            NDList column = new NDList(parts.size());
            for (NDList p : parts) {
                column.add(p.get(j));
            }
            NDArray c = column.size() == 1 ? column.get(0).duplicate() : NDArrays.concat(column, 0);
            c.attach(manager);
            out.add(c);
        }
        return out;
    }

    private NDList rows(NDList arrays, long[] keep) {
        NDList out = new NDList(arrays.size());
        try (NDManager scope = manager.newSubManager()) {
            for (NDArray a : arrays) {
                NDArray index = scope.create(keep);
                NDArray selected = a.get(index); // integer-array indexing along the first axis: a copy
                selected.attach(manager);
                out.add(selected);
            }
        }
        return out;
    }

    private static long[] first(int k) {
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            out[i] = i;
        }
        return out;
    }

    /** The first {@code k} entries of a seeded Fisher–Yates permutation of 0..n−1, sorted. */
    static long[] choose(long n, int k, long seed) {
        int[] chosen = dev.minima.util.SeededRandom.sample(Math.toIntExact(n), k, new SplittableRandom(seed));
        return Arrays.stream(chosen).asLongStream().toArray();
    }
}
