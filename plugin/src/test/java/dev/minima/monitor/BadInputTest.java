package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.loss.Losses;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad settings fail at build or first use with a message naming the problem and the fix. */
class BadInputTest {

    @Test
    void nonPositiveIntervalIsRejected() {
        for (int k : new int[] {0, -3}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(k));
            assertTrue(e.getMessage().contains("positive") && e.getMessage().contains(String.valueOf(k)), e.getMessage());
        }
    }

    @Test
    void emptyProbeIsRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(0, 4));
            NDArray y = m.zeros(new Shape(0, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SharpnessListener.builder().optBackground(false).optProbe(x, y));
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
            ArrayDataset empty = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(1, false).build();
            e = assertThrows(IllegalArgumentException.class, () -> SharpnessListener.builder().optBackground(false).optProbe(empty));
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> SharpnessListener.builder().optBackground(false).optProbeSample(0, 1));
            assertTrue(e.getMessage().contains("positive"), e.getMessage());
        }
    }

    @Test
    void nonPositiveLearningRateIsRejected() {
        IllegalArgumentException e;
        for (float bad : new float[] {0f, -0.1f, Float.NaN}) {
            e = assertThrows(IllegalArgumentException.class,
                    () -> SharpnessListener.builder().optBackground(false).optLearningRateTracker(Tracker.fixed(bad)).build());
            assertTrue(e.getMessage().contains("positive"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> SharpnessListener.builder().optBackground(false).optLearningRate(bad));
        }
    }

    @Test
    void trackerTurningNegativeFailsAtFirstUse() {
        // positive for the first 3 updates, then negative: the measurement before update 5 must refuse it
        Tracker tracker = t -> t <= 3 ? 0.01f : -0.01f;
        SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(2).optLearningRateTracker(tracker)
                .optLoss(Losses.halfMse()).optProbeSample(8, 0).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> quadratic(monitor, 0.01, 6));
        assertTrue(e.getMessage().contains("-0.01") && e.getMessage().contains("update 5"), e.getMessage());
        assertEquals(2, monitor.records().size()); // steps 0 and 2 were fine
    }

    @Test
    void unmappableLossIsRefusedWhenTrainingBeginsWithTheFix() {
        SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optLearningRate(0.01).optProbeSample(8, 0).build();
        Loss hinge = new Loss("MyHinge") {
            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                return predictions.singletonOrThrow().sub(labels.singletonOrThrow()).abs().mean();
            }
        };
        // thrown by the trainer's constructor (onTrainingBegin), before any step
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> quadratic(monitor, 0.01, 0, hinge));
        assertTrue(e.getMessage().contains("MyHinge") && e.getMessage().contains("optLoss(")
                && e.getMessage().contains("dev.minima.loss"), e.getMessage());
        assertEquals(0, monitor.stepsSeen());
    }

    @Test
    void divergingRunStopsWithTrainingDivergedException() {
        double lambda = lambdaMax();
        double eta = 10 * 2 / lambda; // |1 − ηλ| = 19: the loss grows ~361x per step
        // measured every step: the loss blow-up rule fires
        SharpnessListener every = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(1).optLearningRate(eta)
                .optLoss(Losses.halfMse()).optProbeSample(40, 0).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> quadratic(every, eta, 60));
        assertInstanceOf(ai.djl.TrainingDivergedException.class, e, "catchable as DJL's own exception");
        assertEquals(EosEvent.Type.DIVERGENCE, e.event().type());
        assertTrue(e.getMessage().contains("exceeds") && e.getMessage().contains("first recorded loss"), e.getMessage());
        assertTrue(every.events().stream().anyMatch(ev -> ev.type() == EosEvent.Type.UNSTABLE));
        // measured rarely: the every-step check of the predictions catches the overflow to infinity/NaN
        SharpnessListener rare = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(10_000).optLearningRate(eta)
                .optLoss(Losses.halfMse()).optProbeSample(40, 0).build();
        e = assertThrows(TrainingDivergedException.class, () -> quadratic(rare, eta, 1000));
        assertTrue(e.getMessage().contains("NaN or infinity") && e.getMessage().contains("lower the learning rate"),
                e.getMessage());
        assertTrue(e.event().step() > 5 && e.event().step() < 1000, "step " + e.event().step());
        // with a hook: no exception, the hook sees the event once, training goes on unmeasured
        List<EosEvent> seen = new ArrayList<>();
        SharpnessListener hooked = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(1).optLearningRate(eta)
                .optLoss(Losses.halfMse()).optProbeSample(40, 0).optOnDivergence(seen::add).build();
        quadratic(hooked, eta, 20);
        assertEquals(1, seen.size());
        assertEquals(EosEvent.Type.DIVERGENCE, seen.get(0).type());
        assertTrue(hooked.detector().diverged());
    }

    private static double lambdaMax() {
        return SymmetricEigen.of(QuadraticMonitorTest.hessian(QuadraticMonitorTest.design())).max();
    }

    static void quadratic(SharpnessListener monitor, double eta, int steps) {
        quadratic(monitor, eta, steps, Losses.halfMse());
    }

    /** Full-batch GD on the float32 quadratic of QuadraticMonitorTest. */
    static void quadratic(SharpnessListener monitor, double eta, int steps, Loss loss) {
        double[][] xs = QuadraticMonitorTest.design();
        double[] ys = QuadraticMonitorTest.targets(xs);
        double[] flat = new double[xs.length * xs[0].length];
        for (int i = 0; i < xs.length; i++) {
            System.arraycopy(xs[i], 0, flat, i * xs[0].length, xs[0].length);
        }
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("q")) {
            NDArray x = NativeArrays.of(m, flat, new Shape(xs.length, xs[0].length), DataType.FLOAT32);
            NDArray y = NativeArrays.of(m, ys, new Shape(xs.length, 1), DataType.FLOAT32);
            model.setBlock(Linear.builder().setUnits(1).optBias(false).build());
            MonitorFixtures.seed(1);
            try (Trainer t = MonitorFixtures.sgdTrainer(model, loss, eta, new Shape(1, xs[0].length), monitor)) {
                for (int s = 0; s < steps; s++) {
                    MonitorFixtures.step(t, m, x, y);
                }
            }
        }
    }
}
