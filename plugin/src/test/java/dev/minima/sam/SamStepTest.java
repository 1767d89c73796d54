package dev.minima.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import dev.minima.util.GarbageCollection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One SAM/ASAM/USAM step equals the update computed by hand from the formulas. */
class SamStepTest {

    private static final float LR = 0.1f;
    private static final double RHO = 0.2;

    /**
     * Linear model f(x) = Wx + b with MSE, everything in closed form in Java: g = (2/(n·o)) Σ r_j [x_j; 1],
     * ε from the variant's formula, g̃ = g(w + ε), w' = w − η g̃ with η the float learning rate the optimizer
     * uses. Float64 throughout: the only differences are summation orders, so 1e-13 relative.
     */
    @ParameterizedTest
    @EnumSource(SharpnessAware.Variant.class)
    void linearModelStepMatchesClosedForm(SharpnessAware.Variant variant) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("lin")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 3, TestModels.tanh(), 3, 2);
            NDArray x = TestModels.normal(m, 4, 5, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 5, 5, 2, DataType.FLOAT64);
            double[][] xs = rows(x);
            double[][] ys = rows(y);
            double[] w = SamFixtures.values(block);
            double[] g = linearGradient(w, xs, ys);
            double[] e = SamFixtures.epsilon(variant, RHO, 0.01, g, w);
            double[] gt = linearGradient(SamFixtures.add(w, e, 1), xs, ys);
            double[] expected = SamFixtures.add(w, gt, -(double) LR);

            SamStep sam = SamStep.of(SharpnessAware.builder().optVariant(variant).optRho(RHO).build());
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), SamFixtures.sgd(LR));
                    Batch batch = SamFixtures.batch(m, x, y)) {
                SamStepResult r = sam.step(trainer, batch);
                assertEquals(SamFixtures.norm(g), r.gradientNorm(), 1e-13 * SamFixtures.norm(g));
                assertEquals(1, r.perturbedMicroBatches());
            }
            double err = SamFixtures.maxRelativeError(expected, SamFixtures.values(block));
            assertTrue(err < 1e-13, variant + ": relative error " + err);
            // the test discriminates: a plain SGD step lands 1e-2 away
            double plain = SamFixtures.maxRelativeError(SamFixtures.add(w, g, -(double) LR), SamFixtures.values(block));
            assertTrue(plain > 1e-3, variant + ": SAM and SGD updates should differ, got " + plain);
        }
    }

    /**
     * A tanh MLP (float64) under garbage-collection pressure: the loss calls System.gc() between every forward
     * pass and its backward pass (SamStep does two of each per micro-batch). The expected update uses gradients
     * from the autograd bridge without GC. Whole batch and m-SAM with m = 2 (weighted backward) are both exact
     * to float64 rounding (1e-12 relative).
     */
    @ParameterizedTest
    @EnumSource(SharpnessAware.Variant.class)
    void tanhMlpStepIsExactUnderGcPressure(SharpnessAware.Variant variant) {
        for (int microBatch : new int[] {0, 2}) {
            try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("mlp")) {
                Block block = TestModels.mlp(m, DataType.FLOAT64, 7, TestModels.tanh(), 3, 4, 2);
                NDArray x = TestModels.normal(m, 8, 6, 3, DataType.FLOAT64);
                NDArray y = TestModels.normal(m, 9, 6, 2, DataType.FLOAT64);
                double[] w = SamFixtures.values(block);
                double[] expected = expectedSgdUpdate(variant, RHO, LR, block, Losses.halfMse(), x, y, w, microBatch);
                SamStep sam = SamStep.of(SharpnessAware.builder().optVariant(variant).optRho(RHO)
                        .optMicroBatch(microBatch).build());
                try (Trainer trainer = SamFixtures.trainer(model, block, new GcLoss(Losses.halfMse()),
                        SamFixtures.sgd(LR));
                        Batch batch = SamFixtures.batch(m, x, y)) {
                    sam.step(trainer, batch);
                }
                double err = SamFixtures.maxRelativeError(expected, SamFixtures.values(block));
                assertTrue(err < 1e-12, variant + " m=" + microBatch + ": relative error " + err);
            }
        }
    }

    /** w − η Σ_k (|B_k|/|B|) ∇L_{B_k}(w + ε_k) from the oracle (m = 0: one micro-batch). */
    static double[] expectedSgdUpdate(SharpnessAware.Variant variant, double rho, float lr, Block block, Loss loss,
            NDArray x, NDArray y, double[] w, int microBatch) {
        long n = x.getShape().get(0);
        int m = microBatch == 0 ? (int) n : microBatch;
        double[] avg = new double[w.length];
        for (long from = 0; from < n; from += m) {
            long to = Math.min(n, from + m);
            NDArray xk = x.get(new NDIndex().addSliceDim(from, to));
            NDArray yk = y.get(new NDIndex().addSliceDim(from, to));
            double[] gk = SamFixtures.perturbedGradient(variant, rho, block, loss, xk, yk, w);
            avg = SamFixtures.add(avg, gk, (double) (to - from) / n);
        }
        return SamFixtures.add(w, avg, -(double) lr);
    }

    /** MSE gradient of f(x) = Wx + b; w = [W row-major; b] as in DJL's Linear. */
    static double[] linearGradient(double[] w, double[][] x, double[][] y) {
        int n = x.length;
        int d = x[0].length;
        int o = y[0].length;
        double[] g = new double[o * d + o];
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < o; k++) {
                double f = w[o * d + k];
                for (int i = 0; i < d; i++) {
                    f += w[k * d + i] * x[j][i];
                }
                double r = 2.0 * (f - y[j][k]) / (n * o);
                for (int i = 0; i < d; i++) {
                    g[k * d + i] += r * x[j][i];
                }
                g[o * d + k] += r;
            }
        }
        return g;
    }

    static double[][] rows(NDArray a) {
        int n = (int) a.getShape().get(0);
        int c = (int) a.getShape().get(1);
        double[] v = a.toDoubleArray();
        double[][] out = new double[n][c];
        for (int i = 0; i < n; i++) {
            System.arraycopy(v, i * c, out[i], 0, c);
        }
        return out;
    }

    /** Delegates to a loss and forces a garbage collection after every evaluation (before any backward). */
    static final class GcLoss extends Loss {
        private final Loss inner;

        GcLoss(Loss inner) {
            super(inner.getName());
            this.inner = inner;
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            NDArray l = inner.evaluate(labels, predictions);
            GarbageCollection.collect();
            return l;
        }
    }

    /**
     * ρ = 10^6 on a linear least-squares model: the loss at w + ε grows like ρ², far beyond 100 times the loss, so
     * the step warns (once); ρ = 0.2 on the same model raises the loss by a fraction of itself and does not warn.
     */
    @org.junit.jupiter.api.Test
    void hugeRadiusWarnsOnce() {
        for (double rho : new double[] {RHO, 1e6}) {
            try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("lin")) {
                Block block = TestModels.mlp(m, DataType.FLOAT64, 3, TestModels.tanh(), 3, 2);
                NDArray x = TestModels.normal(m, 4, 5, 3, DataType.FLOAT64);
                NDArray y = TestModels.normal(m, 5, 5, 2, DataType.FLOAT64);
                SamStep sam = SamStep.of(SharpnessAware.builder().optRho(rho).build());
                try (Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), SamFixtures.sgd(1e-12f));
                        Batch batch = SamFixtures.batch(m, x, y)) {
                    SamStepResult r = sam.step(trainer, batch);
                    double ratio = r.perturbedLoss() / r.loss();
                    assertEquals(rho > 1, sam.warnedExplosion(), "rho " + rho + ": perturbed/loss = " + ratio);
                    assertTrue(rho > 1 ? ratio > SamStep.EXPLOSION_FACTOR : ratio < 10, "rho " + rho + ": " + ratio);
                }
            }
        }
    }
}
