package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.loss.Loss;
import ai.djl.translate.TranslateException;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;
import dev.minima.loss.LossSafety;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * "The loss of these parameters on this data": a DJL block, a loss and a fixed data set (one batch or many),
 * the start of Minima's data path (objective → autograd → operator → estimator).
 *
 * <p>With several batches the objective is the batch-size–weighted average of the batch losses, i.e. the
 * mean loss over all examples when the loss is a per-example mean, so its Hessian is the full-data Hessian.
 * The batches are copied once into the objective's own memory (close the objective to free it).
 *
 * <pre>{@code
 * try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
 *         .addBatch(x, y).build();
 *      HessianOperator h = HessianOperator.of(obj)) {
 *     Eigenpairs top = Lanczos.builder().optTopK(1).build().run(h);
 * }
 * }</pre>
 */
public final class Objective implements AutoCloseable {

    /** One batch of the objective's data. */
    public record BatchData(NDList data, NDList labels, long size) {}

    /** Receives one batch's loss, recorded by autograd, inside a scope that is closed afterwards. */
    @FunctionalInterface
    public interface BatchConsumer {
        /**
         * @param loss the batch's scalar loss (autograd graph attached)
         * @param weight the batch's share of the data, size / total
         * @param scope the manager every array of this batch lives in; closed after the call
         * @param batch the batch
         */
        void accept(NDArray loss, double weight, NDManager scope, BatchData batch);
    }

    private final Block block;
    private final Loss loss;
    private final ParameterSpace space;
    private final List<BatchData> batches;
    private final long size;
    private final boolean training;
    private final NDManager manager;
    private final ParameterStore parameterStore;

