package dev.minima.sam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import dev.minima.TestModels;
import dev.minima.autograd.GradMode;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.ParameterSpace;
import dev.minima.loss.Losses;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exact restore, non-finite gradients, the zero-gradient guard and bad input. */
class SamSafetyTest {

    /**
     * ρ = 0.5 and lr = 0, so the optimizer does not move the weights: after 10,000 steps (20,000 perturb/restore
     * round trips) every float32 parameter has the same bits as before, including a −0.0 planted in W₁ (an
     * "add ε, subtract ε" restore would round, and 0 + −0 = +0). No array is left behind in the trainer's or
     * the model's manager.
     */
    @Test
    void restoreIsBitExactOverTenThousandSteps() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("bits")) {
            Block block = TestModels.mlp(m, DataType.FLOAT32, 5, TestModels.relu(), 4, 8, 1);
            try (GradMode off = GradMode.disabled()) {
                NDArray w1 = block.getParameters().get(0).getValue().getArray();
                w1.set(new NDIndex(0, 0), NativeArrays.scalar(m, -0.0, DataType.FLOAT32));
            }
            NDArray x = TestModels.normal(m, 6, 4, 4, DataType.FLOAT32);
            NDArray y = TestModels.normal(m, 7, 4, 1, DataType.FLOAT32);
            long[] before = floatBits(block);
            assertEquals(Float.floatToRawIntBits(-0.0f), (int) before[0]);
            SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.5).build());
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), SamFixtures.sgd(0f));
                    Batch batch = SamFixtures.batch(m, x, y)) {
                sam.step(trainer, batch);
                int trainerArrays = count(trainer.getManager());
                int modelArrays = count(m);
                for (int i = 1; i < 10_000; i++) {
                    SamStepResult r = sam.step(trainer, batch);
                    assertEquals(1, r.perturbedMicroBatches());
                }
                assertEquals(trainerArrays, count(trainer.getManager()), "arrays left in the trainer's manager");
                assertEquals(modelArrays, count(m), "arrays left in the model's manager");
            }
            assertArrayEquals(before, floatBits(block));
        }
    }

    /**
     * The other paths (ASAM, m-SAM through the autograd bridge, n-SAM through an objective, a norm cap) leave no
     * array behind either: the trainer's and the model's managers hold as many arrays after 300 steps as after
     * the first.
     */
    @Test
    void everyPathLeavesNothingBehind() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("leak")) {
            Block block = TestModels.mlp(m, DataType.FLOAT32, 5, TestModels.relu(), 4, 8, 1);
            NDArray x = TestModels.normal(m, 6, 6, 4, DataType.FLOAT32);
            NDArray y = TestModels.normal(m, 7, 6, 1, DataType.FLOAT32);
            try (dev.minima.curvature.Objective obj = dev.minima.curvature.Objective.builder().setBlock(block)
                    .setLoss(Losses.mse()).addBatch(x, y).build();
                    Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), SamFixtures.sgd(0.01f));
                    Batch batch = SamFixtures.batch(m, x, y)) {
                List<SharpnessAware> settings = List.of(
                        SharpnessAware.builder().optVariant(SharpnessAware.Variant.ASAM).build(),
                        SharpnessAware.builder().optMicroBatch(4).build(),
                        SharpnessAware.builder().optPerturbationObjective(obj).build(),
                        SharpnessAware.builder().addNormCap(n -> n.startsWith("01"), 1.0).build());
                for (SharpnessAware s : settings) {
                    SamStep sam = SamStep.of(s);
                    sam.step(trainer, batch);
                    int trainerArrays = count(trainer.getManager());
                    int modelArrays = count(m);
                    for (int i = 0; i < 300; i++) {
                        sam.step(trainer, batch);
                    }
                    assertEquals(trainerArrays, count(trainer.getManager()), "trainer's manager");
                    assertEquals(modelArrays, count(m), "model's manager");
                }
            }
        }
    }

    /** A NaN input gives a NaN gradient at w: clear exception, parameters untouched, .grad zeroed. */
    @Test
    void nonFiniteGradientAtTheWeightsLeavesParametersUntouched() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("nan")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 5, TestModels.tanh(), 3, 4, 1);
            double[][] rows = {{1, 2, 3}, {0.5, Double.NaN, 1}};
            NDArray x = SamFixtures.of(m, rows);
            NDArray y = SamFixtures.of(m, new double[][] {{1}, {0}});
            long[] before = SamFixtures.bits(block);
            SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.1).build());
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), SamFixtures.sgd(0.1f));
                    Batch batch = SamFixtures.batch(m, x, y)) {
                NonFiniteGradientException e = assertThrows(NonFiniteGradientException.class,
                        () -> sam.step(trainer, batch));
                assertTrue(e.getMessage().contains("current weights"), e.getMessage());
                assertEquals(0, sam.steps());
                assertGradientsZero(block);
            }
            assertArrayEquals(before, SamFixtures.bits(block));
        }
    }

    /**
     * A loss that turns NaN on its second evaluation (the forward pass at w + ε): the step restores the weights
     * first and then throws, so they are bit-identical to before.
     */
    @Test
    void nonFiniteGradientAtThePerturbedWeightsRestoresFirst() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("nan2")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 5, TestModels.tanh(), 3, 4, 1);
            NDArray x = TestModels.normal(m, 8, 4, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 9, 4, 1, DataType.FLOAT64);
            long[] before = SamFixtures.bits(block);
            SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.1).build());
            try (Trainer trainer = SamFixtures.trainer(model, block, new NanOnSecondCall(Losses.mse()),
                    SamFixtures.sgd(0.1f));
                    Batch batch = SamFixtures.batch(m, x, y)) {
                NonFiniteGradientException e = assertThrows(NonFiniteGradientException.class,
                        () -> sam.step(trainer, batch));
                assertTrue(e.getMessage().contains("perturbed weights"), e.getMessage());
                assertGradientsZero(block);
            }
            assertArrayEquals(before, SamFixtures.bits(block));
        }
    }

    /**
     * Labels equal to the network's own outputs give g = 0 exactly: no direction to perturb along, so the step
     * applies g unperturbed (logged once) instead of dividing by zero.
     */
    @Test
    void zeroGradientIsNotPerturbed() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("zero")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 5, TestModels.tanh(), 3, 4, 1);
            NDArray x = TestModels.normal(m, 8, 4, 3, DataType.FLOAT64);
            NDArray y;
            try (GradMode off = GradMode.disabled()) {
                y = block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            }
            long[] before = SamFixtures.bits(block);
            for (SharpnessAware.Variant v : SharpnessAware.Variant.values()) {
                SamStep sam = SamStep.of(SharpnessAware.builder().optVariant(v).optRho(0.1).build());
                try (Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), SamFixtures.sgd(0.1f));
                        Batch batch = SamFixtures.batch(m, x, y)) {
                    SamStepResult r = sam.computeGradients(trainer, batch);
                    assertEquals(0, r.gradientNorm());
                    assertEquals(0, r.perturbedMicroBatches(), v.name());
                    assertGradientsZero(block);
                }
            }
            assertArrayEquals(before, SamFixtures.bits(block));
        }
    }

    /** ρ < 0, NaN or infinite is refused where it is given, naming the problem. */
    @Test
    void badInputIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SharpnessAware.builder().optRho(-0.05));
        assertTrue(e.getMessage().contains("rho"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SharpnessAware.builder().optRho(Double.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> SamSchedule.builder().addPhase(0.1f, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> SamSchedule.builder().addPhase(0.1f, 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> SamSchedule.builder().build());
        assertThrows(IllegalArgumentException.class, () -> SharpnessAware.builder().optAsamEta(0));
        assertThrows(IllegalArgumentException.class, () -> SharpnessAware.builder().addNormCap(n -> true, -1));
        assertThrows(IllegalStateException.class,
                () -> SamStep.of(SharpnessAware.builder().optRho(0.1).build()).learningRateTracker());
    }

    private static void assertGradientsZero(Block block) {
        for (NDArray a : ParameterSpace.of(block).arrays()) {
            try (NDArray g = a.getGradient(); NDArray nz = g.abs().sum()) {
                assertEquals(0.0, nz.toType(DataType.FLOAT64, false).getDouble(), "gradient of " + a.getName());
            }
        }
    }

    private static long[] floatBits(Block block) {
        NDList arrays = ParameterSpace.of(block).arrays();
        int n = 0;
        for (NDArray a : arrays) {
            n += (int) a.size();
        }
        long[] bits = new long[n];
        int k = 0;
        for (NDArray a : arrays) {
            for (float f : a.toFloatArray()) {
                bits[k++] = Float.floatToRawIntBits(f);
            }
        }
        return bits;
    }

    private static int count(NDManager manager) {
        return ((ai.djl.ndarray.BaseNDManager) manager).getManagedArrays().size();
    }

    /** The inner loss, multiplied by NaN from its second evaluation on. */
    static final class NanOnSecondCall extends Loss {
        private final Loss inner;
        private int calls;

        NanOnSecondCall(Loss inner) {
            super(inner.getName());
            this.inner = inner;
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            NDArray l = inner.evaluate(labels, predictions);
            if (++calls >= 2) {
                l = l.mul(NativeArrays.scalar(l.getManager(), Double.NaN, l.getDataType()));
            }
            return l;
        }
    }
}
