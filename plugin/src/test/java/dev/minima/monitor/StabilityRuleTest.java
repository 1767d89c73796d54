package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.SingleTorchThread;
import dev.minima.autograd.NativeArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The optimizer's learning rate and stability threshold, read from DJL's optimizers, and the thresholds checked
 * on a one-dimensional quadratic L = ½λw²: just below the threshold the iterates shrink, just above they grow.
 * For SGD (with and without momentum) the iteration is DJL's own update ({@code Optimizer.update}, i.e.
 * pytorch-native {@code sgdUpdate}); NAG's update is not implemented by DJL's PyTorch engine, so its documented
 * equations (s ← βs + g, w ← w − η(g + βs)) are iterated in Java.
 */
@ExtendWith(SingleTorchThread.class)
class StabilityRuleTest {

    private static final double LAMBDA = 4.0;

    @Test
    void readsEachOptimizersRateAndRule() {
        Tracker lr = Tracker.fixed(0.05f);
        StabilityRule sgd = StabilityRule.of(Optimizer.sgd().setLearningRateTracker(lr).build(), "w");
        assertEquals(StabilityRule.Kind.GD, sgd.kind());
        assertEquals(0.05, sgd.eta(), 1e-7);
        assertEquals(40.0, sgd.threshold(0.05), 1e-9);
        StabilityRule hb = StabilityRule.of(Optimizer.sgd().setLearningRateTracker(lr).optMomentum(0.9f).build(), "w");
        assertEquals(StabilityRule.Kind.HEAVY_BALL, hb.kind());
        assertEquals((2 + 2 * 0.9f) / 0.05, hb.threshold(0.05), 1e-5);
        StabilityRule nag = StabilityRule.of(Optimizer.nag().setLearningRateTracker(lr).setMomentum(0.5f).build(), "w");
        assertEquals(StabilityRule.Kind.NESTEROV, nag.kind());
        assertEquals(3.0 / (2.0 * 0.05), nag.threshold(0.05), 1e-9);
        for (Optimizer adam : new Optimizer[] {Optimizer.adam().optLearningRateTracker(lr).build(),
                Optimizer.adamW().optLearningRateTracker(lr).build()}) {
            StabilityRule a = StabilityRule.of(adam, "w");
            assertEquals(StabilityRule.Kind.ADAM_PRECONDITIONED, a.kind());
            assertEquals(38.0 / 0.05, a.threshold(0.05), 1e-3); // β₁ = 0.9: (2 + 1.8)/(0.1 η)
        }
        assertEquals(StabilityRule.Kind.NONE,
                StabilityRule.of(Optimizer.rmsprop().optLearningRateTracker(lr).build(), "w").kind());
        assertEquals(StabilityRule.Kind.NONE,
                StabilityRule.of(Optimizer.adagrad().optLearningRateTracker(lr).build(), "w").kind());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StabilityRule.of(Optimizer.adadelta().build(), "w"));
        assertTrue(e.getMessage().contains("optLearningRate"), e.getMessage());
    }

    @Test
    void followsTheScheduleThroughTheOptimizersUpdateCount() {
        Tracker schedule = t -> t <= 2 ? 0.1f : t <= 4 ? 0.05f : 0.025f; // DJL's own trackers are stateful
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(schedule).build();
        StabilityRule rule = StabilityRule.of(sgd, "w");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = NativeArrays.of(m, new double[] {1.0}, new Shape(1), DataType.FLOAT32);
            double[] seen = new double[6];
            for (int t = 0; t < 6; t++) {
                seen[t] = rule.eta(); // the rate of update t + 1, read before it is applied
                assertEquals(t + 1, rule.nextUpdate());
                sgd.update("w", w, w.zerosLike());
            }
            for (int t = 0; t < 6; t++) {
                assertEquals(schedule.getNewValue(t + 1), seen[t], 1e-9, "update " + (t + 1));
            }
            assertTrue(seen[5] < seen[0], "the schedule decayed");
        }
    }

    @Test
    void heavyBallThresholdHoldsForDjlsOwnSgdUpdate() {
        for (float beta : new float[] {0f, 0.5f, 0.9f}) {
            StabilityRule rule = StabilityRule.of(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f))
                    .optMomentum(beta).build(), "w");
            double etaEdge = (2 + 2 * beta) / LAMBDA; // λ = threshold(η) ⇔ η = (2 + 2β)/λ
            assertEquals(LAMBDA, rule.threshold(etaEdge), 1e-5);
            assertTrue(djlSgdGrowth(0.97 * etaEdge, beta) < 1e-3, "beta " + beta + " below the edge");
            assertTrue(djlSgdGrowth(1.03 * etaEdge, beta) > 1e3, "beta " + beta + " above the edge");
        }
    }

    @Test
    void nesterovThresholdHoldsForDjlsNagEquations() {
        for (double beta : new double[] {0.5, 0.9}) {
            double etaEdge = (2 + 2 * beta) / ((1 + 2 * beta) * LAMBDA);
            StabilityRule rule = StabilityRule.of(StabilityRule.Kind.NESTEROV, beta);
            assertEquals(LAMBDA, rule.threshold(etaEdge), 1e-9);
            assertTrue(nagGrowth(0.97 * etaEdge, beta) < 1e-3, "beta " + beta + " below the edge");
            assertTrue(nagGrowth(1.03 * etaEdge, beta) > 1e3, "beta " + beta + " above the edge");
            // the plain-SGD threshold would be wrong here: 2/η is above λ at this η
            assertTrue(2 / etaEdge > LAMBDA * 1.2);
        }
    }

    /** |w| after 3000 of DJL's SGD updates on ½λw² from w = 1, in float64. */
    private static double djlSgdGrowth(double eta, float beta) {
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) eta)).optMomentum(beta).build();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = NativeArrays.of(m, new double[] {1.0}, new Shape(1), DataType.FLOAT64);
            NDArray lambda = NativeArrays.scalar(m, LAMBDA, DataType.FLOAT64);
            for (int t = 0; t < 3000; t++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray g = w.mul(lambda);
                    g.attach(s);
                    sgd.update("w", w, g);
                }
                if (!(Math.abs(w.getDouble(0)) < 1e12)) {
                    return Double.POSITIVE_INFINITY;
                }
            }
            return Math.abs(w.getDouble(0));
        }
    }

    /** max(|w|) over the last steps of 3000 NAG iterations (DJL's documented update) on ½λw² from w = 1. */
    private static double nagGrowth(double eta, double beta) {
        double w = 1;
        double s = 0;
        for (int t = 0; t < 3000; t++) {
            double g = LAMBDA * w;
            s = beta * s + g;
            w -= eta * (g + beta * s);
            if (!(Math.abs(w) < 1e12)) {
                return Double.POSITIVE_INFINITY;
            }
        }
        return Math.abs(w);
    }
}
