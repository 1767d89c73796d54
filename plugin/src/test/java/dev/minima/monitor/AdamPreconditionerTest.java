package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.loss.Losses;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Preconditioned sharpness for DJL's Adam on the quadratic of {@link QuadraticMonitorTest} (H = XᵀX/n).
 * An independent spy listener keeps its own v_t = β₂v_{t−1} + (1−β₂)g_t² from the pending gradients; with
 * P = (1−β₁ᵗ)(√v_t + ε)/√(1−β₂ᵗ) the monitor's λ_max(P⁻¹H) must equal the dense λ_max(P^{-1/2}HP^{-1/2}),
 * and Adam's trajectory must be bit-for-bit the same with and without the monitor.
 */
class AdamPreconditionerTest {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPS = 1e-8f;
    static final double LR = 0.05;

    @Test
    void preconditionedSharpnessMatchesDenseAndTrainingIsUntouched() {
        double[][] xs = QuadraticMonitorTest.design();
        double[][] h = QuadraticMonitorTest.hessian(xs);
        int d = QuadraticMonitorTest.D;
        List<double[]> pendingV = new ArrayList<>();
        double[] v = new double[d];
        TrainingListener spy = new TrainingListenerAdapter() {
            @Override
            public void onTrainingBatch(Trainer trainer, BatchData batchData) {
                NDArray w = trainer.getModel().getBlock().getParameters().get(0).getValue().getArray();
                NDArray gArr = w.getGradient();
                double[] g = gArr.toDoubleArray();
                gArr.close();
                for (int j = 0; j < d; j++) {
                    v[j] = BETA2 * v[j] + (1 - (double) BETA2) * g[j] * g[j];
                }
                pendingV.add(v.clone());
            }
        };
        Adam adam = adam();
        SharpnessListener monitor;
        try (NDManager pm = NDManager.newBaseManager()) { // the listener copies its probe at build time
            NDArray px = QuadraticMonitorTest.matrix(pm, xs);
            NDArray py = NativeArrays.of(pm, QuadraticMonitorTest.targets(xs), new Shape(xs.length, 1),
                    DataType.FLOAT64);
            monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(1).optLearningRate(LR).optLoss(Losses.halfMse())
                    .optProbe(px, py).optPreconditioner(AdamPreconditioner.of(adam))
                    .optSharpnessProbe(SharpnessProbe.builder().optTolerance(1e-10).build()).build();
        }
        double[] with = train(adam, spy, monitor);
        double[] without = train(adam(), null, null);
        assertArrayEquals(without, with, "reading Adam's state must not change the trajectory");

        List<SharpnessRecord> records = monitor.records();
        assertEquals(4, records.size());
        for (int t = 1; t <= records.size(); t++) {
            double[] vt = pendingV.get(t - 1);
            double bias = Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
            double[] dInv = new double[d];
            for (int j = 0; j < d; j++) {
                dInv[j] = Math.sqrt(bias / (Math.sqrt(vt[j]) + EPS));
            }
            double[][] scaled = new double[d][d];
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    scaled[a][b] = dInv[a] * h[a][b] * dInv[b];
                }
            }
            double expected = SymmetricEigen.of(scaled).max();
            SharpnessRecord r = records.get(t - 1);
            assertEquals(expected, r.snapshot().preconditionedLambdaMax(), 1e-8 * expected, "update " + t);
            assertEquals((2 + 2 * (double) BETA1) / ((1 - (double) BETA1) * (float) LR), r.preconditionedThreshold(),
                    1e-9);
        }
    }

    @Test
    void onlyAdamIsAccepted() {
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build();
        assertThrows(IllegalArgumentException.class, () -> AdamPreconditioner.of(sgd));
    }

    private static Adam adam() {
        return Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) LR)).optBeta1(BETA1).optBeta2(BETA2)
                .optEpsilon(EPS).build();
    }

    private static double[] train(Adam adam, TrainingListener spy, SharpnessListener monitor) {
        double[][] xs = QuadraticMonitorTest.design();
        double[] ys = QuadraticMonitorTest.targets(xs);
        try (NDManager m = NDManager.newBaseManager();
                Model model = MonitorFixtures.model("adam", DataType.FLOAT64)) {
            NDArray x = QuadraticMonitorTest.matrix(m, xs);
            NDArray y = NativeArrays.of(m, ys, new Shape(xs.length, 1), DataType.FLOAT64);
            model.setBlock(Linear.builder().setUnits(1).optBias(false).build());
            MonitorFixtures.seed(6);
            TrainingListener[] listeners = spy == null ? new TrainingListener[0] : new TrainingListener[] {spy, monitor};
            double[] out;
            try (Trainer t = MonitorFixtures.trainer(model, Losses.halfMse(), adam, new Shape(1, xs[0].length),
                    listeners)) {
                for (int s = 0; s < 4; s++) {
                    MonitorFixtures.step(t, m, x, y);
                }
                out = Vectors.toDoubles(ParameterSpace.of(model.getBlock()).values(m));
            }
            return out;
        }
    }
}
