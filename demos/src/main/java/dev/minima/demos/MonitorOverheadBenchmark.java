package dev.minima.demos;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.autograd.NativeArrays;
import dev.minima.loss.Losses;
import dev.minima.monitor.SharpnessListener;
import dev.minima.util.SeededRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sharpness monitor's cost and accuracy for the {@code bench} subcommand: {@code monitor_overhead} = wall
 * time of SGD steps with the monitor attached at its defaults ({@code SharpnessListener.builder().build()}:
 * every 100 steps, the first 1,000 training examples as probe, measured in the background, the default overhead
 * budget) divided by the same steps without it, minus 1; {@code monitor_lmax_rel_err} = mean over the records
 * of |λ_rec − λ_ref|/λ_ref, λ_ref from Lanczos to a 1e-5 residual on the first 1,000 training examples at the record's weights (a copy of
 * the parameters taken at the record's step, evaluated after the timed run); {@code monitor_records} =
 * records in the monitored run. Workload: 1,000 steps, batch 128, a 784-512-512-10 ReLU MLP, random Gaussian
 * inputs with random class labels (softmax cross-entropy), learning rate 0.01. Both runs start from the same
 * weights and see the same batches; they alternate {@code repeats} times and the medians are compared. The
 * timed region ends after {@code onTrainingEnd}, so waiting for the monitor's last background record counts. A
 * listener that copies the weights at the schedule's steps (for the reference) runs in both runs.
 *
 * <pre>{@code
 * MonitorOverheadBenchmark.Result r = MonitorOverheadBenchmark.builder().build().run();
 * double overhead = r.overhead();
 * }</pre>
 */
public final class MonitorOverheadBenchmark {

    private static final Logger LOGGER = LoggerFactory.getLogger(MonitorOverheadBenchmark.class);

