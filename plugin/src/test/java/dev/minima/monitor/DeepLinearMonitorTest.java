package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.Trainer;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss.OutputReduction;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Deep linear network f(x) = W₄W₃W₂W₁x at the flattest minimum of docs/theory.md §3 (Mulayoff &amp; Michaeli 2020, Theorem
 * 1): whitened inputs, loss Ê‖y − f(x)‖², T = USVᵀ, W₄ = US^{1/4}, W₂ = W₃ = S^{1/4}, W₁ = S^{1/4}Vᵀ, where
 * λ_max = 2m σ_max(T)^{2(1−1/m)} = 24.370423 for d = 3, m = 4, σ_max = 2.101432. The monitor must report it
 * and flag instability exactly when η &gt; 2/λ_max.
 */
class DeepLinearMonitorTest {

    static final int D = 3;
    static final int M = 4;
    static final double[] SIGMA = {2.101432, 1.3, 0.7};
    static final double LAMBDA = 2 * M * Math.pow(SIGMA[0], 2 * (1 - 1.0 / M));

    @Test
    void closedFormIsTheTestValueOfFormulasMd() {
        // σ_max is printed to 7 digits (±5e-7) and dλ/dσ = 1.5λ/σ ≈ 17.4, so the printed value agrees to ~1e-5
        assertEquals(24.370423, LAMBDA, 1e-5);
    }

    @Test
    void reportsTheFlattestSharpnessAndFlagsInstabilityExactlyAboveTwoOverLambda() {
        double[][] u = orthogonal(21);
        double[][] v = orthogonal(22);
        double[][] root = new double[D][D];
        for (int i = 0; i < D; i++) {
            root[i][i] = Math.pow(SIGMA[i], 1.0 / M);
        }
        double[][] w4 = times(u, root);
        double[][] w1 = times(root, transpose(v));
        double[][] t = times(times(u, diag(SIGMA)), transpose(v));
        for (double factor : new double[] {1 - 1e-6, 1 + 1e-6}) {
            double eta = factor * 2 / LAMBDA;
            try (NDManager m = NDManager.newBaseManager(); Model model = MonitorFixtures.model("dln", DataType.FLOAT64)) {
                SequentialBlock block = new SequentialBlock();
                for (int k = 0; k < M; k++) {
                    block.add(Linear.builder().setUnits(D).optBias(false).build());
                }
                model.setBlock(block);
                // whitened inputs: x_i = √d e_i gives Ê[xxᵀ] = I; targets y_i = T x_i
                double[] xs = new double[D * D];
                double[] ys = new double[D * D];
                for (int i = 0; i < D; i++) {
                    xs[i * D + i] = Math.sqrt(D);
                    for (int o = 0; o < D; o++) {
                        ys[i * D + o] = t[o][i] * Math.sqrt(D);
                    }
                }
                NDArray x = NativeArrays.of(m, xs, new Shape(D, D), DataType.FLOAT64);
                NDArray y = NativeArrays.of(m, ys, new Shape(D, D), DataType.FLOAT64);
                SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(1).optLearningRate(eta)
                        .optLoss(new MonitorFixtures.GcAfterForward(Losses.mse(OutputReduction.SUM_OUTPUTS)))
                        .optProbe(x, y).optSharpnessProbe(SharpnessProbe.builder().optTolerance(1e-10).build())
                        .build();
                try (Trainer trainer = MonitorFixtures.sgdTrainer(model, Losses.mse(OutputReduction.SUM_OUTPUTS), eta,
                        new Shape(1, D), monitor)) {
                    double[] flat = concat(w1, root, root, w4);
                    ParameterSpace.of(block).assign(Vectors.of(m, flat, DataType.FLOAT64));
                    for (int s = 0; s < 2; s++) {
                        MonitorFixtures.step(trainer, m, x, y);
                    }
                }
                assertEquals(2, monitor.records().size());
                for (SharpnessRecord r : monitor.records()) {
                    // at the minimum: zero loss, and λ_max is the closed form (float64 round-off)
                    assertEquals(0, r.loss(), 1e-20);
                    assertEquals(LAMBDA, r.lambdaMax(), 1e-9 * LAMBDA);
                    assertEquals(factor > 1, r.unstable(), "ratio " + r.ratio());
                }
                boolean flagged = monitor.events().stream().anyMatch(e -> e.type() == EosEvent.Type.UNSTABLE);
                assertEquals(factor > 1, flagged, "events " + monitor.events());
                assertTrue(monitor.events().stream().noneMatch(e -> e.type() == EosEvent.Type.DIVERGENCE));
            }
        }
    }

    static double[][] orthogonal(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] q = new double[D][D];
        for (int j = 0; j < D; j++) {
            double[] c = new double[D];
            for (int i = 0; i < D; i++) {
                c[i] = dev.minima.util.SeededRandom.gaussian(r);
            }
            for (int p = 0; p < j; p++) {
                double dot = 0;
                for (int i = 0; i < D; i++) {
                    dot += c[i] * q[i][p];
                }
                for (int i = 0; i < D; i++) {
                    c[i] -= dot * q[i][p];
                }
            }
            double n = 0;
            for (double ci : c) {
                n += ci * ci;
            }
            for (int i = 0; i < D; i++) {
                q[i][j] = c[i] / Math.sqrt(n);
            }
        }
        return q;
    }

    static double[][] times(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                for (int k = 0; k < b.length; k++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    static double[][] diag(double[] d) {
        double[][] a = new double[d.length][d.length];
        for (int i = 0; i < d.length; i++) {
            a[i][i] = d[i];
        }
        return a;
    }

    static double[] concat(double[][]... matrices) {
        double[] out = new double[matrices.length * D * D];
        int k = 0;
        for (double[][] w : matrices) {
            for (double[] row : w) {
                for (double x : row) {
                    out[k++] = x;
                }
            }
        }
        return out;
    }
}
