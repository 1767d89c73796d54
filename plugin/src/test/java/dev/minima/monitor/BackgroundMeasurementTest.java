package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.Trainer;
import dev.minima.autograd.GradMode;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss;
import dev.minima.util.GarbageCollection;
import dev.minima.util.NativeMemory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The background measurement: a parameter snapshot measured on the worker thread gives the λ_max the training
 * thread gets at the same weights; the worker's exceptions reach the training thread; closing mid-record frees the
 * snapshot; NaN weights give a divergence event, never a hang.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BackgroundMeasurementTest {

    private static int threads;

    @BeforeAll
    static void oneThread() {
        threads = MonitorFixtures.singleThread();
    }

    @AfterAll
    static void restore() {
        MonitorFixtures.restoreThreads(threads);
    }

    private static SequentialBlock mlp(int hidden) {
        return new SequentialBlock().add(Linear.builder().setUnits(hidden).build()).add(Activation::tanh)
                .add(Linear.builder().setUnits(1).build());
    }

    /**
     * The same Lanczos run (same random start, no warm start) on a snapshot in another thread and on the live
     * parameters here. Float64, so the only differences are rounding in operations whose order may differ between
     * threads: the products agree to ~1e-15 relative, and 40 Lanczos steps amplify that by at most the
     * eigenvalue's condition (gap⁻¹·‖H‖, small here), far below 1e-10.
     */
    @Test
    void snapshotInAnotherThreadGivesTheLiveLambda() throws Exception {
        try (Model model = MonitorFixtures.model("snapshot", DataType.FLOAT64);
                NDManager m = NDManager.newBaseManager()) {
            model.setBlock(mlp(16));
            NDArray x = MonitorFixtures.uniform(m, 1, 64, 3, -1, 1, DataType.FLOAT64);
            NDArray y = MonitorFixtures.uniform(m, 2, 64, 1, -1, 1, DataType.FLOAT64);
            try (Trainer trainer = MonitorFixtures.sgdTrainer(model, Losses.halfMse(), 0.05, new Shape(1, 3))) {
                ParameterSpace live = ParameterSpace.of(model.getBlock());
                Lanczos lanczos = Lanczos.builder().optTolerance(1e-12).optMaxIterations(40).optSeed(3).build();
                double here;
                try (Objective o = Objective.builder().setBlock(model.getBlock()).setLoss(Losses.halfMse())
                        .addBatch(x, y).build();
                        HessianOperator h = HessianOperator.of(o)) {
                    here = lanczos.run(h).value(0);
                }
                NDManager job = NDManager.newBaseManager();
                ParameterSpace snapshot = live.snapshot(job);
                // the live weights move on (as training would) while the snapshot is measured elsewhere
                try (GradMode off = GradMode.disabled()) {
                    for (NDArray a : live.arrays()) {
                        a.set(new NDIndex("..."), a.mul(2)); // not differentiated
                    }
                }
                ExecutorService other = Executors.newSingleThreadExecutor();
                try {
                    Future<Eigenpairs> there = other.submit(() -> {
                        try (NDManager owned = job;
                                Objective o = Objective.builder().setBlock(model.getBlock()).setLoss(Losses.halfMse())
                                        .optParameters(snapshot).addBatch(x, y).build();
                                HessianOperator h = HessianOperator.of(o)) {
                            return lanczos.run(h);
                        }
                    });
                    double background = there.get(60, TimeUnit.SECONDS).value(0);
                    assertTrue(here > 0);
                    assertEquals(here, background, 1e-10 * here, "snapshot in a worker thread vs live in this one");
                } finally {
                    other.shutdown();
                }
            }
        }
    }

    /**
     * Two listeners on one trainer, one measuring in the background and one in the training thread, both without
     * warm start (each run starts from the same seeded vector): at every step both recorded, the same λ_max.
     */
    @Test
    void backgroundAndForegroundRecordsAgree() {
        try (Model model = MonitorFixtures.model("agree", DataType.FLOAT64);
                NDManager m = NDManager.newBaseManager()) {
            model.setBlock(mlp(12));
            NDArray x = MonitorFixtures.uniform(m, 4, 48, 3, -1, 1, DataType.FLOAT64);
            NDArray y = MonitorFixtures.uniform(m, 5, 48, 1, -1, 1, DataType.FLOAT64);
            SharpnessListener bg = listener(x, y).build();
            SharpnessListener fg = listener(x, y).optBackground(false).build();
            int steps = 30;
            try (Trainer trainer = MonitorFixtures.sgdTrainer(model, Losses.halfMse(), 0.05, new Shape(1, 3), bg, fg)) {
                for (int s = 0; s < steps; s++) {
                    MonitorFixtures.step(trainer, m, x, y);
                }
                trainer.notifyListeners(l -> l.onTrainingEnd(trainer));
            }
            Map<Long, Double> foreground = new HashMap<>();
            fg.records().forEach(r -> foreground.put(r.step(), r.lambdaMax()));
            assertEquals(6, foreground.size(), "steps 0, 5, ..., 25");
            assertEquals(6, bg.records().size() + bg.coalesced(), "each scheduled record is measured (on time or deferred) or counted");
            assertFalse(bg.records().isEmpty());
            for (SharpnessRecord r : bg.records()) {
                if (r.trigger() == SharpnessRecord.Trigger.DEFERRED) {
                    assertFalse(foreground.containsKey(r.step()), "a record on schedule is not deferred");
                    continue; // taken late, at a step the foreground listener did not measure
                }
                double expected = foreground.get(r.step());
                assertEquals(expected, r.lambdaMax(), 1e-10 * expected, "step " + r.step());
                assertEquals(foreground.size(), fg.records().size());
            }
        }
    }

    private static SharpnessListener.Builder listener(NDArray x, NDArray y) {
        SharpnessProbe probe = SharpnessProbe.builder().optWarmStart(false).optTolerance(1e-10).optMaxIterations(40)
                .optSeed(9).build();
        return SharpnessListener.builder().optMaxOverhead(0).optEvery(5).optAtEpochEnd(false).optLearningRate(0.05)
                .optLowPriority(false)
                .optLoss(Losses.halfMse()).optProbe(x, y).optSharpnessProbe(probe).optMetrics(false);
    }

    /** A loss that waits for a latch when the monitor's worker thread evaluates it. */
    static final class WaitsInWorker extends MinimaLoss {
        private final MinimaLoss inner = Losses.halfMse();
        private final java.util.concurrent.CountDownLatch release;

        WaitsInWorker(java.util.concurrent.CountDownLatch release) {
            super("WaitsInWorker");
            this.release = release;
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            if (Thread.currentThread().getName().equals(MeasurementWorker.THREAD_NAME)) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return inner.evaluate(labels, predictions);
        }
    }

    /** Waits until the listener's background record has finished. */
    private static void awaitIdleWorker(SharpnessListener monitor) throws InterruptedException {
        for (int i = 0; i < 2000 && monitor.measuring(); i++) {
            Thread.sleep(5);
        }
        assertFalse(monitor.measuring(), "the monitor's worker did not finish within 10 s");
    }

    /**
     * Every 2 steps, with the worker held busy by the record of step 0 until step 4: the record due at step 2
     * waits, the one due at step 4 merges into it (coalesced), and the waiting record is taken at step 5, the
     * first step after the worker is free (trigger DEFERRED); step 6 is on schedule again.
     */
    @Test
    void aRecordDueWhileTheWorkerIsBusyIsTakenAtTheFirstFreeStep() throws InterruptedException {
        try (Model model = MonitorFixtures.model("deferred", DataType.FLOAT32);
                NDManager m = NDManager.newBaseManager()) {
            model.setBlock(mlp(8));
            NDArray x = MonitorFixtures.uniform(m, 4, 32, 3, -1, 1, DataType.FLOAT32);
            NDArray y = MonitorFixtures.uniform(m, 5, 32, 1, -1, 1, DataType.FLOAT32);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            SharpnessListener monitor = SharpnessListener.builder().optMaxOverhead(0).optEvery(2).optAtEpochEnd(false)
                    .optLearningRate(0.05).optLoss(new WaitsInWorker(release)).optProbe(x, y).optLowPriority(false)
                    .optMetrics(false).build();
            try (Trainer trainer = MonitorFixtures.sgdTrainer(model, Losses.halfMse(), 0.05, new Shape(1, 3), monitor)) {
                for (int s = 0; s <= 4; s++) {
                    MonitorFixtures.step(trainer, m, x, y);
                }
                assertEquals(0, monitor.records().size(), "step 0 is still being measured");
                assertEquals(1, monitor.coalesced(), "step 4 merged into the waiting record of step 2");
                release.countDown();
                awaitIdleWorker(monitor);
                MonitorFixtures.step(trainer, m, x, y); // step 5: delivers step 0, starts the waiting record
                assertEquals(5, monitor.lastRecordStep());
                awaitIdleWorker(monitor);
                MonitorFixtures.step(trainer, m, x, y); // step 6: on schedule
                trainer.notifyListeners(l -> l.onTrainingEnd(trainer));
            }
            assertEquals(List.of(0L, 5L, 6L), monitor.records().stream().map(SharpnessRecord::step).toList());
            assertEquals(List.of(SharpnessRecord.Trigger.STEP, SharpnessRecord.Trigger.DEFERRED,
                    SharpnessRecord.Trigger.STEP), monitor.records().stream().map(SharpnessRecord::trigger).toList());
            assertEquals(1, monitor.coalesced());
            assertEquals(4, monitor.records().size() + monitor.coalesced(), "steps 0, 2, 4, 6 were due");
        }
    }

    /** A loss that throws when the monitor's worker thread evaluates it. */
    static final class ThrowsInWorker extends MinimaLoss {
        private final MinimaLoss inner = Losses.halfMse();

        ThrowsInWorker() {
            super("ThrowsInWorker");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            if (Thread.currentThread().getName().equals(MeasurementWorker.THREAD_NAME)) {
                throw new IllegalStateException("simulated failure in the worker");
            }
            return inner.evaluate(labels, predictions);
        }
    }

    @Test
    void anExceptionInTheWorkerReachesTheTrainingThread() {
        try (Model model = MonitorFixtures.model("throws", DataType.FLOAT32);
                NDManager m = NDManager.newBaseManager()) {
            model.setBlock(mlp(8));
            NDArray x = MonitorFixtures.uniform(m, 4, 32, 3, -1, 1, DataType.FLOAT32);
            NDArray y = MonitorFixtures.uniform(m, 5, 32, 1, -1, 1, DataType.FLOAT32);
            SharpnessListener monitor = SharpnessListener.builder().optMaxOverhead(0).optEvery(2).optAtEpochEnd(false)
                    .optLearningRate(0.05).optLoss(new ThrowsInWorker()).optProbe(x, y).optLowPriority(false).build();
            int[] stepsDone = {0};
            try (Trainer trainer = MonitorFixtures.sgdTrainer(model, Losses.halfMse(), 0.05, new Shape(1, 3), monitor)) {
                MeasurementFailedException e = assertThrows(MeasurementFailedException.class, () -> {
                    for (int s = 0; s < 10; s++) {
                        MonitorFixtures.step(trainer, m, x, y);
                        stepsDone[0]++;
                    }
                    trainer.notifyListeners(l -> l.onTrainingEnd(trainer));
                });
                assertInstanceOf(IllegalStateException.class, e.getCause());
                assertEquals("simulated failure in the worker", e.getCause().getMessage());
                assertTrue(monitor.records().isEmpty());
            }
            assertTrue(workerThreads() <= 1, "one shared worker thread at most");
        }
    }

    @Test
    void nanWeightsGiveADivergenceEventNotAHang() {
        try (Model model = MonitorFixtures.model("nan", DataType.FLOAT32);
                NDManager m = NDManager.newBaseManager()) {
            model.setBlock(mlp(8));
            NDArray x = MonitorFixtures.uniform(m, 4, 32, 3, -1, 1, DataType.FLOAT32);
            NDArray y = MonitorFixtures.uniform(m, 5, 32, 1, -1, 1, DataType.FLOAT32);
            List<EosEvent> seen = new ArrayList<>();
            SharpnessListener monitor = SharpnessListener.builder().optMaxOverhead(0).optEvery(3).optAtEpochEnd(false)
                    .optLearningRate(0.05).optLoss(Losses.halfMse()).optProbe(x, y).optCheckPredictions(false)
                    .optOnDivergence(seen::add).optLowPriority(false).build();
            try (Trainer trainer = MonitorFixtures.sgdTrainer(model, Losses.halfMse(), 0.05, new Shape(1, 3), monitor)) {
                MonitorFixtures.step(trainer, m, x, y); // step 0: a finite record starts
                Parameter w = model.getBlock().getParameters().get(0).getValue();
                try (GradMode off = GradMode.disabled()) {
                    w.getArray().set(new NDIndex("0, 0"), Float.NaN);
                }
                // steps of this tiny model are far faster than a record: train on until one at NaN weights lands
                for (int s = 1; s < 20_000 && seen.isEmpty(); s++) {
                    MonitorFixtures.step(trainer, m, x, y);
                }
                trainer.notifyListeners(l -> l.onTrainingEnd(trainer));
            }
            assertEquals(1, seen.size(), "one divergence event: " + seen);
            assertEquals(EosEvent.Type.DIVERGENCE, seen.get(0).type());
            long at = seen.get(0).step();
            assertTrue(at >= 1, "a record at NaN weights (on schedule, or deferred while step 0 ran), got step " + at);
            assertFalse(monitor.records().isEmpty(), "the finite record of step 0");
            assertEquals(0, monitor.records().get(0).step());
        }
    }

    /** A loss that pauses on the worker thread, so that the listener is closed while the record runs. */
    static final class SlowInWorker extends MinimaLoss {
        private final MinimaLoss inner = Losses.halfMse();

        SlowInWorker() {
            super("SlowInWorker");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            if (Thread.currentThread().getName().equals(MeasurementWorker.THREAD_NAME)) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return inner.evaluate(labels, predictions);
        }
    }

    /**
     * The probe is 64 MB (4096 examples of 4096 float32 features; arrays that large are mapped and unmapped by the
     * allocator, not pooled), and each background record copies it into its objective next to the parameter
     * snapshot: 10 listeners closed while their record is still running would leave at least 640 MB behind if the
     * record's objective and snapshot (or the listener's probe) were not freed. Native memory (resident set minus
     * committed Java heap) stays within 160 MB. The model is small on purpose: large Java arrays (warm-start vectors)
     * would move the committed heap by more than the figure tested.
     */
    @Test
    void closingMidRecordLeaksNoNativeMemory() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = MonitorFixtures.uniform(m, 4, 4096, 4096, -1, 1, DataType.FLOAT32);
            NDArray y = MonitorFixtures.uniform(m, 5, 4096, 1, -1, 1, DataType.FLOAT32);
            closeMidRecord(m, x, y); // warm-up: allocator pools, class loading
            closeMidRecord(m, x, y);
            GarbageCollection.collect();
            long before = NativeMemory.nativeKb();
            for (int i = 0; i < 10; i++) {
                closeMidRecord(m, x, y);
            }
            GarbageCollection.collect();
            long grown = NativeMemory.nativeKb() - before;
            assertTrue(grown < 160 * 1024, "native memory grew by " + (grown >> 10) + " MB over 10 closed records");
            assertTrue(workerThreads() <= 1, "listeners share one worker thread");
        }
    }

    private static void closeMidRecord(NDManager m, NDArray x, NDArray y) {
        try (Model model = Model.newInstance("close")) {
            model.setBlock(Linear.builder().setUnits(1).build());
            SharpnessListener monitor = SharpnessListener.builder().optMaxOverhead(0).optAtEpochEnd(false)
                    .optLearningRate(0.01).optLoss(new SlowInWorker()).optProbe(x, y).optLowPriority(false)
                    .optCheckPredictions(false).build();
            try (Trainer trainer = MonitorFixtures.sgdTrainer(model, Losses.halfMse(), 0.01, new Shape(1, 4096),
                    monitor)) {
                MonitorFixtures.step(trainer, m, x, y); // step 0 starts a record in the background
                monitor.close(); // while it runs (the worker pauses 200 ms in its first loss evaluation)
                assertTrue(monitor.records().isEmpty(), "a record still running at close is not delivered");
            }
        }
    }

    /** @return the live threads named like the monitor's worker */
    private static long workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(MeasurementWorker.THREAD_NAME) && t.isAlive()).count();
    }
}