    private Objective(Builder b, NDManager manager, List<BatchData> batches) {
        this.block = b.block;
        this.loss = b.loss;
        this.space = b.space != null ? b.space : ParameterSpace.of(b.block);
        this.training = b.training;
        this.manager = manager;
        this.batches = Collections.unmodifiableList(batches);
        long n = 0;
        for (BatchData d : batches) {
            n += d.size();
        }
        this.size = n;
        this.parameterStore = new ParameterStore(manager, false);
        LossSafety.check(loss);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the block */
    public Block block() {
        return block;
    }

    /** @return the loss */
    public Loss loss() {
        return loss;
    }

    /** @return the parameters differentiated */
    public ParameterSpace space() {
        return space;
    }

    /** @return the batches */
    public List<BatchData> batches() {
        return batches;
    }

    /** @return the number of examples */
    public long size() {
        return size;
    }

    /**
     * Runs the block and the loss on every batch with autograd recording, each in its own sub-manager of
     * {@code parent}.
     *
     * @param parent the manager whose sub-managers scope each batch
     * @param consumer receives each batch's loss
     * @throws NonFiniteLossException if a batch's loss is NaN or infinite
     */
    public void forEachBatch(NDManager parent, BatchConsumer consumer) {
        for (int i = 0; i < batches.size(); i++) {
            BatchData b = batches.get(i);
            try (NDManager scope = parent.newSubManager()) {
                NDArray value = lossOf(b, scope, i);
                consumer.accept(value, (double) b.size() / size, scope, b);
            }
        }
    }

    /**
     * Evaluates one batch's loss with autograd on, inside {@code scope}.
     *
     * @param b the batch
     * @param scope the manager the intermediates live in
     * @param index the batch's index, for messages
     * @return the scalar loss
     */
    NDArray lossOf(BatchData b, NDManager scope, int index) {
        NDList pred = predict(b, scope);
        NDArray value;
        try (GradMode on = GradMode.enabled()) {
            value = loss.evaluate(labelsIn(b, scope), pred);
        }
        return checkedLoss(value, index);
    }

    /**
     * Runs the block on one batch's inputs with autograd recording, inside {@code scope} (the inputs are copied
     * there first: every intermediate attaches to its first input's manager).
     *
     * @param b the batch
     * @param scope the manager the intermediates live in
     * @return the block's outputs
     */
    NDList predict(BatchData b, NDManager scope) {
        NDList x = copyInto(b.data(), scope);
        try (GradMode on = GradMode.enabled()) {
            return block.forward(parameterStore, x, training);
        }
    }

    /**
     * @param b the batch
     * @param scope the manager of the copy
     * @return a copy of the batch's labels in {@code scope}
     */
    NDList labelsIn(BatchData b, NDManager scope) {
        return copyInto(b.labels(), scope);
    }

    /**
     * @param value a batch's loss
     * @param index the batch's index, for messages
     * @return the loss, checked to be a finite scalar
     */
    NDArray checkedLoss(NDArray value, int index) {
        if (value.getShape().size() != 1) {
            throw new IllegalArgumentException("loss " + loss.getName() + " returned shape " + value.getShape()
                    + ", not a scalar: reduce it over the batch (e.g. mean) so it can be differentiated");
        }
        double v = Vectors.scalar(value);
        if (!Double.isFinite(v)) {
            throw new NonFiniteLossException("loss " + loss.getName() + " is " + v + " on batch " + index
                    + " of the objective: check the data for NaN/inf and the parameters for divergence");
        }
        return value;
    }

    private static NDList copyInto(NDList arrays, NDManager scope) {
        NDList out = new NDList(arrays.size());
        for (NDArray a : arrays) {
            NDArray c = a.duplicate();
            c.attach(scope);
            out.add(c);
        }
        return out;
    }

    /**
     * @return the objective's value, the weighted mean of the batch losses
     */
    public double value() {
        double[] total = {0};
        try (NDManager scope = manager.newSubManager()) {
            forEachBatch(scope, (l, w, s, b) -> total[0] += w * Vectors.scalar(l));
        }
        return total[0];
    }

    /**
     * The gradient with respect to the parameters, through Minima's autograd bridge (the parameters' {@code
     * .grad} is left untouched).
     *
     * @param target the manager of the result
     * @return the flat gradient
     */
    public NDArray gradient(NDManager target) {
        AutogradBridge bridge = AutogradBridge.on(space.device());
        NDArray[] acc = {null};
        try (NDManager scope = target.newSubManager()) {
            forEachBatch(scope, (l, w, s, b) -> {
                NDArray g = space.flatten(bridge.gradient(l, space.arrays(), false, s));
                NDArray term = batches.size() == 1 ? g : g.mul(w);
                if (acc[0] == null) {
                    acc[0] = term.duplicate();
                    acc[0].attach(scope);
                } else {
                    acc[0].addi(term);
                }
            });
            acc[0].attach(target);
        }
        return acc[0];
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Builder of {@link Objective}. */
    public static final class Builder {
        private Block block;
        private Loss loss;
        private ParameterSpace space;
        private boolean training;
        private final List<NDList[]> arrays = new ArrayList<>();
        private Dataset dataset;
        private NDManager datasetManager;

        private Builder() {}

        /**
         * @param block an initialised block
         * @return this builder
         */
        public Builder setBlock(Block block) {
            this.block = block;
            return this;
        }

        /**
         * @param loss a scalar loss; Minima's {@code Losses} are GC-safe, others are warned about once
         * @return this builder
         */
        public Builder setLoss(Loss loss) {
            this.loss = loss;
            return this;
        }

        /**
         * @param space the parameters to differentiate (default: all trainable parameters)
         * @return this builder
         */
        public Builder optParameters(ParameterSpace space) {
            this.space = space;
            return this;
        }

        /**
         * @param training run the block in training mode (dropout, batch statistics); default false
         * @return this builder
         */
        public Builder optTraining(boolean training) {
            this.training = training;
            return this;
        }

        /**
         * Adds one batch (copied into the objective).
         *
         * @param data the block's inputs, batch first
         * @param labels the loss's labels
         * @return this builder
         */
        public Builder addBatch(NDList data, NDList labels) {
            arrays.add(new NDList[] {data, labels});
            return this;
        }

        /**
         * @param data a single input array
         * @param labels a single label array
         * @return this builder
         */
        public Builder addBatch(NDArray data, NDArray labels) {
            return addBatch(new NDList(data), new NDList(labels));
        }

        /**
         * @param batch a DJL batch (copied; the caller still closes it)
         * @return this builder
         */
        public Builder addBatch(Batch batch) {
            return addBatch(batch.getData(), batch.getLabels());
        }

        /**
         * Adds every batch of a dataset, read once.
         *
         * @param dataset a prepared DJL dataset
         * @param manager the manager used while reading it
         * @return this builder
         */
        public Builder optDataset(Dataset dataset, NDManager manager) {
            this.dataset = dataset;
            this.datasetManager = manager;
            return this;
        }

        /**
         * @return the objective
         * @throws IllegalArgumentException if the block or loss is missing or the data are empty
         */
        public Objective build() {
            Objects.requireNonNull(block, "setBlock(block) is required");
            Objects.requireNonNull(loss, "setLoss(loss) is required");
            ParameterSpace s = space != null ? space : ParameterSpace.of(block);
            space = s;
            NDManager own = NDManager.newBaseManager(s.device(), "PyTorch");
            try {
                List<BatchData> batches = new ArrayList<>();
                for (NDList[] pair : arrays) {
                    batches.add(copy(pair[0], pair[1], own));
                }
                if (dataset != null) {
                    try {
                        for (Batch b : dataset.getData(datasetManager)) {
                            try (b) {
                                batches.add(copy(b.getData(), b.getLabels(), own));
                            }
                        }
                    } catch (IOException | TranslateException e) {
                        throw new IllegalArgumentException("could not read the dataset: " + e.getMessage(), e);
                    }
                }
                if (batches.isEmpty()) {
                    throw new IllegalArgumentException(
                            "the objective has no data: add at least one non-empty batch or a non-empty dataset");
                }
                return new Objective(this, own, batches);
            } catch (RuntimeException e) {
                own.close();
                throw e;
            }
        }

        private static BatchData copy(NDList data, NDList labels, NDManager own) {
            if (data.isEmpty()) {
                throw new IllegalArgumentException("a batch has no input arrays");
            }
            long n = data.get(0).getShape().dimension() == 0 ? 1 : data.get(0).getShape().get(0);
            if (n == 0) {
                throw new IllegalArgumentException("a batch is empty (0 examples): the objective needs data");
            }
            NDList d = new NDList(data.size());
            for (NDArray a : data) {
                d.add(owned(a, own));
            }
            NDList l = new NDList(labels.size());
            for (NDArray a : labels) {
                l.add(owned(a, own));
            }
            return new BatchData(d, l, n);
        }

        private static NDArray owned(NDArray a, NDManager own) {
            NDArray c = a.toDevice(own.getDevice(), true); // a libtorch-owned copy
            if (c == a) {
                c = a.duplicate();
            }
            c.attach(own);
            return c;
        }
    }
}
