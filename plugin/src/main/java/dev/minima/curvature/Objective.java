package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.loss.Loss;
import ai.djl.translate.TranslateException;
import ai.djl.util.Pair;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;
import dev.minima.autograd.NativeArrays;
import dev.minima.loss.LossSafety;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * "The loss of these parameters on this data": a DJL block, a loss and a fixed data set (one batch, many
 * batches, or a DJL {@link Dataset}), the start of Minima's data path (objective → autograd → operator →
 * estimator).
 *
 * <p>With several batches the objective is the batch-size–weighted average of the batch losses, i.e. the
 * mean loss over all examples when the loss is a per-example mean, so its Hessian is the full-data Hessian.
 * Batches given with {@code addBatch} are copied once into the objective's own memory (close the objective to
 * free it). A {@link Dataset} is <em>streamed</em>: every pass (every Hessian-vector product) iterates the
 * dataset's batches again, so resident memory does not grow with the dataset; {@link
 * Builder#optCacheBatches(int)} keeps the first batches resident to save reading them again. A dataset that
 * yields a single batch is always kept resident (its gradient graph is then retained between products).
 *
 * <p>In training mode ({@link Builder#optTraining(boolean)}) the block's non-trainable state (batch-norm
 * running statistics) is restored after every pass, so measuring curvature never changes the model. A block
 * holding {@link Dropout} in training mode makes each pass random: {@link #isStochastic()} says so and the
 * operators report {@link SymmetricOperator#isDeterministic()} false unless their graph is retained.
 *
 * <p>Built over a parameter snapshot ({@code optParameters(ParameterSpace.of(block).snapshot(manager))}) the
 * objective evaluates the block with the snapshot's copies (a {@code ParameterStore} that hands them to every
 * layer) and differentiates with respect to them, so it can be measured on another thread while the live
 * parameters change; its batch-norm state restore then writes the snapshot's copies, never the live block.
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

    /**
     * One batch of the objective's data.
     *
     * @param data the block's inputs
     * @param labels the loss's labels
     * @param size the number of examples
     */
    public record BatchData(NDList data, NDList labels, long size) {}

    /** Receives one batch's loss, recorded by autograd, inside a scope that is closed afterwards. */
    @FunctionalInterface
    public interface BatchConsumer {
        /**
         * Receives one batch's loss.
         *
         * @param loss the batch's scalar loss (autograd graph attached)
         * @param weight the batch's share of the data, size / total
         * @param scope the manager every array of this batch lives in; closed after the call
         * @param batch the batch
         */
        void accept(NDArray loss, double weight, NDManager scope, BatchData batch);
    }

    /** Visits one batch (no forward pass yet) inside a scope that is closed afterwards. */
    @FunctionalInterface
    public interface BatchVisitor {
        /**
         * Visits one batch.
         *
         * @param batch the batch's inputs, labels and size (owned by the objective or the dataset: copy what
         *     must outlive the call)
         * @param index the batch's position in the pass
         * @param scope the manager for this batch's arrays; closed after the call
         */
        void visit(BatchData batch, int index, NDManager scope);
    }

    private final Block block;
    private final Loss loss;
    private final ParameterSpace space;
    private final List<BatchData> resident;
    private final Dataset dataset;
    private final int streamedSkip;
    private final int batchCount;
    private final long size;
    private final boolean training;
    private final boolean stochastic;
    private final NDManager manager;
    private final ParameterStore parameterStore;
    private final List<Pair<NDArray, NDArray>> state;

    private Objective(Builder b, NDManager manager, Source source, List<Pair<NDArray, NDArray>> state) {
        this.block = b.block;
        this.loss = b.loss;
        this.space = b.space;
        this.training = b.training;
        this.stochastic = b.training && (b.stochastic != null ? b.stochastic : containsDropout(b.block));
        this.manager = manager;
        this.resident = Collections.unmodifiableList(source.resident);
        this.dataset = source.streamed ? b.dataset : null;
        this.streamedSkip = source.streamedSkip;
        this.batchCount = source.batchCount;
        this.size = source.size;
        this.parameterStore = b.space.isSnapshot() ? new SnapshotStore(manager, b.space) : new ParameterStore(manager, false);
        this.state = state;
    }

    /**
     * Feeds the block a snapshot's copies instead of its live parameter arrays: every DJL block reads its
     * parameters through {@link ParameterStore#getValue(Parameter, ai.djl.Device, boolean)} in its forward pass.
     */
    private static final class SnapshotStore extends ParameterStore {
        private final ParameterSpace snapshot;

        SnapshotStore(NDManager manager, ParameterSpace snapshot) {
            super(manager, false);
            this.snapshot = snapshot;
        }

        @Override
        public NDArray getValue(Parameter parameter, ai.djl.Device device, boolean training) {
            if (parameter == null) {
                return null; // an optional parameter the block does not have (e.g. a Linear without bias)
            }
            NDArray value = snapshot.valueOf(parameter);
            if (!value.getDevice().equals(device)) {
                throw new IllegalStateException("parameter '" + parameter.getName() + "' of the snapshot is on "
                        + value.getDevice() + " but the block asks for it on " + device
                        + ": a snapshot objective runs on the parameters' own device");
            }
            return value;
        }
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

    /**
     * The batches, when all of them are resident.
     *
     * @return the batches
     * @throws IllegalStateException if the objective streams a dataset (use {@link #batchCount()} and {@link
     *     #forEachBatch(NDManager, BatchConsumer)} or {@link #eachBatch(NDManager, BatchVisitor)})
     */
    public List<BatchData> batches() {
        if (dataset != null) {
            throw new IllegalStateException("this objective streams a dataset: its batches are not all resident;"
                    + " use batchCount() and forEachBatch(...)");
        }
        return resident;
    }

    /** @return the number of batches one pass over the data visits */
    public int batchCount() {
        return batchCount;
    }

    /** @return whether the whole data set is one resident batch (the operators then retain its graph) */
    public boolean isSingleBatch() {
        return batchCount == 1 && resident.size() == 1;
    }

    /**
     * Whether an operator may build the gradient graph once and keep it: the data are one resident batch, and
     * the block has no running statistics to restore (in training mode each forward pass updates batch-norm
     * statistics in place, which a kept graph still refers to, so there every product runs the batch again).
     *
     * @return whether a retained graph is possible
     */
    public boolean canRetainGraph() {
        return isSingleBatch() && state.isEmpty();
    }

    /** @return whether the block's state (batch-norm running statistics) is restored after every pass */
    public boolean restoresState() {
        return !state.isEmpty();
    }

    /** @return whether some batches are read from the dataset on every pass */
    public boolean isStreaming() {
        return dataset != null;
    }

    /** @return the number of examples */
    public long size() {
        return size;
    }

    /** @return whether the block runs in training mode */
    public boolean isTraining() {
        return training;
    }

    /**
     * @return whether a pass is random (training mode with dropout, or declared with {@link
     *     Builder#optStochastic(boolean)}): two passes then give different losses and products
     */
    public boolean isStochastic() {
        return stochastic;
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
        eachBatch(parent, (b, i, scope) -> consumer.accept(lossOf(b, scope, i), (double) b.size() / size, scope, b));
    }

    /**
     * Visits every batch of one pass: the resident ones, then those streamed from the dataset, each inside its
     * own sub-manager of {@code parent}; in training mode the block's state is restored afterwards.
     *
     * <p>For work other than the loss and its derivatives (forward passes without autograd, accuracy); the
     * batches come one at a time, so it works on a streamed dataset as on resident batches.
     *
     * @param parent the manager whose sub-managers scope each batch
     * @param visitor receives each batch
     */
    public void eachBatch(NDManager parent, BatchVisitor visitor) {
        try {
            int index = 0;
            for (BatchData b : resident) {
                try (NDManager scope = parent.newSubManager()) {
                    visitor.visit(b, index++, scope);
                }
            }
            if (dataset != null) {
                stream(parent, visitor, index);
            }
        } finally {
            restoreState();
        }
    }

    private void stream(NDManager parent, BatchVisitor visitor, int first) {
        int index = first;
        long seen = 0;
        int position = 0;
        try (NDManager reader = manager.newSubManager()) {
            for (Batch batch : dataset.getData(reader)) {
                try (batch) {
                    if (position++ < streamedSkip) {
                        continue; // kept resident
                    }
                    BatchData b = view(batch);
                    seen += b.size();
                    try (NDManager scope = parent.newSubManager()) {
                        visitor.visit(b, index++, scope);
                    }
                }
            }
        } catch (IOException | TranslateException e) {
            throw new IllegalStateException("could not read the dataset on a later pass: " + e.getMessage(), e);
        }
        if (index != batchCount) {
            throw new IllegalStateException("the dataset gave " + (index - first) + " batches to stream on this pass, "
                    + (batchCount - first) + " on the first: a streamed dataset must give the same batches on every pass"
                    + " (build it without shuffling, or cache every batch with optCacheBatches)");
        }
        if (seen != streamedSize()) {
            throw new IllegalStateException("the dataset gave " + seen + " examples to stream on this pass, "
                    + streamedSize() + " on the first: a streamed dataset must give the same batches on every pass");
        }
    }

    private long streamedSize() {
        long r = 0;
        for (BatchData b : resident) {
            r += b.size();
        }
        return size - r;
    }

    private static BatchData view(Batch batch) {
        NDList data = batch.getData();
        if (data.isEmpty()) {
            throw new IllegalArgumentException("a batch of the dataset has no input arrays");
        }
        return new BatchData(data, batch.getLabels(), examples(data));
    }

    private static long examples(NDList data) {
        return data.get(0).getShape().dimension() == 0 ? 1 : data.get(0).getShape().get(0);
    }

    /**
     * The resident batch of a single-batch objective.
     *
     * @return the batch
     */
    BatchData singleBatch() {
        if (!isSingleBatch()) {
            throw new IllegalStateException("the objective has " + batchCount + " batches, not one resident batch");
        }
        return resident.get(0);
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
        return evaluate(labelsIn(b, scope), pred, index);
    }

    /**
     * Evaluates the loss on predictions with autograd on; a failure of the loss (labels that do not fit it)
     * becomes an exception naming the shapes.
     *
     * @param labels the labels
     * @param predictions the block's outputs (or leaves standing in for them)
     * @param index the batch's index, for messages
     * @return the checked scalar loss
     */
    NDArray evaluate(NDList labels, NDList predictions, int index) {
        NDArray value;
        try (GradMode on = GradMode.enabled()) {
            value = loss.evaluate(labels, predictions);
        } catch (IllegalArgumentException | ai.djl.engine.EngineException e) {
            throw new IllegalArgumentException("loss " + loss.getName() + " failed on batch " + index + " with labels "
                    + shapes(labels) + " and predictions " + shapes(predictions) + ": " + e.getMessage()
                    + ". The labels must fit the loss: class indices of shape (batch) or (batch, 1) for"
                    + " softmaxCrossEntropy, arrays shaped like the output for halfMse/mse", e);
        }
        return checkedLoss(value, index);
    }

    private static String shapes(NDList list) {
        StringBuilder s = new StringBuilder("[");
        for (NDArray a : list) {
            s.append(s.length() > 1 ? ", " : "").append(a.getShape()).append(' ').append(a.getDataType());
        }
        return s.append(']').toString();
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
        NDList x = NativeArrays.copyInto(b.data(), scope);
        try (GradMode on = GradMode.enabled()) {
            return block.forward(parameterStore, x, training);
        }
    }

    /**
     * Copies one batch's labels into a scope.
     *
     * @param b the batch
     * @param scope the manager of the copy
     * @return a copy of the batch's labels in {@code scope}
     */
    NDList labelsIn(BatchData b, NDManager scope) {
        return NativeArrays.copyInto(b.labels(), scope);
    }

    /**
     * Checks a batch's loss.
     *
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

    /**
     * Puts the block's non-trainable state (batch-norm running statistics) back to what it was when the
     * objective was built; a no-op in inference mode, where the block does not change it. Over a snapshot
     * ({@link ParameterSpace#snapshot}) the state restored is the snapshot's copy, never the live block's.
     */
    public void restoreState() {
        if (state.isEmpty()) {
            return;
        }
        try (GradMode off = GradMode.disabled()) {
            for (Pair<NDArray, NDArray> p : state) {
                p.getKey().set(new NDIndex("..."), p.getValue());
            }
        }
    }

    /**
     * The objective's value.
     *
     * @return the weighted mean of the batch losses
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
                NDArray term = batchCount == 1 ? g : g.mul(w); // not differentiated: a Java factor is safe
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
        restoreState();
        manager.close();
    }

    static boolean containsDropout(Block block) {
        if (block instanceof Dropout) {
            return true;
        }
        for (Pair<String, Block> child : block.getChildren()) {
            if (containsDropout(child.getValue())) {
                return true;
            }
        }
        return false;
    }

    /** What one read of the data gave: the resident batches, and how the rest streams. */
    private static final class Source {
        final List<BatchData> resident = new ArrayList<>();
        boolean streamed;
        int streamedSkip;
        int batchCount;
        long size;
    }

    /** Builder of {@link Objective}. */
    public static final class Builder {
        private Block block;
        private Loss loss;
        private ParameterSpace space;
        private boolean training;
        private Boolean stochastic;
        private final List<NDList[]> arrays = new ArrayList<>();
        private Dataset dataset;
        private int cacheBatches;

        private Builder() {}

        /**
         * Sets the block.
         *
         * @param block an initialised block
         * @return this builder
         */
        public Builder setBlock(Block block) {
            this.block = block;
            return this;
        }

        /**
         * Sets the loss.
         *
         * @param loss a scalar loss; Minima's {@code Losses} are GC-safe, others are warned about once
         * @return this builder
         */
        public Builder setLoss(Loss loss) {
            this.loss = loss;
            return this;
        }

        /**
         * Chooses the parameters to differentiate.
         *
         * @param space the parameters to differentiate (default: all trainable parameters)
         * @return this builder
         */
        public Builder optParameters(ParameterSpace space) {
            this.space = space;
            return this;
        }

        /**
         * Chooses the block's mode.
         *
         * @param training run the block in training mode (dropout, batch statistics); default false. The
         *     block's running statistics are restored after every pass.
         * @return this builder
         */
        public Builder optTraining(boolean training) {
            this.training = training;
            return this;
        }

        /**
         * Declares whether a training-mode pass is random (default: true exactly when the block holds a DJL
         * {@link Dropout}); for custom stochastic layers.
         *
         * @param stochastic whether the block's training-mode forward pass draws random numbers
         * @return this builder
         */
        public Builder optStochastic(boolean stochastic) {
            this.stochastic = stochastic;
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
         * Adds one batch of a single input and a single label array (copied into the objective).
         *
         * @param data a single input array
         * @param labels a single label array
         * @return this builder
         */
        public Builder addBatch(NDArray data, NDArray labels) {
            return addBatch(new NDList(data), new NDList(labels));
        }

        /**
         * Adds one DJL batch (copied into the objective).
         *
         * @param batch a DJL batch (copied; the caller still closes it)
         * @return this builder
         */
        public Builder addBatch(Batch batch) {
            return addBatch(batch.getData(), batch.getLabels());
        }

        /**
         * Streams every batch of a dataset: the dataset is read once when the objective is built (to count its
         * examples and check it) and again on every pass. It must give the same batches on every pass (no
         * shuffling, unless every batch is cached).
         *
         * @param dataset a DJL dataset
         * @return this builder
         */
        public Builder optDataset(Dataset dataset) {
            this.dataset = dataset;
            return this;
        }

        /**
         * Streams every batch of a dataset; the manager argument is kept for compatibility and not used (the
         * objective reads the dataset with its own manager).
         *
         * @param dataset a DJL dataset
         * @param manager unused
         * @return this builder
         */
        public Builder optDataset(Dataset dataset, NDManager manager) {
            return optDataset(dataset);
        }

        /**
         * Keeps the dataset's first batches resident, so that passes read only the rest (default 0: stream
         * every batch; a dataset of one batch is always kept).
         *
         * @param batches how many of the dataset's batches to keep in native memory, ≥ 0
         * @return this builder
         */
        public Builder optCacheBatches(int batches) {
            if (batches < 0) {
                throw new IllegalArgumentException("cacheBatches must be ≥ 0, got " + batches);
            }
            this.cacheBatches = batches;
            return this;
        }

        /**
         * Builds the objective.
         *
         * @return the objective
         * @throws IllegalArgumentException if the block or loss is missing, the block is not initialised, the
         *     data are empty or the loss does not fit the labels
         */
        public Objective build() {
            Objects.requireNonNull(block, "setBlock(block) is required");
            Objects.requireNonNull(loss, "setLoss(loss) is required");
            LossSafety.check(loss);
            if (space == null) {
                space = ParameterSpace.of(block);
            }
            NDManager own = NDManager.newBaseManager(space.device(), "PyTorch");
            try {
                if (space.isSnapshot() && space.block() != block) {
                    throw new IllegalArgumentException("the parameter snapshot was taken of another block: take it of"
                            + " this objective's block (ParameterSpace.of(block).snapshot(manager))");
                }
                List<Pair<NDArray, NDArray>> state = training ? snapshot(block, space, own) : List.of();
                Source source = new Source();
                for (NDList[] pair : arrays) {
                    source.resident.add(copy(pair[0], pair[1], own));
                }
                if (dataset != null) {
                    readDataset(source, own);
                }
                if (source.resident.isEmpty() && !source.streamed) {
                    throw new IllegalArgumentException(dataset != null
                            ? "the dataset gave no batch: give a non-empty dataset (prepared, with a sampler that"
                                    + " covers its examples)"
                            : "the objective has no data: add at least one non-empty batch or a dataset");
                }
                for (BatchData b : source.resident) {
                    source.size += b.size();
                }
                source.batchCount += source.resident.size();
                Objective objective = new Objective(this, own, source, state);
                if (dataset != null) {
                    objective.checkFirstBatch(); // a dataset's batches are unseen until now: fail here, not mid-run
                }
                return objective;
            } catch (RuntimeException e) {
                own.close();
                throw e;
            }
        }

        private void readDataset(Source source, NDManager own) {
            int streamedBatches = 0;
            long streamedSize = 0;
            BatchData first = null;
            try (NDManager reader = own.newSubManager()) {
                dataset.prepare(); // DJL's datasets prepare once; a prepared one returns at once
                int position = 0;
                for (Batch b : dataset.getData(reader)) {
                    try (b) {
                        if (position < Math.max(cacheBatches, 1)) {
                            BatchData c = copy(b.getData(), b.getLabels(), own);
                            if (position < cacheBatches) {
                                source.resident.add(c);
                            } else {
                                first = c; // kept only if it turns out to be the only batch
                            }
                        } else {
                            long n = examples(b.getData());
                            if (n == 0) {
                                throw new IllegalArgumentException("batch " + position + " of the dataset is empty");
                            }
                        }
                        if (position >= cacheBatches) {
                            streamedBatches++;
                            streamedSize += examples(b.getData());
                        }
                        position++;
                    }
                }
            } catch (IOException | TranslateException e) {
                throw new IllegalArgumentException("could not read the dataset: " + e.getMessage(), e);
            }
            if (streamedBatches == 1 && arrays.isEmpty() && source.resident.isEmpty()) {
                source.resident.add(first); // one batch: keep it, so its graph can be retained
            } else if (streamedBatches > 0) {
                if (first != null) {
                    first.data().close();
                    first.labels().close();
                }
                source.streamed = true;
                source.streamedSkip = cacheBatches;
                source.batchCount = streamedBatches;
                source.size = streamedSize;
            }
        }

        private static List<Pair<NDArray, NDArray>> snapshot(Block block, ParameterSpace space, NDManager own) {
            List<Pair<NDArray, NDArray>> out = new ArrayList<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                Parameter param = p.getValue();
                if (!param.requiresGradient() && param.isInitialized()) {
                    NDArray target = space.valueOf(param);
                    NDArray c = target.duplicate();
                    c.attach(own);
                    out.add(new Pair<>(target, c));
                }
            }
            return out;
        }

        private static BatchData copy(NDList data, NDList labels, NDManager own) {
            if (data.isEmpty()) {
                throw new IllegalArgumentException("a batch has no input arrays");
            }
            long n = examples(data);
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

    /**
     * Runs the block and the loss once on the first batch, without recording, so that a block or loss that does
     * not fit the data fails when the objective is built rather than inside an estimator.
     */
    private void checkFirstBatch() {
        try (NDManager scope = manager.newSubManager()) {
            BatchVisitor check = (b, i, s) -> {
                NDList x = NativeArrays.copyInto(b.data(), s);
                NDList pred;
                try {
                    pred = block.forward(parameterStore, x, training);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("block " + block.getClass().getSimpleName() + " failed on"
                            + " inputs " + shapes(x) + ": " + e.getMessage() + ". Give inputs of the shape and data"
                            + " type the block was initialised with (its parameters are " + space.dataType() + ")", e);
                }
                checkedLoss0(labelsIn(b, s), pred, i);
            };
            if (!resident.isEmpty()) {
                check.visit(resident.get(0), 0, scope);
            } else {
                // the first streamed batch
                try (NDManager reader = manager.newSubManager()) {
                    for (Batch batch : dataset.getData(reader)) {
                        try (batch) {
                            check.visit(view(batch), 0, scope);
                        }
                        break;
                    }
                } catch (IOException | TranslateException e) {
                    throw new IllegalArgumentException("could not read the dataset: " + e.getMessage(), e);
                }
            }
        } finally {
            restoreState();
        }
    }

    private void checkedLoss0(NDList labels, NDList pred, int index) {
        NDArray value;
        try {
            value = loss.evaluate(labels, pred);
        } catch (IllegalArgumentException | ai.djl.engine.EngineException e) {
            throw new IllegalArgumentException("loss " + loss.getName() + " failed on batch " + index + " with labels "
                    + shapes(labels) + " and predictions " + shapes(pred) + ": " + e.getMessage()
                    + ". The labels must fit the loss: class indices of shape (batch) or (batch, 1) for"
                    + " softmaxCrossEntropy, arrays shaped like the output for halfMse/mse", e);
        }
        if (value.getShape().size() != 1) {
            throw new IllegalArgumentException("loss " + loss.getName() + " returned shape " + value.getShape()
                    + ", not a scalar: reduce it over the batch (e.g. mean) so it can be differentiated");
        }
    }
}
