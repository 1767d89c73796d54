package dev.minima.sam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import dev.minima.TestModels;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.loss.Losses;
import org.junit.jupiter.api.Test;

/** m-SAM: micro-batches of m examples, each with its own ε, perturbed gradients averaged by size. */
class MicroBatchSamTest {

    private static final double RHO = 0.3;

    /** m = batch size is SAM: the same parameters bit for bit as the whole-batch step. */
    @Test
    void microBatchOfTheWholeBatchIsSam() {
        long[] sam = stepBits(0, 6);
        long[] mSam = stepBits(6, 6);
        assertArrayEquals(sam, mSam);
    }

    /**
     * m = 1 is per-example SAM: .grad after the step's gradients equals (1/B) Σ_i ∇ℓ_i(w + ρ∇ℓ_i/‖∇ℓ_i‖), each
     * term from the bridge oracle (1e-12 relative, float64 rounding).
     */
    @Test
    void microBatchOfOneAveragesPerExamplePerturbedGradients() {
        assertGradientMatchesOracle(1, 5);
    }

    /**
     * m = 2 on a batch of 5 (the rule: the last micro-batch is smaller and weighted by its size): .grad =
     * (2/5) g̃₁ + (2/5) g̃₂ + (1/5) g̃₃.
     */
    @Test
    void smallerLastMicroBatchIsWeightedBySize() {
        assertGradientMatchesOracle(2, 5);
    }

    /** With Remainder.ERROR a batch that m does not divide is refused before anything moves. */
    @Test
    void remainderErrorRefusesTheBatch() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("mb")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 2, TestModels.tanh(), 3, 4, 1);
            NDArray x = TestModels.normal(m, 3, 5, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 4, 5, 1, DataType.FLOAT64);
            long[] before = SamFixtures.bits(block);
            SamStep sam = SamStep.of(SharpnessAware.builder().optMicroBatch(2)
                    .optMicroBatchRemainder(SharpnessAware.Remainder.ERROR).build());
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.halfMse(), SamFixtures.sgd(0.1f));
                    Batch batch = SamFixtures.batch(m, x, y)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> sam.step(trainer, batch));
                assertTrue(e.getMessage().contains("does not divide"), e.getMessage());
            }
            assertArrayEquals(before, SamFixtures.bits(block));
            assertThrows(IllegalArgumentException.class, () -> SharpnessAware.builder().optMicroBatch(-1));
        }
    }

    private static void assertGradientMatchesOracle(int micro, int n) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("mb")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 2, TestModels.tanh(), 3, 4, 1);
            NDArray x = TestModels.normal(m, 3, n, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 4, n, 1, DataType.FLOAT64);
            double[] w = SamFixtures.values(block);
            double[] expected = new double[w.length];
            for (int from = 0; from < n; from += micro) {
                int to = Math.min(n, from + micro);
                NDArray xk = x.get(new NDIndex().addSliceDim(from, to));
                NDArray yk = y.get(new NDIndex().addSliceDim(from, to));
                double[] gk = SamFixtures.perturbedGradient(SharpnessAware.Variant.SAM, RHO, block, Losses.halfMse(),
                        xk, yk, w);
                expected = SamFixtures.add(expected, gk, (double) (to - from) / n);
            }
            SamStep sam = SamStep.of(SharpnessAware.builder().optRho(RHO).optMicroBatch(micro).build());
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.halfMse(), SamFixtures.sgd(0.1f));
                    Batch batch = SamFixtures.batch(m, x, y)) {
                SamStepResult r = sam.computeGradients(trainer, batch);
                assertEquals((n + micro - 1) / micro, r.microBatches());
                assertEquals(r.microBatches(), r.perturbedMicroBatches());
                ParameterSpace space = ParameterSpace.of(block);
                double[] grad;
                try (NDManager s = m.newSubManager()) {
                    ai.djl.ndarray.NDList gs = new ai.djl.ndarray.NDList();
                    for (NDArray a : space.arrays()) {
                        NDArray g = a.getGradient();
                        g.attach(s);
                        gs.add(g);
                    }
                    grad = Vectors.toDoubles(space.flatten(gs));
                }
                assertArrayEquals(SamFixtures.bits(block), bitsOf(w), "computeGradients must not move the weights");
                double err = SamFixtures.maxRelativeError(expected, grad);
                assertTrue(err < 1e-12, "m = " + micro + ": relative error " + err);
            }
        }
    }

    private static long[] stepBits(int micro, int n) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("mb")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 2, TestModels.tanh(), 3, 4, 1);
            NDArray x = TestModels.normal(m, 3, n, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 4, n, 1, DataType.FLOAT64);
            SamStep sam = SamStep.of(SharpnessAware.builder().optRho(RHO).optMicroBatch(micro).build());
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.halfMse(), SamFixtures.sgd(0.1f));
                    Batch batch = SamFixtures.batch(m, x, y)) {
                sam.step(trainer, batch);
            }
            return SamFixtures.bits(block);
        }
    }

    private static long[] bitsOf(double[] w) {
        long[] b = new long[w.length];
        for (int i = 0; i < w.length; i++) {
            b[i] = Double.doubleToRawLongBits(w[i]);
        }
        return b;
    }
}
