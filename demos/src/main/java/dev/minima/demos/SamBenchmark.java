package dev.minima.demos;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import dev.minima.data.XorData;
import dev.minima.demos.samxor.ReluMlp;
import dev.minima.loss.Losses;
import dev.minima.sam.SamSchedule;
import dev.minima.sam.SamStep;
import dev.minima.sam.SamStepsResult;
import dev.minima.sam.SharpnessAware;
import dev.minima.util.Numerics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measures the cost of sharpness-aware steps against plain DJL steps, for the {@code bench} report.
 *
 * <ul>
 *   <li>{@code sgd_step_ms}, {@code sam_step_ms}, {@code sam_over_sgd}: a 784-512-512-10 ReLU MLP on a random
 *       batch of 128 (Minima's softmax cross-entropy, plain SGD): {@code EasyTrain.trainBatch + trainer.step()}
 *       against {@link SamStep#step}. Two forward–backward passes make 2 the floor of the ratio.
 *   <li>{@code one_sam_step_us}: 1-SAM (batch 1, MSE, SGD lr 0.01, ρ = 0.05) on Wen et al.'s (2023) xor network:
 *       d = 30, width 500, first-layer bias (docs/theory.md §4), with one libtorch thread (restored afterwards),
 *       per step of one {@link SamStep#steps} call over a shuffled epoch of 100 examples; {@code
 *       one_sam_step_single_call_us} is the same step with one {@link SamStep#step} call per step.
 * </ul>
 * SGD and SAM steps alternate, each on a fresh copy of the batch that is closed inside the timed region (as in
 * {@code EasyTrain.fit}); each figure is the median over rounds, so a burst of load on a shared machine hits
 * both alike. The {@code _cpu_} figures are the calling thread's CPU time, which with one libtorch thread is
 * all the work without the waiting a loaded machine adds. All arrays are float32 on the default device.
 */
public final class SamBenchmark {

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private SamBenchmark() {}

    /**
     * Runs with 5 warm-up rounds and 30 measured rounds.
     *
     * @param seed seed of the weights and data
     * @return the figures, in order
     */
    public static Map<String, Object> run(long seed) {
        return run(5, 30, seed);
    }

    /**
     * @param warmupRounds rounds run before measuring (JIT, allocator)
     * @param rounds measured rounds
     * @param seed seed of the weights and data
     * @return {@code sgd_step_ms}, {@code sam_step_ms}, {@code sam_over_sgd}, {@code one_sam_step_us} and the
     *     settings they were measured with
     */
    public static Map<String, Object> run(int warmupRounds, int rounds, long seed) {
        if (warmupRounds < 0 || rounds < 1) {
            throw new IllegalArgumentException("need warmupRounds ≥ 0 and rounds ≥ 1, got " + warmupRounds + ", "
                    + rounds);
        }
        Engine.getInstance(); // loads libtorch before its thread settings are read
        Map<String, Object> out = new LinkedHashMap<>();
        double[][] mlp = mlpRounds(warmupRounds, rounds, seed);
        double sgd = median(mlp[0]);
        double sam = median(mlp[1]);
        out.put("sgd_step_ms", sgd);
        out.put("sam_step_ms", sam);
        out.put("sam_over_sgd", sam / sgd);
        out.put("m1_sam_step_ms", median(mlp[4]));
        out.put("m1_sam_over_sgd", median(mlp[4]) / sgd);
        // the xor net is tiny: with several libtorch threads every op pays a hand-off that costs more than its
        // arithmetic (seen 10× slower on a loaded 2-core machine), so it is measured as one would run it
        int threads = JniUtils.getNumThreads();
        double[][] one;
        JniUtils.setNumThreads(1);
        try {
            one = oneSamRounds(warmupRounds, rounds, seed);
        } finally {
            JniUtils.setNumThreads(threads);
        }
        out.put("one_sam_step_us", median(one[2]));
        out.put("one_sam_step_single_call_us", median(one[0]));
        out.put("one_sam_epoch_call_steps", XOR_N);
        // CPU time of the calling thread: with one libtorch thread all the work runs there, so this is the
        // cost without the waiting a loaded machine adds to the wall-clock figures
        out.put("sgd_step_cpu_ms", median(mlp[2]));
        out.put("sam_step_cpu_ms", median(mlp[3]));
        out.put("one_sam_step_cpu_us", median(one[3]));
        out.put("one_sam_step_single_call_cpu_us", median(one[1]));
        out.put("mlp", "784-512-512-10 ReLU, batch 128, softmax cross-entropy, SGD lr 0.01, SAM rho 0.05");
        out.put("one_sam", "xor d=30, width 500, first-layer bias, batch 1, MSE, SGD lr 0.01, rho 0.05");
        out.put("rounds", rounds);
        out.put("torch_threads", threads);
        out.put("one_sam_torch_threads", 1);
        return out;
    }

    /** @return per-round milliseconds per step: [0] SGD, [1] SAM wall clock; [2], [3] the same in thread CPU time */
    private static double[][] mlpRounds(int warmup, int rounds, long seed) {
        int stepsPerRound = 3;
        double[][] ms = new double[5][rounds];
        try (Model model = Model.newInstance("sam-bench-mlp")) {
            SequentialBlock mlp = new SequentialBlock()
                    .add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(10).build());
            Engine.getInstance().setRandomSeed((int) seed);
            model.setBlock(mlp);
            try (Trainer trainer = newTrainer(model, Losses.softmaxCrossEntropy(), 0.01f)) {
                trainer.initialize(new Shape(1, 784));
                NDManager m = trainer.getManager();
                NDArray x = m.randomNormal(new Shape(128, 784));
                NDArray y = m.randomInteger(0, 10, new Shape(128), DataType.INT64).toType(DataType.FLOAT32, false);
                SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.05).build());
                SamStep m1 = SamStep.of(SharpnessAware.builder().optRho(0.05).optMicroBatch(1).build());
                long[] sgdStep = {0, 0};
                long[] samStep = {0, 0};
                long[] m1Step = {0, 0};
                for (int r = -warmup; r < rounds; r++) {
                    sgdStep[0] = 0;
                    sgdStep[1] = 0;
                    samStep[0] = 0;
                    samStep[1] = 0;
                    m1Step[0] = 0;
                    for (int i = 0; i < stepsPerRound; i++) {
                        timed(m, x, y, sgdStep, batch -> {
                            EasyTrain.trainBatch(trainer, batch);
                            trainer.step();
                        });
                        timed(m, x, y, samStep, batch -> sam.step(trainer, batch));
                        timed(m, x, y, m1Step, batch -> m1.step(trainer, batch));
                    }
                    if (r >= 0) {
                        ms[0][r] = sgdStep[0] / 1e6 / stepsPerRound;
                        ms[1][r] = samStep[0] / 1e6 / stepsPerRound;
                        ms[2][r] = sgdStep[1] / 1e6 / stepsPerRound;
                        ms[3][r] = samStep[1] / 1e6 / stepsPerRound;
                        ms[4][r] = m1Step[0] / 1e6 / stepsPerRound;
                    }
                }
            }
        }
        return ms;
    }

    /** Training points of the xor task: one epoch of 1-SAM is this many steps. */
    static final int XOR_N = 100;

    /**
     * @return per-round microseconds per 1-SAM step: [0] one call per step (wall clock), [1] its thread CPU time,
     *     [2] one call per epoch of {@link #XOR_N} steps ({@link SamStep#steps}), [3] its thread CPU time
     */
    private static double[][] oneSamRounds(int warmup, int rounds, long seed) {
        int stepsPerRound = 200;
        int d = 30;
        double[][] us = new double[4][rounds];
        try (Model model = Model.newInstance("sam-bench-xor")) {
            Block net = ReluMlp.builder().setInputDimension(d).setWidth(500).optVariant(ReluMlp.Variant.BIAS).build();
            Engine.getInstance().setRandomSeed((int) seed);
            model.setBlock(net);
            try (Trainer trainer = newTrainer(model, Losses.mse(), 0.01f)) {
                trainer.initialize(new Shape(1, d));
                NDManager m = trainer.getManager();
                XorData data = XorData.builder().setDimension(d).setSize(XOR_N).optSeed(seed).build();
                NDArray x = data.features(m, DataType.FLOAT32);
                NDArray y = data.labels(m, DataType.FLOAT32);
                NDArray[] xs = new NDArray[data.size()];
                NDArray[] ys = new NDArray[data.size()];
                for (int i = 0; i < xs.length; i++) {
                    NDIndex row = new NDIndex().addSliceDim(i, i + 1);
                    xs[i] = x.get(row);
                    ys[i] = y.get(row);
                }
                SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.05).build());
                // the epoch call: the same step (lr 0.01, ρ 0.05), the learning rate from the SAM schedule, which
                // is what lets SamStep.steps apply DJL's SGD update inside the call
                SamStep epochs = SamStep.of(SharpnessAware.builder().optSchedule(SamSchedule.builder()
                        .addPhase(0.01f, 0.05, Long.MAX_VALUE / 2).build()).build());
                Trainer chunked = newTrainer(model, Losses.mse(), epochs.learningRateTracker());
                int[] order = new int[XOR_N];
                java.util.SplittableRandom shuffle = new java.util.SplittableRandom(seed);
                long[] total = {0, 0};
                int k = 0;
                try (chunked) {
                    for (int r = -warmup; r < rounds; r++) {
                        total[0] = 0;
                        total[1] = 0;
                        for (int i = 0; i < stepsPerRound; i++) {
                            timed(m, xs[k], ys[k], total, batch -> sam.step(trainer, batch));
                            k = (k + 1) % xs.length;
                        }
                        if (r >= 0) {
                            us[0][r] = total[0] / 1e3 / stepsPerRound;
                            us[1][r] = total[1] / 1e3 / stepsPerRound;
                        }
                        for (int i = 0; i < XOR_N; i++) { // a shuffled epoch, drawn outside the timed region
                            int j = shuffle.nextInt(i + 1);
                            order[i] = order[j];
                            order[j] = i;
                        }
                        long t0 = System.nanoTime();
                        long c0 = cpu();
                        SamStepsResult res = epochs.steps(chunked, x, y, order, 1);
                        long wall = System.nanoTime() - t0;
                        long busy = cpu() - c0;
                        epochs.endEpoch();
                        if (res.fusedSteps() != XOR_N) {
                            throw new IllegalStateException("the epoch call was not fused: " + res.fusedSteps()
                                    + " of " + XOR_N + " steps");
                        }
                        if (r >= 0) {
                            us[2][r] = wall / 1e3 / XOR_N;
                            us[3][r] = busy / 1e3 / XOR_N;
                        }
                    }
                }
            }
        }
        return us;
    }

    /**
     * Times one step on a fresh batch (a copy of x, y, as a data loader would hand over) including closing it,
     * which frees what the step left in the batch's manager, as {@code EasyTrain.fit} does.
     */
    private static void timed(NDManager m, NDArray x, NDArray y, long[] total, java.util.function.Consumer<Batch> step) {
        Batch batch = batch(m, x, y);
        long t0 = System.nanoTime();
        long c0 = cpu();
        step.accept(batch);
        batch.close();
        total[0] += System.nanoTime() - t0;
        total[1] += cpu() - c0;
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static Trainer newTrainer(Model model, Loss loss, float lr) {
        return newTrainer(model, loss, Tracker.fixed(lr));
    }

    private static Trainer newTrainer(Model model, Loss loss, Tracker lr) {
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(lr).build();
        return model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(sgd));
    }

    private static Batch batch(NDManager m, NDArray x, NDArray y) {
        return new Batch(m.newSubManager(), new NDList(x.duplicate()), new NDList(y.duplicate()),
                (int) x.getShape().get(0), Batchifier.STACK, Batchifier.STACK, 0, 0);
    }

    private static double median(double[] v) {
        return Numerics.median(v);
    }
}
