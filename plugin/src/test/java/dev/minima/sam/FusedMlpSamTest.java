package dev.minima.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import dev.minima.TestModels;
import dev.minima.autograd.NativeArrays;
import dev.minima.loss.Losses;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The fused path of {@link SamStep} against the general path: the same trajectory from the same start, for
 * whole-batch SAM, 1-SAM on batches of one and m = 1 inside a batch, in float64 (to 1e-12 after 1,000 steps) and
 * float32, with garbage collections forced between steps; and the general path for blocks it does not cover.
 */
class FusedMlpSamTest {

    private record Run(double[] weights, double loss) {}

    private static Run train(boolean fast, DataType type, Function<NDList, NDList> act, Loss loss, int microBatch,
            int batchSize, int steps, boolean labelsAreClasses) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("fused")) {
            Block block = TestModels.mlp(m, type, 11, act, 5, 16, 12, labelsAreClasses ? 4 : 2);
            int n = 16;
            NDArray x = TestModels.normal(m, 3, n, 5, type);
            NDArray y;
            if (labelsAreClasses) {
                double[] c = new double[n];
                for (int i = 0; i < n; i++) {
                    c[i] = (i * 7) % 4;
                }
                y = NativeArrays.of(m, c, new Shape(n), type);
            } else {
                y = TestModels.normal(m, 4, n, 2, type);
            }
            SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.1).optMicroBatch(microBatch)
                    .optFastPath(fast).build());
            double last = Double.NaN;
            try (Trainer trainer = SamFixtures.trainer(model, block, loss, SamFixtures.sgd(0.05f))) {
                assertEquals(fast, sam.fastPathApplies(trainer));
                for (int s = 0; s < steps; s++) {
                    long from = (long) (s * batchSize) % n;
                    NDArray xb = x.get(from + ":" + (from + batchSize));
                    NDArray yb = y.get(from + ":" + (from + batchSize));
                    try (Batch batch = SamFixtures.batch(m, xb, yb)) {
                        last = sam.step(trainer, batch).perturbedLoss();
                    }
                    xb.close();
                    yb.close();
                    if (s % 97 == 0) {
                        System.gc(); // nothing of a step may depend on Java-owned memory
                    }
                }
            }
            return new Run(SamFixtures.values(block), last);
        }
    }

    private static double maxDiff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void oneSamOnSingleExamplesFollowsTheGeneralPathInFloat64() {
        Run fast = train(true, DataType.FLOAT64, TestModels.relu(), Losses.mse(), 0, 1, 1000, false);
        Run general = train(false, DataType.FLOAT64, TestModels.relu(), Losses.mse(), 0, 1, 1000, false);
        assertTrue(maxDiff(fast.weights(), general.weights()) <= 1e-12,
                "max |Δw| " + maxDiff(fast.weights(), general.weights()));
        assertEquals(general.loss(), fast.loss(), 1e-12);
    }

    @Test
    void wholeBatchSamWithSoftmaxCrossEntropyFollowsTheGeneralPathInFloat64() {
        Run fast = train(true, DataType.FLOAT64, TestModels.tanh(), Losses.softmaxCrossEntropy(), 0, 8, 300, true);
        Run general = train(false, DataType.FLOAT64, TestModels.tanh(), Losses.softmaxCrossEntropy(), 0, 8, 300,
                true);
        assertTrue(maxDiff(fast.weights(), general.weights()) <= 1e-12,
                "max |Δw| " + maxDiff(fast.weights(), general.weights()));
    }

    @Test
    void mEqualsOneInABatchIsOneBatchedPassWithTheGeneralPathsTrajectory() {
        Run fast = train(true, DataType.FLOAT64, TestModels.relu(), Losses.halfMse(), 1, 8, 150, false);
        Run general = train(false, DataType.FLOAT64, TestModels.relu(), Losses.halfMse(), 1, 8, 150, false);
        assertTrue(maxDiff(fast.weights(), general.weights()) <= 1e-12,
                "max |Δw| " + maxDiff(fast.weights(), general.weights()));
    }

    @Test
    void float32StaysWithinRoundingOfTheGeneralPath() {
        // float32 rounding (6e-8 relative) differs between the two paths' operation orders and grows slowly along
        // a trajectory: 1e-4 absolute on weights of order 0.1–1 after 300 steps leaves a wide margin (seen ~1e-6)
        Run fast = train(true, DataType.FLOAT32, TestModels.relu(), Losses.mse(), 0, 4, 300, false);
        Run general = train(false, DataType.FLOAT32, TestModels.relu(), Losses.mse(), 0, 4, 300, false);
        assertTrue(maxDiff(fast.weights(), general.weights()) <= 1e-4,
                "max |Δw| " + maxDiff(fast.weights(), general.weights()));
    }

    @Test
    void blocksOutsideTheFusedFormTakeTheGeneralPath() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("fallback")) {
            SequentialBlock block = new SequentialBlock()
                    .add(Linear.builder().setUnits(6).build())
                    .add(new LambdaBlock(l -> new NDList(l.singletonOrThrow().square()), "square"))
                    .add(Linear.builder().setUnits(1).build());
            block.initialize(m, DataType.FLOAT64, new Shape(1, 3));
            SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.1).build());
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), SamFixtures.sgd(0.01f))) {
                assertFalse(sam.fastPathApplies(trainer), "x² is not a recognised activation");
                NDArray x = TestModels.normal(m, 1, 4, 3, DataType.FLOAT64);
                NDArray y = TestModels.normal(m, 2, 4, 1, DataType.FLOAT64);
                double[] w = SamFixtures.values(block);
                try (Batch batch = SamFixtures.batch(m, x, y)) {
                    sam.step(trainer, batch);
                }
                assertTrue(maxDiff(w, SamFixtures.values(block)) > 0, "the general path took the step");
            }
        }
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("asam")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 1, TestModels.relu(), 3, 4, 1);
            SamStep asam = SamStep.of(SharpnessAware.builder().optVariant(SharpnessAware.Variant.ASAM).build());
            SamStep plain = SamStep.of(SharpnessAware.builder().build());
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.binaryCrossEntropyWithLogits(0),
                    SamFixtures.sgd(0.01f))) {
                assertFalse(asam.fastPathApplies(trainer));
                assertFalse(plain.fastPathApplies(trainer), "binary cross-entropy is not fused");
            }
        }
    }

    @Test
    void activationsAreRecognisedByProbing() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(FusedMlpSam.RELU, FusedMlpSam.probe(new LambdaBlock(TestModels.relu()), m));
            assertEquals(FusedMlpSam.TANH, FusedMlpSam.probe(new LambdaBlock(TestModels.tanh()), m));
            assertEquals(FusedMlpSam.SIGMOID, FusedMlpSam.probe(
                    new LambdaBlock(ai.djl.nn.Activation::sigmoid), m));
            assertEquals(-1, FusedMlpSam.probe(new LambdaBlock(ai.djl.nn.Activation::softPlus), m));
            assertEquals(-1, FusedMlpSam.probe(new LambdaBlock(ai.djl.nn.Activation::relu6), m));
        }
    }
}
