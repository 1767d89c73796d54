package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.Trainer;
import dev.minima.TestModels;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Vectors;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.loss.Losses;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Linear model + ½-MSE: L(w) = (1/2n)‖Xw − y‖², so H = XᵀX/n exactly, at every w. The monitor must report
 * its spectrum (dense eigen-decomposition), its trace, the loss and the gradient Xᵀ(Xw − y)/n, and flag
 * instability exactly when η &gt; 2/λ_max.
 */
class QuadraticMonitorTest {

    static final int N = 40;
    static final int D = 5;
    static final double[] SCALES = {3, 2, 1.5, 1, 0.5};

    /** X with scaled columns (well separated eigenvalues), y = X w* + noise. */
    static double[][] design() {
        double[][] x = new double[N][D];
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) {
                x[i][j] = SCALES[j] * dev.minima.util.SeededRandom.gaussian(r);
            }
        }
        return x;
    }

    static double[] targets(double[][] x) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(12);
        double[] y = new double[N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) {
                y[i] += (j + 1) * 0.3 * x[i][j];
            }
            y[i] += 0.1 * dev.minima.util.SeededRandom.gaussian(r);
        }
        return y;
    }

    static double[][] hessian(double[][] x) {
        double[][] h = new double[D][D];
        for (double[] row : x) {
            for (int a = 0; a < D; a++) {
                for (int b = 0; b < D; b++) {
                    h[a][b] += row[a] * row[b] / N;
                }
            }
        }
        return h;
    }

    static NDArray matrix(NDManager m, double[][] a) {
        double[] flat = new double[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, flat, i * a[0].length, a[0].length);
        }
        return NativeArrays.of(m, flat, new Shape(a.length, a[0].length), DataType.FLOAT64);
    }

    static Block linear(Model model) {
        Block b = Linear.builder().setUnits(1).optBias(false).build();
        model.setBlock(b);
        return b;
    }

    @Test
    void reportsDenseSpectrumTraceLossAndGradient() {
        double[][] xs = design();
        double[] ys = targets(xs);
        SymmetricEigen eig = SymmetricEigen.of(hessian(xs));
        double trace = 0;
        for (int j = 0; j < D; j++) {
            trace += hessian(xs)[j][j];
        }
        double eta = 1.0 / eig.max(); // stable
        try (NDManager m = NDManager.newBaseManager(); Model model = MonitorFixtures.model("quadratic", DataType.FLOAT64)) {
            NDArray x = matrix(m, xs);
            NDArray y = NativeArrays.of(m, ys, new Shape(N, 1), DataType.FLOAT64);
            linear(model);
            MonitorFixtures.seed(5);
            SharpnessProbe probe = SharpnessProbe.builder().optTopK(3).optSmallest(true).optTolerance(1e-10)
                    .optTrace(TraceEstimator.hutchinson(400, 3)).build();
            SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(1).optLearningRate(eta)
                    .optLoss(new MonitorFixtures.GcAfterForward(Losses.halfMse())).optProbe(x, y)
                    .optSharpnessProbe(probe).build();
            double[] w0;
            try (Trainer t = MonitorFixtures.sgdTrainer(model, Losses.halfMse(), eta, new Shape(1, D), monitor)) {
                w0 = Vectors.toDoubles(model.getBlock().getParameters().get(0).getValue().getArray().reshape(-1));
                for (int s = 0; s < 3; s++) {
                    MonitorFixtures.step(t, m, x, y);
                }
            }
            List<SharpnessRecord> records = monitor.records();
            assertEquals(3, records.size());
            for (SharpnessRecord r : records) {
                CurvatureSnapshot s = r.snapshot();
                // Lanczos on a 5-dimensional operator is exact after ≤ 5 products: float64 round-off only
                assertEquals(eig.value(D - 1), s.lambdaMax(), 1e-10 * eig.max());
                assertEquals(eig.value(D - 2), s.topEigenvalues()[1], 1e-10 * eig.max());
                assertEquals(eig.value(D - 3), s.topEigenvalues()[2], 1e-10 * eig.max());
                assertEquals(eig.min(), s.lambdaMin(), 1e-10 * eig.max());
                // Hutchinson: unbiased, so within 4 standard errors (a 6e-5 chance of failing by bad luck)
                assertTrue(s.traceStandardError() > 0);
                assertEquals(trace, s.trace(), 4 * s.traceStandardError(), "trace " + s.trace() + " ± "
                        + s.traceStandardError() + " vs " + trace);
                assertEquals(eta, r.eta(), 1e-6 * eta);
                assertEquals(eta * eig.max() / 2, r.ratio(), 1e-6);
            }
            // loss and gradient at the initial weights, closed form
            double loss = 0;
            double[] grad = new double[D];
            for (int i = 0; i < N; i++) {
                double res = -ys[i];
                for (int j = 0; j < D; j++) {
                    res += xs[i][j] * w0[j];
                }
                loss += 0.5 * res * res / N;
                for (int j = 0; j < D; j++) {
                    grad[j] += res * xs[i][j] / N;
                }
            }
            double gnorm = 0;
            for (double g : grad) {
                gnorm += g * g;
            }
            assertEquals(0, records.get(0).step());
            assertEquals(loss, records.get(0).loss(), 1e-12 * loss);
            assertEquals(Math.sqrt(gnorm), records.get(0).snapshot().gradientNorm(), 1e-12 * Math.sqrt(gnorm));
        }
    }

    @Test
    void flagsInstabilityExactlyWhenEtaExceedsTwoOverLambdaMax() {
        double[][] xs = design();
        double[] ys = targets(xs);
        double lambda = SymmetricEigen.of(hessian(xs)).max();
        for (double factor : new double[] {1 - 1e-6, 1 + 1e-6}) {
            double eta = factor * 2 / lambda;
            try (NDManager m = NDManager.newBaseManager();
                    Model model = MonitorFixtures.model("quadratic", DataType.FLOAT64)) {
                NDArray x = matrix(m, xs);
                NDArray y = NativeArrays.of(m, ys, new Shape(N, 1), DataType.FLOAT64);
                linear(model);
                SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(1).optLearningRate(eta)
                        .optLoss(Losses.halfMse()).optProbe(x, y)
                        .optSharpnessProbe(SharpnessProbe.builder().optTolerance(1e-10).build()).build();
                try (Trainer t = MonitorFixtures.sgdTrainer(model, Losses.halfMse(), eta, new Shape(1, D), monitor)) {
                    for (int s = 0; s < 2; s++) {
                        MonitorFixtures.step(t, m, x, y);
                    }
                }
                boolean unstable = factor > 1;
                for (SharpnessRecord r : monitor.records()) {
                    assertEquals(unstable, r.unstable(), "ratio " + r.ratio() + " at eta = " + factor + " x 2/lambda");
                }
                boolean flagged = monitor.events().stream().anyMatch(e -> e.type() == EosEvent.Type.UNSTABLE);
                if (unstable) {
                    assertTrue(flagged, "UNSTABLE must be reported when eta > 2/lambda_max");
                } else {
                    assertFalse(flagged, "no UNSTABLE event when eta < 2/lambda_max: " + monitor.events());
                }
            }
        }
    }
}
