package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;
import dev.minima.loss.Losses;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The monitor dropped into a plain DJL training loop with one added line, the loss and optimizer built as DJL's
 * documentation shows: it maps the loss, reads the learning rate (following a schedule) and picks the
 * threshold that belongs to the optimizer; bad input fails when training begins with a message naming the fix.
 */
@ExtendWith(SingleTorchThread.class)
class OneAddedLineTest {

    private static final int N = 120;

    @Test
    void softmaxCrossEntropyAndSgdGetRecordsFromOneLine() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("mlp")) {
            NDArray x = TestModels.normal(m, 1, N, 4, DataType.FLOAT32);
            NDArray y = x.get(":, 0").gt(x.get(":, 1")).toType(DataType.FLOAT32, false)
                    .add(x.get(":, 2").gt(x.get(":, 3")).toType(DataType.FLOAT32, false));
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(20, false).build();
            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(16).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(3).build()));
            MonitorFixtures.seed(3);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .addEvaluator(new Accuracy())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build());
            List<double[]> independent = new ArrayList<>();
            SharpnessListener monitor = SharpnessListener.builder().optBackground(false).addSink(new RecordSink() {
                @Override
                public void accept(SharpnessRecord r) { // at the record's weights: an exact Lanczos on all N
                    independent.add(new double[] {r.lambdaMax(), exactLambdaMax(model, x, y)});
                }

                @Override
                public void close() {}
            }).build();
            config.addTrainingListeners(monitor); // measured in the training thread: the sink sees the record's weights
            SharpnessListener oneLine = SharpnessListener.builder().build();
            config.addTrainingListeners(oneLine); // the one added line, at its defaults (measured in the background)
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 4));
                EasyTrain.fit(trainer, 3, data, null);
            }
            assertFalse(oneLine.records().isEmpty(), "records from the one added line");
            for (SharpnessRecord r : oneLine.records()) {
                assertEquals(20.0, r.threshold(), 1e-5);
                assertTrue(r.lambdaMax() > 0);
            }
            List<SharpnessRecord> records = monitor.records();
            assertFalse(records.isEmpty());
            for (SharpnessRecord r : records) {
                assertEquals("gd 2/eta", r.thresholdRule());
                assertEquals(20.0, r.threshold(), 1e-5);
                assertEquals(0.1, r.eta(), 1e-7);
            }
            // the probe is all N examples (one epoch holds fewer than the default probe size): λ_max agrees with
            // an exact Lanczos on the whole data set within the listener's 1% residual tolerance
            for (double[] pair : independent) {
                assertEquals(pair[1], pair[0], 0.01 * pair[1], "recorded vs exact lambda_max");
                assertTrue(pair[0] > 0);
            }
        }
    }

    @Test
    void l2LossAndAdamUseThePreconditionedThreshold() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("reg")) {
            NDArray x = TestModels.normal(m, 4, N, 3, DataType.FLOAT32);
            NDArray y = x.sum(new int[] {1}, true).sin();
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(20, false).build();
            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(8).build()).add(Activation::tanh)
                    .add(Linear.builder().setUnits(1).build()));
            MonitorFixtures.seed(5);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optOptimizer(Optimizer.adam().build());
            SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(4).build();
            config.addTrainingListeners(monitor);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3));
                EasyTrain.fit(trainer, 2, data, null);
            }
            assertTrue(monitor.records().size() >= 3);
            for (SharpnessRecord r : monitor.records()) {
                assertTrue(r.thresholdRule().startsWith("adam preconditioned"), r.thresholdRule());
                assertEquals(0.001, r.eta(), 1e-9); // DJL's Adam default
                assertEquals(38 / 0.001, r.threshold(), 1e-5 * 38 / 0.001);
                assertTrue(r.snapshot().preconditionedLambdaMax() > 0);
                assertEquals(r.snapshot().preconditionedLambdaMax() / r.threshold(), r.ratio(), 1e-12);
            }
        }
    }

    @Test
    void scheduleAndMomentumAreFollowed() {
        Tracker schedule = t -> t <= 7 ? 0.2f : t <= 14 ? 0.1f : 0.05f; // stateless, so it can be asked again
        SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(3).optProbeSample(40, 0)
                .build();
        runQuadratic(monitor, Optimizer.sgd().setLearningRateTracker(schedule).optMomentum(0.5f).build(), 20);
        Set<Double> etas = new HashSet<>();
        for (SharpnessRecord r : monitor.records()) {
            double eta = schedule.getNewValue(Math.toIntExact(r.step() + 1)); // the rate of the next update
            assertEquals(eta, r.eta(), 1e-9, "step " + r.step());
            assertEquals(3 / eta, r.threshold(), 1e-4, "(2 + 2*0.5)/eta at step " + r.step());
            assertTrue(r.thresholdRule().startsWith("heavy-ball"));
            etas.add(r.eta());
        }
        assertEquals(3, etas.size(), "the recorded threshold follows the schedule: " + etas);
    }

    @Test
    void badInputFailsWhenTrainingBegins() {
        // a probe of the wrong shape: named, with the model's input, at the first batch
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray px = m.zeros(new Shape(8, 5));
            NDArray py = m.zeros(new Shape(8, 1));
            SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optProbe(px, py).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    runQuadratic(monitor, Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build(), 2));
            assertTrue(e.getMessage().contains("probe") && e.getMessage().contains("(8, 5)")
                    && e.getMessage().contains("(n, 4)"), e.getMessage());
            assertTrue(monitor.records().isEmpty());
        }
        // an optimizer the monitor cannot read, without optLearningRate: refused by the trainer's constructor
        Optimizer custom = new Optimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f))) {
            @Override
            public void update(String parameterId, NDArray weight, NDArray grad) {}
        };
        SharpnessListener monitor = SharpnessListener.builder().optBackground(false).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runQuadratic(monitor, custom, 1));
        assertTrue(e.getMessage().contains("optLearningRate"), e.getMessage());
        // a learning rate that is zero from the start
        SharpnessListener zero = SharpnessListener.builder().optBackground(false).build();
        e = assertThrows(IllegalArgumentException.class,
                () -> runQuadratic(zero, Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0f)).build(), 1));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
    }

    /** Full-batch training of a 4-input linear model on ½-MSE data (the trainer's loss is DJL's l2Loss). */
    private static void runQuadratic(SharpnessListener monitor, Optimizer optimizer, int steps) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("q")) {
            NDArray x = TestModels.normal(m, 7, 40, 4, DataType.FLOAT32);
            NDArray y = x.sum(new int[] {1}, true);
            model.setBlock(Linear.builder().setUnits(1).build());
            MonitorFixtures.seed(1);
            try (Trainer t = MonitorFixtures.trainer(model, Loss.l2Loss(), optimizer, new Shape(1, 4), monitor)) {
                for (int s = 0; s < steps; s++) {
                    MonitorFixtures.step(t, m, x, y);
                }
            }
        }
    }

    private static double exactLambdaMax(Model model, NDArray x, NDArray y) {
        try (Objective o = Objective.builder().setBlock(model.getBlock()).setLoss(Losses.softmaxCrossEntropy())
                .addBatch(x, y).build(); HessianOperator h = HessianOperator.of(o)) {
            return Lanczos.builder().optTolerance(1e-8).optMaxIterations(200).optSeed(9).build().run(h).value(0);
        }
    }
}
