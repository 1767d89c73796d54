package dev.minima.demos.mnist;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.minima.curvature.ParameterSpace;

/**
 * A DJL {@link Model} and {@link Trainer} (a {@link DefaultTrainingConfig} with the given loss and optimizer)
 * around a block, its parameters set by a seeded {@link Initializers} scheme, and an {@link ArrayTrainer}
 * feeding it mini-batches of in-memory data. Close it to release the model and trainer.
 */
public final class TrainingSession implements AutoCloseable {

    private final Model model;
    private final Trainer trainer;
    private final ArrayTrainer loop;
    private final Block block;

    private TrainingSession(Builder b) {
        this.block = b.block;
        model = Model.newInstance("minima-" + b.optimizer.name());
        try {
            model.setBlock(b.block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(b.loss).optOptimizer(b.optimizer.build());
            trainer = model.newTrainer(config);
            long dim = b.inputs.getShape().get(1);
            trainer.initialize(new Shape(b.batchSize, dim));
            Initializers.apply(ParameterSpace.of(b.block), b.scheme, b.scale, b.initSeed);
            loop = new ArrayTrainer(trainer, b.inputs, b.labels, b.batchSize, b.orderSeed);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the trained block */
    public Block block() {
        return block;
    }

    /** @return the trainer */
    public Trainer trainer() {
        return trainer;
    }

    /**
     * Replaces the training inputs from the next epoch on (see {@link ArrayTrainer#setInputs(NDArray)}).
     *
     * @param inputs new inputs of the same shape
     */
    public void setInputs(NDArray inputs) {
        loop.setInputs(inputs);
    }

    /** @return optimizer steps so far */
    public long steps() {
        return loop.steps();
    }

    /** @return steps per epoch */
    public long stepsPerEpoch() {
        return loop.stepsPerEpoch();
    }

    /**
     * Runs one epoch.
     *
     * @return the epoch's mean batch loss (non-finite if training diverged)
     */
    public double epoch() {
        return loop.epoch();
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }

    /** Builder of {@link TrainingSession}. */
    public static final class Builder {
        private Block block;
        private Loss loss;
        private OptimizerSpec optimizer;
        private NDArray inputs;
        private NDArray labels;
        private int batchSize = 32;
        private Initializers.Scheme scheme = Initializers.Scheme.HE;
        private double scale = 1;
        private long initSeed;
        private long orderSeed;

        private Builder() {}

        /**
         * @param block an uninitialised block
         * @return this builder
         */
        public Builder setBlock(Block block) {
            this.block = block;
            return this;
        }

        /**
         * @param loss the training loss (a Minima loss)
         * @return this builder
         */
        public Builder setLoss(Loss loss) {
            this.loss = loss;
            return this;
        }

        /**
         * @param optimizer the optimizer
         * @return this builder
         */
        public Builder setOptimizer(OptimizerSpec optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /**
         * @param inputs training inputs (n, d)
         * @param labels training labels, n rows
         * @return this builder
         */
        public Builder setData(NDArray inputs, NDArray labels) {
            this.inputs = inputs;
            this.labels = labels;
            return this;
        }

        /**
         * @param batchSize examples per step
         * @return this builder
         */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param scheme initialisation scheme
         * @param scale factor on every initial weight and bias
         * @param seed seed of the initial weights
         * @return this builder
         */
        public Builder optInitialization(Initializers.Scheme scheme, double scale, long seed) {
            this.scheme = scheme;
            this.scale = scale;
            this.initSeed = seed;
            return this;
        }

        /**
         * @param seed seed of the order in which examples are visited
         * @return this builder
         */
        public Builder optOrderSeed(long seed) {
            this.orderSeed = seed;
            return this;
        }

        /**
         * @return the session, with the block initialised
         * @throws NullPointerException if the block, loss, optimizer or data is missing
         */
        public TrainingSession build() {
            java.util.Objects.requireNonNull(block, "setBlock(block) is required");
            java.util.Objects.requireNonNull(loss, "setLoss(loss) is required");
            java.util.Objects.requireNonNull(optimizer, "setOptimizer(spec) is required");
            java.util.Objects.requireNonNull(inputs, "setData(inputs, labels) is required");
            return new TrainingSession(this);
        }
    }
}
