package dev.minima.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import dev.minima.util.GarbageCollection;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Many SAM-with-SGD steps in one native call ({@link SamStep#steps}) against the same steps taken one call at a
 * time on the fused path and on the general path: 1-SAM on single examples in shuffled epochs, with a learning
 * rate and ρ switch inside a call, in float64 (1e-12 after 1,000 steps) and float32, garbage collections forced
 * between calls; and the step-by-step path when the optimizer is not plain SGD.
 */
class FusedSamStepsTest {

    private static final int N = 20;

    private enum How { CHUNKS, FUSED_STEPS, GENERAL_STEPS }

    private record Run(double[] weights, int fusedSteps, double lastLoss) {}

    private static SharpnessAware settings(boolean fast) {
        // steps 0-349 at lr 0.05, ρ 0.05; then lr 0.03, ρ 0.2 (the switch falls inside the fourth call)
        SamSchedule schedule = SamSchedule.builder().optUnit(SamSchedule.Unit.STEPS).addPhase(0.05f, 0.05, 350)
                .addPhase(0.03f, 0.2, 1_000_000).build();
        return SharpnessAware.builder().optSchedule(schedule).optFastPath(fast).build();
    }

    private static Run train(How how, DataType type, float weightDecay, float momentum, int steps) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("chunks")) {
            Block block = TestModels.mlp(m, type, 5, TestModels.relu(), 6, 24, 1);
            NDArray x = TestModels.normal(m, 3, N, 6, type);
            NDArray y = TestModels.normal(m, 4, N, 1, type);
            SamStep sam = SamStep.of(settings(how != How.GENERAL_STEPS));
            Optimizer sgd = Optimizer.sgd().setLearningRateTracker(sam.learningRateTracker())
                    .optWeightDecays(weightDecay).optMomentum(momentum).build();
            SplittableRandom random = new SplittableRandom(9);
            int fused = 0;
            double last = Double.NaN;
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), sgd)) {
                for (int done = 0; done < steps; done += N) {
                    int[] order = permutation(random);
                    if (how == How.CHUNKS) {
                        SamStepsResult r = sam.steps(trainer, x, y, order, 1);
                        fused += r.fusedSteps();
                        last = r.losses()[N - 1];
                    } else {
                        for (int i : order) {
                            NDArray xb = x.get(i + ":" + (i + 1));
                            NDArray yb = y.get(i + ":" + (i + 1));
                            try (Batch batch = SamFixtures.batch(m, xb, yb)) {
                                last = sam.step(trainer, batch).loss();
                            }
                            xb.close();
                            yb.close();
                        }
                    }
                    sam.endEpoch();
                    GarbageCollection.collect(); // nothing may depend on Java-owned memory freed by a collection
                }
            }
            return new Run(SamFixtures.values(block), fused, last);
        }
    }

    private static int[] permutation(SplittableRandom random) {
        int[] p = new int[N];
        for (int i = 0; i < N; i++) {
            p[i] = i;
        }
        for (int i = N - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static double maxDiff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void oneCallPerEpochFollowsTheStepByStepPathsInFloat64() {
        Run chunks = train(How.CHUNKS, DataType.FLOAT64, 0.01f, 0, 1000);
        Run fused = train(How.FUSED_STEPS, DataType.FLOAT64, 0.01f, 0, 1000);
        Run general = train(How.GENERAL_STEPS, DataType.FLOAT64, 0.01f, 0, 1000);
        assertEquals(1000, chunks.fusedSteps(), "every step ran inside the epoch calls");
        assertTrue(maxDiff(chunks.weights(), fused.weights()) <= 1e-12,
                "max |Δw| against the fused steps " + maxDiff(chunks.weights(), fused.weights()));
        assertTrue(maxDiff(chunks.weights(), general.weights()) <= 1e-12,
                "max |Δw| against the general path " + maxDiff(chunks.weights(), general.weights()));
        assertEquals(general.lastLoss(), chunks.lastLoss(), 1e-12);
        assertTrue(maxDiff(chunks.weights(), train(How.CHUNKS, DataType.FLOAT64, 0.01f, 0, 20).weights()) > 1e-3,
                "the run moved the weights");
    }

    @Test
    void float32StaysWithinRoundingOfTheStepByStepPaths() {
        // float32 rounding (6e-8 relative) differs between operation orders and grows slowly along a trajectory;
        // 1e-4 absolute on weights of order 0.1-1 after 1,000 steps leaves a wide margin
        Run chunks = train(How.CHUNKS, DataType.FLOAT32, 0, 0, 1000);
        Run general = train(How.GENERAL_STEPS, DataType.FLOAT32, 0, 0, 1000);
        assertEquals(1000, chunks.fusedSteps());
        assertTrue(maxDiff(chunks.weights(), general.weights()) <= 1e-4,
                "max |Δw| " + maxDiff(chunks.weights(), general.weights()));
    }

    @Test
    void anOptimizerOtherThanPlainSgdTakesTheStepsOneByOne() {
        Run chunks = train(How.CHUNKS, DataType.FLOAT64, 0, 0.1f, 200);
        Run general = train(How.GENERAL_STEPS, DataType.FLOAT64, 0, 0.1f, 200);
        assertEquals(0, chunks.fusedSteps(), "momentum is not fused");
        assertTrue(maxDiff(chunks.weights(), general.weights()) <= 1e-12,
                "max |Δw| " + maxDiff(chunks.weights(), general.weights()));
    }

    /** Steps until the first non-finite gradient: [0] steps taken, then the weights when the exception came. */
    private static double[] diverge(boolean chunks) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("diverge")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 5, TestModels.relu(), 6, 24, 1);
            NDArray x = TestModels.normal(m, 3, N, 6, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 4, N, 1, DataType.FLOAT64);
            // lr 3 is far beyond 2/λ_max: the loss grows geometrically until a gradient overflows
            SamStep sam = SamStep.of(SharpnessAware.builder().optSchedule(SamSchedule.builder()
                    .addPhase(3f, 0.05, 1000).build()).build());
            Optimizer sgd = Optimizer.sgd().setLearningRateTracker(sam.learningRateTracker()).build();
            SplittableRandom random = new SplittableRandom(2);
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), sgd)) {
                NonFiniteGradientException e = assertThrows(NonFiniteGradientException.class, () -> {
                    for (int epoch = 0; epoch < 1000; epoch++) {
                        int[] order = permutation(random);
                        if (chunks) {
                            sam.steps(trainer, x, y, order, 1);
                        } else {
                            for (int i : order) {
                                try (Batch batch = SamFixtures.batch(m, x.get(i + ":" + (i + 1)),
                                        y.get(i + ":" + (i + 1)))) {
                                    sam.step(trainer, batch);
                                }
                            }
                        }
                        sam.endEpoch();
                    }
                });
                assertTrue(e.getMessage().contains("not finite") || e.getMessage().contains("norm"), e.getMessage());
                double[] w = SamFixtures.values(block);
                double[] out = new double[w.length + 1];
                out[0] = sam.steps();
                System.arraycopy(w, 0, out, 1, w.length);
                return out;
            }
        }
    }

    @Test
    void aNonFiniteGradientInsideACallStopsAtTheSameStepAsTheStepByStepPath() {
        double[] chunks = diverge(true);
        double[] steps = diverge(false);
        assertEquals(steps[0], chunks[0], "the exception comes at the same step");
        assertTrue(chunks[0] > 1, "some steps were taken before the overflow");
        for (int i = 1; i < chunks.length; i++) {
            assertEquals(steps[i], chunks[i], 1e-9 * Math.max(1, Math.abs(steps[i])), "weight " + i);
        }
    }

    /** fit without listeners: [0] fused steps, then the weights after 10 epochs of batch-2 1-SAM-style SAM. */
    private static double[] fit(boolean fast, boolean listener) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("fit")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 5, TestModels.tanh(), 6, 16, 1);
            NDArray x = TestModels.normal(m, 3, N, 6, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 4, N, 1, DataType.FLOAT64);
            SamStep sam = SamStep.of(settings(fast));
            Optimizer sgd = Optimizer.sgd().setLearningRateTracker(sam.learningRateTracker()).build();
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Losses.mse()).optOptimizer(sgd);
            if (listener) {
                config.addTrainingListeners(new TrainingListenerAdapter() {});
            }
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(2, false).build();
            try (Trainer trainer = model.newTrainer(config)) {
                SharpnessAwareTraining.fit(trainer, sam, 10, data, null);
                assertEquals(10 * N / 2, sam.steps());
            }
            double[] w = SamFixtures.values(block);
            double[] out = new double[w.length + 1];
            out[0] = sam.fusedRuns();
            System.arraycopy(w, 0, out, 1, w.length);
            return out;
        }
    }

    @Test
    void theFitLoopWithoutListenersRunsAnEpochInOneCallWithTheSameTrajectory() throws Exception {
        double[] fused = fit(true, false);
        double[] general = fit(false, false);
        double[] listened = fit(true, true);
        assertEquals(10 * N / 2, fused[0], "every step ran inside the epoch calls");
        assertEquals(0, general[0]);
        assertEquals(0, listened[0], "a listener needs its per-step callback: steps one by one");
        double[] w = java.util.Arrays.copyOfRange(fused, 1, fused.length);
        double[] g = java.util.Arrays.copyOfRange(general, 1, general.length);
        double[] l = java.util.Arrays.copyOfRange(listened, 1, listened.length);
        assertTrue(maxDiff(w, g) <= 1e-12, "max |Δw| " + maxDiff(w, g));
        assertTrue(maxDiff(w, l) <= 1e-12, "max |Δw| " + maxDiff(w, l));
    }

    /** Softmax cross-entropy (the loop that repeats the single-step function), batches of 4, 4 classes. */
    private static double[] crossEntropy(boolean chunks, boolean fast) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("ce")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 7, TestModels.relu(), 6, 12, 4);
            NDArray x = TestModels.normal(m, 3, N, 6, DataType.FLOAT64);
            double[] c = new double[N];
            for (int i = 0; i < N; i++) {
                c[i] = (i * 7) % 4;
            }
            NDArray y = dev.minima.autograd.NativeArrays.of(m, c, new ai.djl.ndarray.types.Shape(N),
                    DataType.FLOAT64);
            SamStep sam = SamStep.of(settings(fast));
            Optimizer sgd = Optimizer.sgd().setLearningRateTracker(sam.learningRateTracker())
                    .optWeightDecays(0.01f).build();
            SplittableRandom random = new SplittableRandom(4);
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.softmaxCrossEntropy(), sgd)) {
                for (int epoch = 0; epoch < 40; epoch++) {
                    int[] order = permutation(random);
                    if (chunks) {
                        assertEquals(fast ? N / 4 : 0, sam.steps(trainer, x, y, order, 4).fusedSteps());
                    } else {
                        for (int k = 0; k < N; k += 4) {
                            NDArray idx = m.create(new int[] {order[k], order[k + 1], order[k + 2], order[k + 3]});
                            try (Batch batch = SamFixtures.batch(m, x.get(idx), y.get(idx))) {
                                sam.step(trainer, batch);
                            }
                        }
                    }
                    sam.endEpoch();
                    GarbageCollection.collect();
                }
            }
            return SamFixtures.values(block);
        }
    }

    @Test
    void softmaxCrossEntropyInOneCallFollowsTheGeneralPathInFloat64() {
        double[] chunks = crossEntropy(true, true);
        double[] general = crossEntropy(false, false);
        assertTrue(maxDiff(chunks, general) <= 1e-12, "max |Δw| " + maxDiff(chunks, general));
        assertTrue(maxDiff(chunks, crossEntropy(true, false)) <= 1e-12, "steps() without the fast path");
    }

    @Test
    void aFixedLearningRateTrackerIsNotTheSchedulesAndTakesTheStepsOneByOne() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("fixed")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 5, TestModels.relu(), 6, 8, 1);
            NDArray x = TestModels.normal(m, 3, N, 6, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 4, N, 1, DataType.FLOAT64);
            SamStep sam = SamStep.of(settings(true));
            Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build();
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), sgd)) {
                SamStepsResult r = sam.steps(trainer, x, y, permutation(new SplittableRandom(1)), 2);
                assertEquals(N / 2, r.steps());
                assertEquals(0, r.fusedSteps());
                assertEquals(N / 2, sam.steps());
            }
        }
    }
}
