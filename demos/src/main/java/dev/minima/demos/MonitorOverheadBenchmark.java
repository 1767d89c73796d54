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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sharpness monitor's cost for the {@code bench} subcommand: {@code monitor_overhead} = wall time of
 * SGD steps with the monitor attached divided by the same steps without it, minus 1. Defaults: 1,000 steps,
 * batch 128, a 784-512-512-10 ReLU MLP, random Gaussian inputs with random class labels (softmax
 * cross-entropy), learning rate 0.01, the monitor every 100 steps on a 1,000-example probe (λ_max only,
 * warm-started Lanczos, tolerance 1e-3). Both runs start from the same weights and see the same batches;
 * they alternate {@code repeats} times and the medians are compared.
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
     *     time, or NaN where /proc/self/stat is unavailable
     * @param records monitor records per monitored run
     * @param meanProducts mean Hessian-vector products per record
     * @param monitorSeconds time inside the monitor in the last monitored run
     * @param skipped measurements skipped by the overhead budget in the last monitored run
     */
    public record Result(double baselineSeconds, double monitoredSeconds, double overhead, double insideOverhead,
            double cpuOverhead, int records, double meanProducts, double monitorSeconds, long skipped) {

        /** @return the figures for a summary.json, {@code monitor_overhead} first */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("monitor_overhead", overhead);
            m.put("monitor_overhead_inside_run", insideOverhead);
            m.put("monitor_overhead_cpu", cpuOverhead);
            m.put("baseline_seconds", baselineSeconds);
            m.put("monitored_seconds", monitoredSeconds);
            m.put("monitor_records", records);
            m.put("monitor_mean_hvp_products", meanProducts);
            m.put("monitor_seconds", monitorSeconds);
            m.put("monitor_skipped", skipped);
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

    private MonitorOverheadBenchmark(Builder b) {
        this.steps = b.steps;
        this.batchSize = b.batchSize;
        this.every = b.every;
        this.probeSize = b.probeSize;
        this.repeats = b.repeats;
        this.maxOverhead = b.maxOverhead;
        this.seed = b.seed;
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
        int pool = Math.max(probeSize, 8192);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = gaussian(manager, pool, 784, seed);
            NDArray y = labels(manager, pool, seed + 1);
            time(manager, x, y, null, Math.min(steps, 50)); // warm-up: JIT, allocator, libtorch threads
            double[] base = new double[repeats];
            double[] mon = new double[repeats];
            double[] inside = new double[repeats];
            double[] baseCpu = new double[repeats];
            double[] monCpu = new double[repeats];
            SharpnessListener last = null;
            for (int r = 0; r < repeats; r++) {
                double c0 = cpuSeconds();
                base[r] = time(manager, x, y, null, steps);
                double c1 = cpuSeconds();
                SharpnessListener monitor = monitor(x, y);
                mon[r] = time(manager, x, y, monitor, steps);
                double c2 = cpuSeconds();
                baseCpu[r] = c1 - c0;
                monCpu[r] = c2 - c1;
                inside[r] = monitor.monitorSeconds() / (mon[r] - monitor.monitorSeconds());
                last = monitor;
                LOGGER.info("repeat {}: {} s without, {} s with the monitor ({} records, {} s inside it); CPU {} s vs"
                        + " {} s", r, base[r], mon[r], monitor.records().size(), monitor.monitorSeconds(), baseCpu[r],
                        monCpu[r]);
            }
            double b = median(base);
            double m = median(mon);
            double cpu = median(monCpu) / median(baseCpu) - 1;
            double products = last.records().stream().mapToLong(s -> s.snapshot().products()).average().orElse(0);
            return new Result(b, m, m / b - 1, median(inside), cpu, last.records().size(), products,
                    last.monitorSeconds(), last.skipped());
        }
    }

    private SharpnessListener monitor(NDArray x, NDArray y) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray px = x.get("0:" + probeSize);
            NDArray py = y.get("0:" + probeSize);
            px.attach(scope);
            py.attach(scope);
            return SharpnessListener.builder().optEvery(every).optLearningRate(0.01)
                    .optLoss(Losses.softmaxCrossEntropy()).optProbe(px, py).optAtEpochEnd(false).optSeed(seed)
                    .optMaxOverhead(maxOverhead).build();
        }
    }

    /** Wall time of {@code n} SGD steps from the seeded initial weights. */
    private double time(NDManager manager, NDArray x, NDArray y, SharpnessListener monitor, int n) {
        try (Model model = Model.newInstance("bench")) {
            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(10).build()));
            Engine.getInstance().setRandomSeed((int) seed);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Losses.softmaxCrossEntropy())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build())
                    .addTrainingListeners(monitor == null ? new TrainingListener[0] : new TrainingListener[] {monitor});
            long pool = x.getShape().get(0);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 784));
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
                return (System.nanoTime() - t0) * 1e-9;
            }
        }
    }

    private static NDArray gaussian(NDManager m, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        return NativeArrays.of(m, v, new Shape(rows, cols), DataType.FLOAT32);
    }

    private static NDArray labels(NDManager m, int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows];
        for (int i = 0; i < rows; i++) {
            v[i] = r.nextInt(10);
        }
        return NativeArrays.of(m, v, new Shape(rows), DataType.FLOAT32);
    }

    /** Process CPU time (user + system, every thread including libtorch's) from /proc/self/stat, or NaN. */
    private static double cpuSeconds() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            return ticks / 100.0; // USER_HZ is 100 on Linux
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    /**
     * Runs the benchmark with default settings and prints the result as JSON.
     *
     * @param args optional: repeats, then the overhead budget (0 = measure on schedule)
     */
    public static void main(String[] args) {
        Builder b = builder();
        if (args.length > 0) {
            b.optRepeats(Integer.parseInt(args[0]));
        }
        if (args.length > 1) {
            b.optMaxOverhead(Double.parseDouble(args[1]));
        }
        System.out.println(DemoCommand.GSON.toJson(b.build().run().toMap()));
    }

    /** Builder of {@link MonitorOverheadBenchmark}. */
    public static final class Builder {
        private int steps = 1000;
        private int batchSize = 128;
        private int every = 100;
        private int probeSize = 1000;
        private int repeats = 1;
        private double maxOverhead;
        private long seed;

        private Builder() {}

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
         * @param probeSize probe examples (default 1000)
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
         *     (default) measures on schedule
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
