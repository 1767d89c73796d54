package dev.minima.curvature;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.util.ProgressBar;
import dev.minima.loss.DjlLosses;
import dev.minima.loss.MinimaLoss;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The front door to curvature: the loss landscape of a DJL model (or block) on a dataset (or one batch), with
 * the usual questions answered by good defaults and a DJL progress bar.
 *
 * <pre>{@code
 * try (Curvature c = Curvature.of(model, Losses.softmaxCrossEntropy(), dataset)) {
 *     Eigenpairs top = c.topEigenvalues(3);            // λ₁..λ₃, each with its residual ‖Hv − λv‖
 *     TraceEstimate trace = c.trace();                 // tr(H) ± its standard error
 *     SpectralDensityEstimate density = c.density();   // stochastic Lanczos quadrature
 *     Eigenpairs layer = c.forParameter("01Linear_weight").topEigenvalue();   // one parameter block
 * }
 * }</pre>
 *
 * <p>What it does with what you give it:
 * <ul>
 *   <li>The data: a {@link Dataset} is streamed (every Hessian-vector product iterates its batches again, so
 *       memory does not grow with the dataset; the objective is the mean loss over all its examples); a dataset
 *       of one batch, or one {@link Batch}, is kept resident and its gradient graph is built once.</li>
 *   <li>The matrix: the exact Hessian by default, or the generalised Gauss–Newton matrix ({@link
 *       Builder#optMatrix(Matrix)}).</li>
 *   <li>The mode: inference mode by default (batch norm uses its running statistics, dropout is off), so the
 *       Hessian is that of the function the model computes at evaluation time and is deterministic. In training
 *       mode ({@link Builder#optTraining(boolean)}) running statistics are restored after every pass, and with
 *       dropout on a streamed dataset the operator is random, which the results say
 *       ({@link Eigenpairs#deterministic()}).</li>
 *   <li>The loss: Minima's GC-safe losses ({@code dev.minima.loss.Losses}); DJL's built-in losses are
 *       mapped to their GC-safe equivalents ({@link DjlLosses}), since their Java-number constants can make
 *       second derivatives silently wrong; other losses are accepted with a warning.</li>
 * </ul>
 *
 * <p>A {@code Curvature} measures the parameters as they are at each call; with a single resident batch the
 * gradient graph is built at the first question and kept, so after changing the parameters make a new one.
 * The estimators it calls ({@link Lanczos}, {@link Hutchinson}, {@link SpectralDensity}), the operators
 * ({@link HessianOperator}, {@link GaussNewtonOperator}, {@link RestrictedOperator}) and the results stay
 * public for full control; {@link #operator()} gives the operator to pass to them.
 */
public final class Curvature implements AutoCloseable {

    /** Which curvature matrix. */
    public enum Matrix {
        /** The exact Hessian of the loss. */
        HESSIAN,
        /** The generalised Gauss–Newton matrix JᵀH_ℓJ (positive semi-definite for convex losses). */
        GAUSS_NEWTON
    }

    private final Objective objective;
    private final SymmetricOperator operator;
    private final AutoCloseable owned;
    private final Settings settings;
    private final String label;

    private Curvature(Objective objective, SymmetricOperator operator, AutoCloseable owned, Settings settings,
            String label) {
        this.objective = objective;
        this.operator = operator;
        this.owned = owned;
        this.settings = settings;
        this.label = label;
    }

    /**
     * The curvature of a model's loss over a whole dataset, with the default settings.
     *
     * @param model a model with an initialised (trained or loaded) block
     * @param loss the loss, one of {@code dev.minima.loss.Losses}
     * @param dataset the data; streamed, so it may be larger than memory
     * @return the front door; close it
     */
    public static Curvature of(Model model, Loss loss, Dataset dataset) {
        return builder().setModel(model).setLoss(loss).setDataset(dataset).build();
    }

    /**
     * The curvature of a block's loss over a whole dataset, with the default settings.
     *
     * @param block an initialised block
     * @param loss the loss, one of {@code dev.minima.loss.Losses}
     * @param dataset the data; streamed, so it may be larger than memory
     * @return the front door; close it
     */
    public static Curvature of(Block block, Loss loss, Dataset dataset) {
        return builder().setBlock(block).setLoss(loss).setDataset(dataset).build();
    }

    /**
     * The curvature of a model's loss on one batch, with the default settings.
     *
     * @param model a model with an initialised block
     * @param loss the loss, one of {@code dev.minima.loss.Losses}
     * @param batch the batch (copied; the caller still closes it)
     * @return the front door; close it
     */
    public static Curvature of(Model model, Loss loss, Batch batch) {
        return builder().setModel(model).setLoss(loss).setBatch(batch).build();
    }

    /**
     * The curvature of a block's loss on one batch, with the default settings.
     *
     * @param block an initialised block
     * @param loss the loss, one of {@code dev.minima.loss.Losses}
     * @param batch the batch (copied; the caller still closes it)
     * @return the front door; close it
     */
    public static Curvature of(Block block, Loss loss, Batch batch) {
        return builder().setBlock(block).setLoss(loss).setBatch(batch).build();
    }

    /** @return a builder for settings other than the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The k largest eigenvalues by Lanczos (tolerance, iteration cap and seed from the builder).
     *
     * @param k how many, ≥ 1
     * @return the eigenpairs, largest first, each with its residual ‖Hv − λv‖
     */
    public Eigenpairs topEigenvalues(int k) {
        return eigenvalues(k, Lanczos.Which.LARGEST, k == 1 ? "lambda_max" : "top " + k);
    }

    /**
     * The largest eigenvalue, λ_max (the sharpness).
     *
     * @return one eigenpair with its residual; {@code .max()} is λ_max
     */
    public Eigenpairs topEigenvalue() {
        return topEigenvalues(1);
    }

    /**
     * The k smallest (most negative) eigenvalues by Lanczos.
     *
     * @param k how many, ≥ 1
     * @return the eigenpairs, smallest first
     */
    public Eigenpairs bottomEigenvalues(int k) {
        return eigenvalues(k, Lanczos.Which.SMALLEST, k == 1 ? "lambda_min" : "bottom " + k);
    }

    private Eigenpairs eigenvalues(int k, Lanczos.Which which, String what) {
        Lanczos lanczos = Lanczos.builder().optTopK(k).optWhich(which).optTolerance(settings.tolerance)
                .optMaxIterations(settings.maxIterations).optSeed(settings.seed).build();
        return withProgress(what, settings.maxIterations + k, lanczos::run);
    }

    /**
     * The trace by Hutchinson's estimator with Rademacher probes, stopping at the builder's target relative
     * standard error (default 1%) or sample cap (default 100).
     *
     * @return tr(H) with its standard error
     */
    public TraceEstimate trace() {
        Hutchinson hutchinson = Hutchinson.builder().optSamples(settings.traceSamples)
                .optMinSamples(Math.min(10, settings.traceSamples))
                .optTargetRelativeError(settings.traceRelativeError).optSeed(settings.seed).build();
        return withProgress("trace", settings.traceSamples, hutchinson::run);
    }

    /**
     * The spectral density by stochastic Lanczos quadrature (probes and Lanczos steps from the builder,
     * defaults 1 and 90, as PyHessian's density).
     *
     * @return the smoothed density with its quadrature nodes and weights
     */
    public SpectralDensityEstimate density() {
        SpectralDensity slq = SpectralDensity.builder().optProbes(settings.densityProbes)
                .optLanczosSteps(settings.densitySteps).optSeed(settings.seed).build();
        return withProgress("density", (long) settings.densityProbes * settings.densitySteps, slq::run);
    }

    /**
     * The same questions for one parameter block (per-layer curvature): the principal sub-block of the matrix
     * on that parameter's coordinates. The view shares this object's data and graph; closing it does nothing.
     *
     * @param name a parameter name as in {@code block.getParameters()}, e.g. {@code "01Linear_weight"}
     * @return the restricted view
     * @throws IllegalArgumentException if no parameter has that name, listing the names there are
     */
    public Curvature forParameter(String name) {
        Objects.requireNonNull(name, "name");
        return forParameters(name::equals, name);
    }

    /**
     * The same questions restricted to several parameters, e.g. {@code n -> n.startsWith("01Linear")} for a
     * layer's weight and bias.
     *
     * @param names which parameter names to keep
     * @return the restricted view (closing it does nothing)
     * @throws IllegalArgumentException if no parameter matches, listing the names there are
     */
    public Curvature forParameters(Predicate<String> names) {
        return forParameters(names, "selected parameters");
    }

    private Curvature forParameters(Predicate<String> names, String what) {
        ParameterSpace space = objective.space();
        if (!(operator instanceof BatchedCurvatureOperator)) {
            throw new IllegalStateException("this view is already restricted: call forParameter on the full one");
        }
        List<RestrictedOperator.Range> ranges;
        try {
            ranges = RestrictedOperator.ranges(space, names);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no parameter matches '" + what + "'; the parameters are "
                    + space.names(), e);
        }
        return new Curvature(objective, RestrictedOperator.of(operator, ranges), null, settings, what);
    }

    /** @return the names of the parameters the matrix is taken with respect to, in order */
    public List<String> parameterNames() {
        return objective.space().names();
    }

    /** @return the operator (for the estimators' own builders) */
    public SymmetricOperator operator() {
        return operator;
    }

    /** @return the objective: block, loss and data */
    public Objective objective() {
        return objective;
    }

    /** @return the objective's value, the mean loss over the data */
    public double loss() {
        return objective.value();
    }

    /** Frees the retained graph and the resident data; a view made by {@code forParameter} frees nothing. */
    @Override
    public void close() {
        if (owned == null) {
            return;
        }
        try {
            owned.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            objective.close();
        }
    }

    private <R> R withProgress(String what, long total, java.util.function.Function<SymmetricOperator, R> run) {
        if (!settings.progress) {
            return run.apply(operator);
        }
        ProgressBar bar = new ProgressBar(label == null ? what : what + ", " + label, total);
        bar.start(0);
        try {
            return run.apply(new Counted(operator, bar));
        } finally {
            bar.end();
        }
    }

    /** The operator, ticking a progress bar at every product. */
    private static final class Counted implements SymmetricOperator {
        private final SymmetricOperator op;
        private final ProgressBar bar;

        Counted(SymmetricOperator op, ProgressBar bar) {
            this.op = op;
            this.bar = bar;
        }

        @Override
        public long dimension() {
            return op.dimension();
        }

        @Override
        public DataType dataType() {
            return op.dataType();
        }

        @Override
        public ai.djl.Device device() {
            return op.device();
        }

        @Override
        public boolean isDeterministic() {
            return op.isDeterministic();
        }

        @Override
        public NDArray apply(NDArray vector) {
            NDArray r = op.apply(vector);
            bar.increment(1);
            return r;
        }
    }

    private record Settings(double tolerance, int maxIterations, long seed, int traceSamples,
            double traceRelativeError, int densityProbes, int densitySteps, boolean progress) {}

    /**
     * Maps DJL's built-in losses to their GC-safe Minima equivalents ({@link DjlLosses#toGcSafe}); Minima's
     * losses and user losses pass unchanged (the objective warns about the latter once).
     *
     * @param loss the loss given
     * @return the loss to differentiate
     * @throws IllegalArgumentException if a DJL loss has no GC-safe equivalent, naming the way out
     */
    static Loss gcSafe(Loss loss) {
        if (loss instanceof MinimaLoss || !loss.getClass().getName().startsWith("ai.djl.training.loss.")) {
            return loss;
        }
        return DjlLosses.toGcSafe(loss);
    }

    /** Builder of {@link Curvature}. */
    public static final class Builder {
        private Block block;
        private String modelName;
        private Loss loss;
        private Dataset dataset;
        private NDList batchData;
        private NDList batchLabels;
        private Matrix matrix = Matrix.HESSIAN;
        private boolean training;
        private int cacheBatches;
        private double tolerance = 1e-3;
        private int maxIterations = 100;
        private long seed;
        private int traceSamples = 100;
        private double traceRelativeError = 0.01;
        private int densityProbes = 1;
        private int densitySteps = 90;
        private boolean progress = true;

        private Builder() {}

        /**
         * Sets the model (its block is used).
         *
         * @param model a model with an initialised block
         * @return this builder
         */
        public Builder setModel(Model model) {
            Objects.requireNonNull(model, "model");
            if (model.getBlock() == null) {
                throw new IllegalArgumentException("model '" + model.getName() + "' has no block: call"
                        + " model.setBlock(block) (and initialise it) or Model.load a saved model first");
            }
            this.block = model.getBlock();
            this.modelName = model.getName();
            return this;
        }

        /**
         * Sets the block.
         *
         * @param block an initialised block
         * @return this builder
         */
        public Builder setBlock(Block block) {
            this.block = Objects.requireNonNull(block, "block");
            return this;
        }

        /**
         * Sets the loss.
         *
         * @param loss one of {@code dev.minima.loss.Losses}, or a DJL built-in loss (mapped to its GC-safe
         *     equivalent)
         * @return this builder
         */
        public Builder setLoss(Loss loss) {
            this.loss = gcSafe(Objects.requireNonNull(loss, "loss"));
            return this;
        }

        /**
         * Sets the data to a dataset (streamed).
         *
         * @param dataset a DJL dataset that gives the same batches on every pass (no shuffling)
         * @return this builder
         */
        public Builder setDataset(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            return this;
        }

        /**
         * Sets the data to one batch.
         *
         * @param batch a DJL batch (copied; the caller still closes it)
         * @return this builder
         */
        public Builder setBatch(Batch batch) {
            Objects.requireNonNull(batch, "batch");
            return setBatch(batch.getData(), batch.getLabels());
        }

        /**
         * Sets the data to one batch of inputs and labels.
         *
         * @param data the block's inputs, batch first (copied)
         * @param labels the loss's labels (copied)
         * @return this builder
         */
        public Builder setBatch(NDList data, NDList labels) {
            this.batchData = Objects.requireNonNull(data, "data");
            this.batchLabels = Objects.requireNonNull(labels, "labels");
            return this;
        }

        /**
         * Sets the data to one batch of a single input and a single label array.
         *
         * @param data the inputs, batch first (copied)
         * @param labels the labels (copied)
         * @return this builder
         */
        public Builder setBatch(NDArray data, NDArray labels) {
            return setBatch(new NDList(data), new NDList(labels));
        }

        /**
         * Chooses the matrix.
         *
         * @param matrix the Hessian (default) or the Gauss–Newton matrix
         * @return this builder
         */
        public Builder optMatrix(Matrix matrix) {
            this.matrix = Objects.requireNonNull(matrix, "matrix");
            return this;
        }

        /**
         * Chooses the block's mode.
         *
         * @param training true for training mode (batch statistics, dropout on); default false (inference
         *     mode). Running statistics are restored after every pass either way.
         * @return this builder
         */
        public Builder optTraining(boolean training) {
            this.training = training;
            return this;
        }

        /**
         * Keeps the dataset's first batches in native memory instead of reading them again on every pass.
         *
         * @param batches how many batches to keep (default 0)
         * @return this builder
         */
        public Builder optCacheBatches(int batches) {
            this.cacheBatches = batches;
            return this;
        }

        /**
         * Sets Lanczos's stopping rule.
         *
         * @param tolerance stop when every residual ≤ tolerance·|λ| (default 1e-3)
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /**
         * Caps Lanczos's products.
         *
         * @param maxIterations the most products of one eigenvalue question (default 100)
         * @return this builder
         */
        public Builder optMaxIterations(int maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * Seeds every random draw (start vectors and probes).
         *
         * @param seed the seed (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets the trace estimate's budget.
         *
         * @param samples the most Hutchinson probes (default 100)
         * @param relativeError stop once the standard error is below this fraction of the estimate (default
         *     0.01; 0 to always use every probe)
         * @return this builder
         */
        public Builder optTrace(int samples, double relativeError) {
            if (samples < 1) {
                throw new IllegalArgumentException("trace samples must be at least 1, got " + samples);
            }
            this.traceSamples = samples;
            this.traceRelativeError = relativeError;
            return this;
        }

        /**
         * Sets the spectral density's budget.
         *
         * @param probes random probes (default 1)
         * @param steps Lanczos steps per probe (default 90)
         * @return this builder
         */
        public Builder optDensity(int probes, int steps) {
            if (probes < 1 || steps < 1) {
                throw new IllegalArgumentException("density needs probes ≥ 1 and steps ≥ 1, got " + probes + ", "
                        + steps);
            }
            this.densityProbes = probes;
            this.densitySteps = steps;
            return this;
        }

        /**
         * Turns the DJL progress bar on or off.
         *
         * @param progress whether to show a progress bar during each question (default true)
         * @return this builder
         */
        public Builder optProgressBar(boolean progress) {
            this.progress = progress;
            return this;
        }

        /**
         * Builds the front door: reads the data once to check it and runs the block and loss on its first batch.
         *
         * @return the front door; close it
         * @throws IllegalArgumentException naming the fix if the block is not initialised, the data are missing or
         *     empty, or the labels do not fit the loss
         */
        public Curvature build() {
            if (block == null) {
                throw new IllegalArgumentException("no model: call setModel(model) or setBlock(block)");
            }
            if (loss == null) {
                throw new IllegalArgumentException("no loss: call setLoss(...) with one of dev.minima.loss.Losses");
            }
            if ((dataset == null) == (batchData == null)) {
                throw new IllegalArgumentException(dataset == null
                        ? "no data: call setDataset(dataset) or setBatch(batch)"
                        : "both a dataset and a batch were given: choose one");
            }
            if (!block.isInitialized()) {
                throw new IllegalArgumentException("block " + (modelName != null ? "of model '" + modelName + "' " : "")
                        + block.getClass().getSimpleName() + " is not initialised: call block.initialize(manager,"
                        + " DataType.FLOAT32, inputShape) with the shape of one input batch, or train or Model.load it,"
                        + " before measuring its curvature");
            }
            Objective.Builder ob = Objective.builder().setBlock(block).setLoss(loss).optTraining(training)
                    .optCacheBatches(cacheBatches);
            if (dataset != null) {
                ob.optDataset(dataset);
            } else {
                ob.addBatch(batchData, batchLabels);
            }
            Objective objective = ob.build();
            try {
                BatchedCurvatureOperator<?> op = matrix == Matrix.HESSIAN
                        ? HessianOperator.of(objective) : GaussNewtonOperator.of(objective);
                Settings s = new Settings(tolerance, maxIterations, seed, traceSamples, traceRelativeError,
                        densityProbes, densitySteps, progress);
                return new Curvature(objective, op, op, s, null);
            } catch (RuntimeException e) {
                objective.close();
                throw e;
            }
        }
    }
}