    /**
     * The measurement.
     *
     * @param baselineSeconds median wall time of the steps without the monitor
     * @param monitoredSeconds median wall time of the steps with the monitor
     * @param overhead monitoredSeconds / baselineSeconds − 1 (the specified figure; on a machine shared with
     *     other jobs it drifts with their load between the two runs)
     * @param insideOverhead time inside the monitor / the rest of the monitored run's time, both measured in
     *     the same run (median over repeats): insensitive to load that changes between runs
     * @param cpuOverhead the same ratio as {@code overhead} with process CPU time (all threads) instead of wall
     *     time, or NaN where the JVM cannot tell ({@link dev.minima.demos.support.CpuClock})
     * @param records monitor records per monitored run
     * @param meanProducts mean Hessian-vector products per record
     * @param monitorSeconds time inside the monitor in the last monitored run
     * @param skipped measurements skipped by the overhead budget in the last monitored run
     * @param coalesced due records merged into another because the previous background record was still running
     *     (last run)
     * @param deferred records taken late, at the first step the worker was free (last run)
     * @param slowdownEstimate the monitor's own estimate of how much its background records slowed training, in
     *     seconds (last run; what its overhead budget counts besides its time in the training thread)
     * @param lambdaRelativeError mean relative error of the recorded λ_max against Lanczos on the first 1,000
     *     training examples at the same weights (last monitored run), NaN without records
     * @param maxLambdaRelativeError the largest of those errors
     * @param probeSize the monitor's probe size
     * @param trainingThreads libtorch intra-op threads of the training thread during the runs
     */
    public record Result(double baselineSeconds, double monitoredSeconds, double overhead, double insideOverhead,
            double cpuOverhead, int records, double meanProducts, double monitorSeconds, long skipped, long coalesced,
            long deferred, double slowdownEstimate,
            double lambdaRelativeError, double maxLambdaRelativeError, int probeSize, int trainingThreads) {

        /** @return the figures for a summary.json, {@code monitor_overhead} first */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("monitor_overhead", overhead);
            m.put("monitor_lmax_rel_err", lambdaRelativeError);
            m.put("monitor_records", records);
            m.put("monitor_lmax_rel_err_max", maxLambdaRelativeError);
            m.put("monitor_probe_size", probeSize);
            m.put("monitor_overhead_inside_run", insideOverhead);
            m.put("monitor_overhead_cpu", cpuOverhead);
            m.put("baseline_seconds", baselineSeconds);
            m.put("monitored_seconds", monitoredSeconds);
            m.put("monitor_mean_hvp_products", meanProducts);
            m.put("monitor_seconds", monitorSeconds);
            m.put("monitor_skipped", skipped);
            m.put("monitor_coalesced", coalesced);
            m.put("monitor_deferred", deferred);
            m.put("monitor_slowdown_estimate_seconds", slowdownEstimate);
            m.put("torch_threads", trainingThreads);
            return m;
        }
    }

    private final int steps;
    private final int batchSize;
    private final int every;
    private final int probeSize;
    private final int repeats;
    private final double maxOverhead;
    private final long seed;
    private final boolean background;
    private final boolean lowPriority;
    private final int workerThreads;
    private final double tolerance;
    private final int trainingThreads;
    private double lastCpuEnd;

    private MonitorOverheadBenchmark(Builder b) {
        this.steps = b.steps;
        this.batchSize = b.batchSize;
        this.every = b.every;
        this.probeSize = b.probeSize > 0 ? b.probeSize : SharpnessListener.DEFAULT_PROBE_SIZE;
        this.repeats = b.repeats;
        this.maxOverhead = b.maxOverhead;
        this.seed = b.seed;
        this.background = b.background;
        this.lowPriority = b.lowPriority;
        this.workerThreads = b.workerThreads;
        this.tolerance = b.tolerance;
        this.trainingThreads = b.trainingThreads;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the benchmark (a warm-up run, then {@code repeats} alternating pairs).
     *
     * @return the result
     */
    public Result run() {
        Engine.getEngine("PyTorch"); // loads libtorch before its thread count is read
        int before = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        if (trainingThreads > 0) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(trainingThreads); // this (the training) thread only
        }
        try {
            return measure(ai.djl.pytorch.jni.JniUtils.getNumThreads());
        } finally {
            if (trainingThreads > 0) {
                ai.djl.pytorch.jni.JniUtils.setNumThreads(before);
            }
        }
    }

    private Result measure(int threads) {
        int pool = Math.max(Math.max(probeSize, REFERENCE_EXAMPLES), 8192);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = gaussian(manager, pool, 784, seed);
            NDArray y = labels(manager, pool, seed + 1);
            time(manager, x, y, null, Math.min(steps, 50), new WeightCopies(manager, every, firstRecord()), null); // warm-up: JIT, allocator, libtorch threads
            double[] base = new double[repeats];
            double[] mon = new double[repeats];
            double[] inside = new double[repeats];
            double[] baseCpu = new double[repeats];
            double[] monCpu = new double[repeats];
            SharpnessListener last = null;
            double[] errors = new double[0];
            for (int r = 0; r < repeats; r++) {
                double c0 = dev.minima.demos.support.CpuClock.seconds();
                try (WeightCopies unused = new WeightCopies(manager, every, firstRecord())) {
                    base[r] = time(manager, x, y, null, steps, unused, null);
                }
                double c1 = dev.minima.demos.support.CpuClock.seconds();
                WeightCopies copies = new WeightCopies(manager, every, firstRecord());
                SharpnessListener monitor = monitor();
                double[][] err = new double[1][];
                mon[r] = time(manager, x, y, monitor, steps, copies,
                        model -> err[0] = copies.errors(model, x, y, monitor));
                double c2 = lastCpuEnd;
                copies.close();
                errors = err[0];
                baseCpu[r] = c1 - c0;
                monCpu[r] = c2 - c1;
                inside[r] = monitor.monitorSeconds() / (mon[r] - monitor.monitorSeconds());
                last = monitor;
                LOGGER.info("repeat {}: {} s without, {} s with the monitor ({} records, {} coalesced, {} skipped by the"
                        + " budget, {} s inside it, estimated slowdown {} s); CPU {} s vs {} s", r, base[r], mon[r],
                        monitor.records().size(), monitor.coalesced(), monitor.skipped(), monitor.monitorSeconds(),
                        monitor.backgroundSlowdownSeconds(), baseCpu[r], monCpu[r]);
            }
            double b = median(base);
            double m = median(mon);
            double cpu = median(monCpu) / median(baseCpu) - 1;
            double products = last.records().stream().mapToLong(s -> s.snapshot().products()).average().orElse(0);
            double meanErr = java.util.Arrays.stream(errors).average().orElse(Double.NaN);
            double maxErr = java.util.Arrays.stream(errors).max().orElse(Double.NaN);
            return new Result(b, m, m / b - 1, median(inside), cpu, last.records().size(), products,
                    last.monitorSeconds(), last.skipped(), last.coalesced(),
                    last.records().stream().filter(s -> s.trigger() == dev.minima.monitor.SharpnessRecord.Trigger.DEFERRED)
                            .count(), last.backgroundSlowdownSeconds(), meanErr, maxErr, probeSize, threads);
        }
    }

    /** @return the step of the monitor's first record: when the batches seen hold the probe */
    private long firstRecord() {
        return (probeSize + batchSize - 1) / batchSize - 1;
    }

    /** The listener at its defaults, except where the builder of this benchmark overrides them. */
    private SharpnessListener monitor() {
        SharpnessListener.Builder b = SharpnessListener.builder().optSeed(seed);
        if (probeSize != SharpnessListener.DEFAULT_PROBE_SIZE) {
            b.optProbeSize(probeSize);
        }
        if (!background) {
            b.optBackground(false);
        }
        if (!lowPriority) {
            b.optLowPriority(false);
        }
        if (workerThreads >= 0) {
            b.optWorkerThreads(workerThreads);
        }
        if (!Double.isNaN(tolerance)) {
            b.optSharpnessProbe(dev.minima.monitor.SharpnessProbe.builder().optSeed(seed).optTolerance(tolerance)
                    .build());
        }
        if (every != DEFAULT_EVERY) {
            b.optEvery(every);
        }
        if (!Double.isNaN(maxOverhead)) {
            b.optMaxOverhead(maxOverhead);
        }
        return b.build();
    }

    private static final int DEFAULT_EVERY = 100;
    private static final int REFERENCE_EXAMPLES = 1000;

    /**
     * Copies of the parameters at the monitor's record steps (taken before the step's update, where the
     * monitor takes its snapshot; at the schedule's steps in the run without the monitor, for the same cost),
     * and the reference λ_max at each record's copy, computed after the timed run.
     */
    private static final class WeightCopies extends ai.djl.training.listener.TrainingListenerAdapter
            implements AutoCloseable {
        private final NDManager manager;
        private final int every;
        private final long first;
        private final Map<Long, NDArray> copies = new java.util.HashMap<>();
        private dev.minima.curvature.ParameterSpace space;
        private SharpnessListener monitor;
        private long seen;

        /**
         * @param every the monitor's interval
         * @param first the step at which the monitor's probe is complete, its first record
         */
        WeightCopies(NDManager manager, int every, long first) {
            this.manager = manager.newSubManager();
            this.every = every;
            this.first = first;
        }

        void watch(Model model) {
            space = dev.minima.curvature.ParameterSpace.of(model.getBlock());
        }

        /**
         * Copies the weights wherever this monitor starts a record (it runs before this listener), including
         * records taken late because the worker was busy, instead of at the schedule's steps.
         */
        void follow(SharpnessListener monitor) {
            this.monitor = monitor;
        }

        @Override
        public void onTrainingBatch(Trainer trainer, BatchData batchData) {
            long step = seen++;
            boolean recorded = monitor == null ? step % every == 0 || step == first : monitor.lastRecordStep() == step;
            if (recorded) {
                copies.put(step, space.values(manager));
            }
        }

        /** Relative errors of the records against Lanczos on the first 1,000 examples at the same weights. */
        double[] errors(Model model, NDArray x, NDArray y, SharpnessListener monitor) {
            java.util.List<dev.minima.monitor.SharpnessRecord> records = monitor.records();
            double[] out = new double[records.size()];
            try (NDManager scope = manager.newSubManager()) {
                NDArray px = x.get("0:" + REFERENCE_EXAMPLES);
                NDArray py = y.get("0:" + REFERENCE_EXAMPLES);
                px.attach(scope);
                py.attach(scope);
                for (int i = 0; i < out.length; i++) {
                    NDArray weights = copies.get(records.get(i).step());
                    if (weights == null) {
                        throw new IllegalStateException("no weight copy at step " + records.get(i).step());
                    }
                    space.assign(weights);
                    try (dev.minima.curvature.Objective o = dev.minima.curvature.Objective.builder()
                            .setBlock(model.getBlock()).setLoss(Losses.softmaxCrossEntropy()).addBatch(px, py).build();
                            dev.minima.curvature.HessianOperator h = dev.minima.curvature.HessianOperator.of(o)) {
                        double ref = dev.minima.curvature.Lanczos.builder().optTolerance(1e-5).optMaxIterations(150)
                                .optSeed(seed(i)).build().run(h).value(0);
                        out[i] = Math.abs(records.get(i).lambdaMax() - ref) / ref;
                        LOGGER.info("record at step {}: lambda_max {} vs {} on the first {} examples (rel err {})",
                                records.get(i).step(), records.get(i).lambdaMax(), ref, REFERENCE_EXAMPLES, out[i]);
                    }
                }
            }
            return out;
        }

        private static long seed(int i) {
            return 1000 + i;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** Wall time of {@code n} SGD steps from the seeded initial weights; {@code after} runs untimed at the end. */
    private double time(NDManager manager, NDArray x, NDArray y, SharpnessListener monitor, int n,
            WeightCopies watch, java.util.function.Consumer<Model> after) {
        try (Model model = Model.newInstance("bench")) {
            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(10).build()));
            Engine.getInstance().setRandomSeed((int) seed);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Losses.softmaxCrossEntropy())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build())
                    .addTrainingListeners(monitor == null ? new TrainingListener[] {watch}
                            : new TrainingListener[] {monitor, watch}); // the copy follows the monitor's snapshot
            if (monitor != null) {
                watch.follow(monitor);
            }
            long pool = x.getShape().get(0);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 784));
                watch.watch(model);
                long t0 = System.nanoTime();
                for (int s = 0; s < n; s++) {
                    long start = (long) s * batchSize % (pool - batchSize + 1);
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray xv = x.get(start + ":" + (start + batchSize));
                        NDArray yv = y.get(start + ":" + (start + batchSize));
                        xv.attach(scope);
                        yv.attach(scope);
                        NDArray xb = xv.duplicate(); // a Batch takes its arrays over: give it copies
                        NDArray yb = yv.duplicate();
                        Batch batch = new Batch(scope, new NDList(xb), new NDList(yb), batchSize, null, null, s, n);
                        EasyTrain.trainBatch(trainer, batch);
                        trainer.step();
                    }
                }
                trainer.notifyListeners(l -> l.onTrainingEnd(trainer)); // the monitor delivers its last record
                double seconds = (System.nanoTime() - t0) * 1e-9;
                lastCpuEnd = dev.minima.demos.support.CpuClock.seconds(); // before the untimed reference computation
                if (after != null) {
                    after.accept(model);
                }
                return seconds;
            }
        }
    }

    /** @return rows × cols standard Gaussian float32 entries from the seed (the workload's inputs) */
    static NDArray gaussian(NDManager m, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) SeededRandom.gaussian(r);
        }
        return NativeArrays.of(m, v, new Shape(rows, cols), DataType.FLOAT32);
    }

    /** @return rows uniform class labels 0..9 from the seed (the workload's random labels) */
    static NDArray labels(NDManager m, int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows];
        for (int i = 0; i < rows; i++) {
            v[i] = r.nextInt(10);
        }
        return NativeArrays.of(m, v, new Shape(rows), DataType.FLOAT32);
    }

    private static double median(double[] a) {
        return dev.minima.util.Numerics.median(a);
    }

    /**
     * Runs the benchmark with default settings and prints the result as JSON.
     *
     * @param args optional, {@code -} for the default: repeats, the overhead budget (0 = measure on schedule), the
     *     probe size, the interval, background (true/false), low priority (true/false), worker threads, Lanczos
     *     tolerance, training threads
     */
    public static void main(String[] args) {
        Builder b = builder();
        if (args.length > 0) {
            b.optRepeats(Integer.parseInt(args[0]));
        }
        if (args.length > 1 && !args[1].equals("-")) {
            b.optMaxOverhead(Double.parseDouble(args[1]));
        }
        if (args.length > 2 && !args[2].equals("-")) {
            b.optProbeSize(Integer.parseInt(args[2]));
        }
        if (args.length > 3 && !args[3].equals("-")) {
            b.optEvery(Integer.parseInt(args[3]));
        }
        if (args.length > 4 && !args[4].equals("-")) {
            b.optBackground(Boolean.parseBoolean(args[4]));
        }
        if (args.length > 5 && !args[5].equals("-")) {
            b.optLowPriority(Boolean.parseBoolean(args[5]));
        }
        if (args.length > 6 && !args[6].equals("-")) {
            b.optWorkerThreads(Integer.parseInt(args[6]));
        }
        if (args.length > 7 && !args[7].equals("-")) {
            b.optTolerance(Double.parseDouble(args[7]));
        }
        if (args.length > 8 && !args[8].equals("-")) {
            b.optTrainingThreads(Integer.parseInt(args[8]));
        }
        System.out.println(DemoCommand.GSON.toJson(b.build().run().toMap()));
    }

    /** Builder of {@link MonitorOverheadBenchmark}. */
    public static final class Builder {
        private int steps = 1000;
        private int batchSize = 128;
        private int every = 100;
        private int probeSize;
        private int repeats = 1;
        private double maxOverhead = Double.NaN;
        private long seed;
        private boolean background = true;
        private boolean lowPriority = true;
        private int workerThreads = -1;
        private double tolerance = Double.NaN;
        private int trainingThreads;

        private Builder() {}

        /**
         * @param threads libtorch intra-op threads of the training thread during the runs (restored after), e.g.
         *     one fewer than the cores to leave one to the monitor's worker; 0 (default) keeps the current count
         * @return this builder
         */
        public Builder optTrainingThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("training threads must be >= 0, got " + threads);
            }
            this.trainingThreads = threads;
            return this;
        }

        /**
         * @param tolerance the Lanczos tolerance of the monitor's probe (default: the listener's {@link
         *     SharpnessListener#DEFAULT_TOLERANCE})
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /**
         * @param background the monitor's {@link SharpnessListener.Builder#optBackground} (default: the listener's)
         * @return this builder
         */
        public Builder optBackground(boolean background) {
            this.background = background;
            return this;
        }

        /**
         * @param lowPriority the monitor's {@link SharpnessListener.Builder#optLowPriority} (default: the listener's)
         * @return this builder
         */
        public Builder optLowPriority(boolean lowPriority) {
            this.lowPriority = lowPriority;
            return this;
        }

        /**
         * @param threads the monitor's {@link SharpnessListener.Builder#optWorkerThreads} (default: the listener's)
         * @return this builder
         */
        public Builder optWorkerThreads(int threads) {
            this.workerThreads = threads;
            return this;
        }

        /**
         * @param steps SGD steps per run (default 1000)
         * @return this builder
         */
        public Builder optSteps(int steps) {
            this.steps = positive(steps, "steps");
            return this;
        }

        /**
         * @param batchSize batch size (default 128)
         * @return this builder
         */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = positive(batchSize, "batch size");
            return this;
        }

        /**
         * @param every monitor interval in steps (default 100)
         * @return this builder
         */
        public Builder optEvery(int every) {
            this.every = positive(every, "monitor interval");
            return this;
        }

        /**
         * @param probeSize probe examples (default: the listener's default)
         * @return this builder
         */
        public Builder optProbeSize(int probeSize) {
            this.probeSize = positive(probeSize, "probe size");
            return this;
        }

        /**
         * @param repeats alternating pairs of runs, medians compared (default 1)
         * @return this builder
         */
        public Builder optRepeats(int repeats) {
            this.repeats = positive(repeats, "repeats");
            return this;
        }

        /**
         * @param fraction the monitor's overhead budget ({@link SharpnessListener.Builder#optMaxOverhead}); 0
         *     measures on schedule; default: the listener's default
         * @return this builder
         */
        public Builder optMaxOverhead(double fraction) {
            this.maxOverhead = fraction;
            return this;
        }

        /**
         * @param seed seed of the data, the weights and the Lanczos start (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the benchmark */
        public MonitorOverheadBenchmark build() {
            return new MonitorOverheadBenchmark(this);
        }

        private static int positive(int v, String what) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be positive, got " + v);
            }
            return v;
        }
    }
}
