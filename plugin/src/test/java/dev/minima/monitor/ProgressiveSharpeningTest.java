package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.Trainer;
import dev.minima.loss.Losses;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Full-batch GD on a tiny ReLU regression (1-64-64-1, 32 points of sin 3x + ½cos 7x, ½-MSE) at η = 0.06:
 * λ_max starts at ~24 (ratio ~0.71), rises (progressive sharpening) and settles at 2/η ≈ 33.3, as Cohen et
 * al. 2021 observe. The ratio ηλ_max/2 of the last records must be within 10% of 1.
 */
class ProgressiveSharpeningTest {

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
    void fullBatchGdSharpensToTwoOverEta() {
        double eta = 0.06;
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("eos")) {
            NDArray x = MonitorFixtures.uniform(m, 1, 32, 1, -1, 1, DataType.FLOAT32);
            NDArray y = x.mul(3).sin().add(x.mul(7).cos().mul(0.5));
            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(64).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(64).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(1).build()));
            MonitorFixtures.seed(3);
            SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(20).optLearningRate(eta)
                    .optLoss(Losses.halfMse()).optProbe(x, y).build();
            try (Trainer t = MonitorFixtures.sgdTrainer(model, Losses.halfMse(), eta, new Shape(1, 1), monitor)) {
                for (int s = 0; s < 800; s++) {
                    MonitorFixtures.step(t, m, x, y);
                }
            }
            List<SharpnessRecord> records = monitor.records();
            assertEquals(40, records.size());
            assertTrue(records.get(0).ratio() < 0.8, "starts well below the edge: " + records.get(0).ratio());
            // the last 5 records (steps 700-780): at the edge, within 10%
            for (SharpnessRecord r : records.subList(35, 40)) {
                assertEquals(1.0, r.ratio(), 0.1, "step " + r.step() + ": lambda_max " + r.lambdaMax()
                        + " vs 2/eta " + r.threshold());
            }
            assertTrue(monitor.detector().sharpeningDetected(), "events: " + monitor.events());
            Long edge = monitor.detector().edgeStep();
            assertNotNull(edge, "the edge must be reached: " + monitor.events());
            long sharpening = monitor.events().stream()
                    .filter(e -> e.type() == EosEvent.Type.PROGRESSIVE_SHARPENING).findFirst().orElseThrow().step();
            assertTrue(sharpening < edge, "sharpening (" + sharpening + ") precedes the edge (" + edge + ")");
            // warm starts: after the first measurement a few products each
            double meanProducts = records.stream().skip(1).mapToLong(r -> r.snapshot().products()).average()
                    .orElseThrow();
            assertTrue(meanProducts <= 6, "warm-started Lanczos should need few products, mean " + meanProducts);
        }
    }
}
