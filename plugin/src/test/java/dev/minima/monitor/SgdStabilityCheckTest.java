package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.loss.Losses;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Wu–Ma–E on a linear model with ½-MSE, where every per-example Hessian is H_i = x_i x_iᵀ, so
 * H = (1/n)Σ x_i x_iᵀ, Σ = (1/n)Σ ‖x_i‖² x_i x_iᵀ − H² and the mean-square matrix (I − ηH)² + η²cΣ are known
 * densely. The check must match their dense eigen-decompositions and reach the verdict they imply.
 */
class SgdStabilityCheckTest {

    static final int N = 12;
    static final int D = 4;

    @Test
    void matchesDenseSharpnessNonUniformityAndMeanSquareRadius() {
        double[][] x = new double[N][D];
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) {
                x[i][j] = (1 + j) * dev.minima.util.SeededRandom.gaussian(r) * (i % 4 == 0 ? 2 : 1); // uneven examples
            }
        }
        double[][] h = new double[D][D];
        double[][] s2 = new double[D][D];
        for (double[] xi : x) {
            double nrm = 0;
            for (double v : xi) {
                nrm += v * v;
            }
            for (int a = 0; a < D; a++) {
                for (int b = 0; b < D; b++) {
                    h[a][b] += xi[a] * xi[b] / N;
                    s2[a][b] += nrm * xi[a] * xi[b] / N;
                }
            }
        }
        double[][] hh = DeepLinearMonitorTest.times(h, h);
        double[][] sigma = new double[D][D];
        for (int a = 0; a < D; a++) {
            for (int b = 0; b < D; b++) {
                sigma[a][b] = s2[a][b] - hh[a][b];
            }
        }
        double aDense = SymmetricEigen.of(h).max();
        double sDense = Math.sqrt(SymmetricEigen.of(sigma).max());
        double eta = 1.9 / aDense;

        try (NDManager m = NDManager.newBaseManager()) {
            double[] flat = new double[N * D];
            for (int i = 0; i < N; i++) {
                System.arraycopy(x[i], 0, flat, i * D, D);
            }
            NDArray xs = NativeArrays.of(m, flat, new Shape(N, D), DataType.FLOAT64);
            NDArray ys = m.zeros(new Shape(N, 1), DataType.FLOAT64);
            Block block = Linear.builder().setUnits(1).optBias(false).build();
            MonitorFixtures.seed(4);
            block.initialize(m, DataType.FLOAT64, new Shape(1, D));
            for (int batch : new int[] {1, 3, N}) {
                double c = batch == N ? 0 : (double) (N - batch) / (batch * (N - 1.0));
                double[][] ms = new double[D][D];
                for (int a = 0; a < D; a++) {
                    for (int b = 0; b < D; b++) {
                        double id = a == b ? 1 : 0;
                        ms[a][b] = id - 2 * eta * h[a][b] + eta * eta * hh[a][b] + eta * eta * c * sigma[a][b];
                    }
                }
                double radius = SymmetricEigen.of(ms).max();
                SgdStability res = SgdStabilityCheck.builder().setBlock(block)
                        .setLoss(new MonitorFixtures.GcAfterForward(Losses.halfMse())).setProbe(xs, ys)
                        .setLearningRate(eta).setBatchSize(batch).optMeanSquare(true).build().run();
                // 4-dimensional operators: Lanczos is exact after ≤ 4 products, float64 round-off only
                assertEquals(aDense, res.sharpness(), 1e-9 * aDense);
                assertEquals(sDense, res.nonUniformity(), 1e-8 * sDense);
                assertEquals(radius, res.meanSquareRadius(), 1e-9);
                double sThreshold = c == 0 ? Double.POSITIVE_INFINITY : Math.sqrt(1 / c) / eta;
                assertEquals(sThreshold, res.nonUniformityThreshold(), 1e-12 * Math.min(sThreshold, 1e300));
                assertEquals(2 / eta, res.sharpnessThreshold(), 1e-12);
                SgdStability.Verdict expected = sDense > sThreshold ? SgdStability.Verdict.UNSTABLE_NON_UNIFORMITY
                        : radius > 1 ? SgdStability.Verdict.UNSTABLE_MEAN_SQUARE : SgdStability.Verdict.STABLE_MEAN_SQUARE;
                assertEquals(expected, res.verdict(), "B = " + batch + ": s " + sDense + " vs " + sThreshold
                        + ", radius " + radius);
                if (batch == 1) {
                    assertTrue(res.unstable(), "this data is too non-uniform for B = 1 at eta = 1.9/a");
                }
                if (batch == N) {
                    assertEquals(SgdStability.Verdict.STABLE_MEAN_SQUARE, res.verdict(), "full-batch GD, ηa = 1.9 < 2");
                }
            }
            // sharpness above 2/η: unstable whatever the batch size
            SgdStability sharp = SgdStabilityCheck.builder().setBlock(block).setLoss(Losses.halfMse()).setProbe(xs, ys)
                    .setLearningRate(2.1 / aDense).setBatchSize(N).build().run();
            assertEquals(SgdStability.Verdict.UNSTABLE_SHARPNESS, sharp.verdict());
        }
    }

    @Test
    void badSettingsAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = Linear.builder().setUnits(1).build();
            block.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            NDArray one = m.zeros(new Shape(1, 2));
            NDArray y1 = m.zeros(new Shape(1, 1));
            NDArray x = m.zeros(new Shape(4, 2));
            NDArray y = m.zeros(new Shape(4, 1));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> SgdStabilityCheck.builder().setBlock(block)
                    .setLoss(Losses.halfMse()).setProbe(one, y1).setLearningRate(0.1).setBatchSize(1).build())
                    .getMessage().contains("at least 2 examples"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> SgdStabilityCheck.builder().setBlock(block)
                    .setLoss(Losses.halfMse()).setProbe(x, y).setLearningRate(0).setBatchSize(1).build())
                    .getMessage().contains("positive"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> SgdStabilityCheck.builder().setBlock(block)
                    .setLoss(Losses.halfMse()).setProbe(x, y).setLearningRate(0.1).setBatchSize(8).build())
                    .getMessage().contains("optTrainingSetSize"));
        }
    }
}
