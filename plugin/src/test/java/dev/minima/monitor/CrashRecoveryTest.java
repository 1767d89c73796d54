package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
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
import ai.djl.training.loss.Loss;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash mid-run (an exception from the loss, the trainer never closed) loses no completed record: the CSV
 * holds the header and every record, each line parseable and equal to the record in memory.
 */
class CrashRecoveryTest {

    private static int threads;

    @BeforeAll
    static void oneThread() {
        threads = MonitorFixtures.singleThread();
    }

    @AfterAll
    static void restore() {
        MonitorFixtures.restoreThreads(threads);
    }

    /** A loss that throws at its n-th evaluation. */
    static final class ThrowingLoss extends MinimaLoss {
        private final MinimaLoss inner = Losses.halfMse();
        private final int failAt;
        private int calls;

        ThrowingLoss(int failAt) {
            super("Throwing");
            this.failAt = failAt;
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            if (++calls == failAt) {
                throw new IllegalStateException("simulated crash at loss evaluation " + calls);
            }
            return inner.evaluate(labels, predictions);
        }
    }

    @Test
    void trainingLossThrowsMidRun(@TempDir Path dir) throws Exception {
        // the trainer's loss dies at batch 10; the monitor (every 2 steps) has recorded steps 0, 2, 4, 6, 8
        Path csv = dir.resolve("crash.csv");
        SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(2).optLearningRate(0.05)
                .optLoss(Losses.halfMse()).optProbeSample(32, 1).optAtEpochEnd(false).optCsv(csv).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> fit(new ThrowingLoss(10), monitor));
        assertTrue(e.getMessage().contains("simulated crash"));
        assertEquals(5, monitor.records().size());
        assertCsvHoldsEveryRecord(csv, monitor.records());
        monitor.close();
    }

    @Test
    void monitorLossThrowsDuringAMeasurement(@TempDir Path dir) throws Exception {
        // the probe loss dies at its 4th evaluation, i.e. in the 4th measurement (one forward pass each)
        Path csv = dir.resolve("crash.csv");
        SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(2).optLearningRate(0.05)
                .optLoss(new ThrowingLoss(4)).optProbeSample(32, 1).optAtEpochEnd(false).optCsv(csv).build();
        assertThrows(IllegalStateException.class, () -> fit(Losses.halfMse(), monitor));
        assertEquals(3, monitor.records().size());
        assertCsvHoldsEveryRecord(csv, monitor.records());
        monitor.close();
    }

    private static void assertCsvHoldsEveryRecord(Path csv, List<SharpnessRecord> records) throws Exception {
        List<String> lines = Files.readAllLines(csv); // read while the writer is still open, as after a crash
        assertEquals(CsvRecorder.HEADER, lines.get(0));
        assertEquals(records.size() + 1, lines.size());
        String[] header = lines.get(0).split(",");
        for (int i = 0; i < records.size(); i++) {
            String[] cells = lines.get(i + 1).split(",");
            assertEquals(header.length, cells.length);
            assertEquals(records.get(i).step(), Long.parseLong(cells[0]));
            assertEquals(records.get(i).eta(), Double.parseDouble(cells[3]));
            assertEquals(records.get(i).lambdaMax(), Double.parseDouble(cells[5]));
            assertEquals(records.get(i).ratio(), Double.parseDouble(cells[7]));
            assertEquals(records.get(i).loss(), Double.parseDouble(cells[12]));
            assertEquals(records.get(i).thresholdRule(), cells[cells.length - 1]);
            for (int c = 3; c < cells.length - 1; c++) {
                if (c != 15) { // top_k is ';'-separated
                    Double.parseDouble(cells[c]);
                }
            }
        }
    }

    private static void fit(Loss trainingLoss, SharpnessListener monitor) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("crash")) {
            NDArray x = TestModels.normal(m, 1, 64, 3, DataType.FLOAT32);
            NDArray y = x.sum(new int[] {1}, true).sin();
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(16, false).build();
            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(8).build()).add(Activation::tanh)
                    .add(Linear.builder().setUnits(1).build()));
            MonitorFixtures.seed(2);
            // no try-with-resources on the trainer: a crashed run never reaches onTrainingEnd
            Trainer trainer = MonitorFixtures.sgdTrainer(model, trainingLoss, 0.05, new Shape(1, 3), monitor);
            EasyTrain.fit(trainer, 10, data, null);
        }
    }
}
