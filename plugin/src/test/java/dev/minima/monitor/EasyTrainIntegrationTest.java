package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.metric.Metric;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.listener.TrainingListener;
import dev.minima.TestModels;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.loss.Losses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener inside DJL's own {@code EasyTrain.fit}, unchanged: records on schedule (every k steps and at
 * epoch ends, probe sampled from the first batches), the same numbers in the trainer's DJL Metrics and in the
 * CSV, a PNG at {@code trainer.close()}, and training bit-for-bit identical to a run without the listener
 * (so the pending {@code .grad} and the parameters are untouched).
 */
class EasyTrainIntegrationTest {

    private static int threads;

    @BeforeAll
    static void oneThread() {
        threads = MonitorFixtures.singleThread();
    }

    @AfterAll
    static void restore() {
        MonitorFixtures.restoreThreads(threads);
    }

    @Test
    void worksUnchangedInsideEasyTrainFit(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("sharpness.csv");
        Path png = dir.resolve("sharpness.png");
        SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(3).optLearningRate(0.05)
                .optProbeSample(40, 7).optCsv(csv).optChart(png).build();
        Metrics metrics = new Metrics();
        float[] with = train(monitor, metrics);
        float[] without = train(null, null);
        assertArrayEquals(without, with, "the monitor must not change training in any bit");

        List<SharpnessRecord> records = monitor.records();
        // 4 batches per epoch, 2 epochs; probe complete after 3 batches (48 >= 40 examples)
        assertEquals(List.of(2L, 3L, 4L, 6L, 8L), records.stream().map(SharpnessRecord::step).toList());
        assertEquals(List.of(SharpnessRecord.Trigger.STEP, SharpnessRecord.Trigger.STEP, SharpnessRecord.Trigger.EPOCH,
                SharpnessRecord.Trigger.STEP, SharpnessRecord.Trigger.EPOCH),
                records.stream().map(SharpnessRecord::trigger).toList());
        assertEquals(List.of(0, 0, 0, 1, 1), records.stream().map(SharpnessRecord::epoch).toList());

        List<Metric> lambda = metrics.getMetric(MetricsRecorder.LAMBDA_MAX);
        assertEquals(records.size(), lambda.size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(records.get(i).lambdaMax(), lambda.get(i).getValue().doubleValue());
            assertTrue(records.get(i).lambdaMax() > 0);
        }
        assertEquals(records.size(), metrics.getMetric(MetricsRecorder.RATIO).size());

        List<String> lines = Files.readAllLines(csv);
        assertEquals(CsvRecorder.HEADER, lines.get(0));
        assertEquals(records.size() + 1, lines.size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(CsvRecorder.line(records.get(i)), lines.get(i + 1));
        }
        byte[] head = Files.readAllBytes(png);
        assertTrue(head.length > 1000);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
        assertEquals('N', head[2]);
        assertEquals('G', head[3]);
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary file left behind");
        }
    }

    /**
     * The default, background measurement inside {@code EasyTrain.fit}: training is bit-for-bit the same as without
     * the listener (the snapshot is a copy; the worker never touches the live parameters, their {@code .grad} or
     * the optimizer), and every scheduled record (steps 2, 3, 4, 6, 8) is either delivered, at its own step or
     * later when the worker was busy, or counted as coalesced.
     */
    @Test
    void backgroundMeasurementLeavesTrainingBitIdentical() throws Exception {
        SharpnessListener monitor = SharpnessListener.builder().optMaxOverhead(0).optEvery(3).optLearningRate(0.05)
                .optProbeSample(40, 7).optLowPriority(false).build();
        float[] with = train(monitor, new Metrics());
        float[] without = train(null, null);
        assertArrayEquals(without, with, "the background monitor must not change training in any bit");
        List<Long> steps = monitor.records().stream().map(SharpnessRecord::step).toList();
        assertFalse(steps.isEmpty());
        assertEquals(2L, steps.get(0), "the first record is never coalesced");
        for (SharpnessRecord r : monitor.records()) {
            if (r.trigger() == SharpnessRecord.Trigger.DEFERRED) {
                assertTrue(r.step() > 2 && r.step() < 10, "a deferred record is taken later, within training: " + steps);
            } else {
                assertTrue(List.of(2L, 3L, 4L, 6L, 8L).contains(r.step()), steps.toString());
            }
        }
        assertEquals(steps.size(), new java.util.HashSet<>(steps).size(), "one record per step at most: " + steps);
        assertEquals(5, steps.size() + monitor.coalesced(), "delivered " + steps + ", coalesced " + monitor.coalesced());
        for (SharpnessRecord r : monitor.records()) {
            assertTrue(r.lambdaMax() > 0);
        }
    }

    /** Trains a 4-16-1 tanh MLP for 2 epochs with EasyTrain.fit and returns the final parameters. */
    private static float[] train(TrainingListener listener, Metrics metrics) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("fit")) {
            NDArray x = TestModels.normal(m, 1, 64, 4, DataType.FLOAT32);
            NDArray y = x.sum(new int[] {1}, true).tanh();
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(16, false).build();
            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(16).build()).add(Activation::tanh)
                    .add(Linear.builder().setUnits(1).build()));
            MonitorFixtures.seed(9);
            TrainingListener[] listeners = listener == null ? new TrainingListener[0] : new TrainingListener[] {listener};
            float[] out;
            try (Trainer trainer = MonitorFixtures.sgdTrainer(model, Losses.halfMse(), 0.05, new Shape(1, 4),
                    listeners)) {
                if (metrics != null) {
                    trainer.setMetrics(metrics);
                }
                EasyTrain.fit(trainer, 2, data, null);
                NDArray flat = ParameterSpace.of(model.getBlock()).values(m);
                out = flat.toFloatArray();
            }
            return out;
        }
    }

    @Test
    void probeSampleIsASeededChoiceOfTheFirstBatches() {
        try (NDManager m = NDManager.newBaseManager()) {
            ProbeSampler first = new ProbeSampler(40, null, m);
            for (int b = 0; b < 3; b++) {
                NDArray rows = m.arange(16f * b, 16f * (b + 1)).reshape(16, 1);
                first.offer(new NDList(rows), new NDList(rows.mul(2)));
            }
            float[] xs = first.probe()[0].get(0).toFloatArray();
            for (int i = 0; i < 40; i++) {
                assertEquals(i, xs[i], "without a seed, the first 40 examples in order");
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            ProbeSampler sampler = new ProbeSampler(40, 7L, m);
            for (int b = 0; b < 3; b++) {
                NDArray rows = m.arange(16f * b, 16f * (b + 1)).reshape(16, 1);
                sampler.offer(new NDList(rows), new NDList(rows.mul(2)));
                assertEquals(b == 2, sampler.ready());
            }
            long[] expected = ProbeSampler.choose(48, 40, 7);
            float[] xs = sampler.probe()[0].get(0).toFloatArray();
            float[] ys = sampler.probe()[1].get(0).toFloatArray();
            assertEquals(40, xs.length);
            for (int i = 0; i < 40; i++) {
                assertEquals(expected[i], xs[i]);
                assertEquals(2 * expected[i], ys[i]);
            }
            assertArrayEquals(expected, ProbeSampler.choose(48, 40, 7), "same seed, same choice");
        }
    }
}
