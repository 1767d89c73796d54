package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.loss.Loss;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/** Bad input fails early with an exception that names the problem and the fix. */
@ExtendWith(SingleTorchThread.class)
class BadInputTest {

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... words) {
        Throwable e = assertThrows(type, call);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message '" + e.getMessage() + "' should mention '" + w + "'");
        }
    }

    @Test
    void blockWithoutParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock block = new SequentialBlock();
            block.add(Activation::relu);
            block.initialize(m, DataType.FLOAT64, new Shape(1, 3));
            NDArray x = m.ones(new Shape(4, 3), DataType.FLOAT64);
            assertMessage(IllegalArgumentException.class, () -> ParameterSpace.of(block), "no trainable parameters");
            assertMessage(IllegalArgumentException.class,
                    () -> Objective.builder().setBlock(block).setLoss(Losses.mse()).addBatch(x, x).build(),
                    "no trainable parameters");
            assertMessage(IllegalArgumentException.class, () -> Gradients.parameters(block, x), "no trainable");
        }
    }

    @Test
    void lossThatIsNotAScalar() {
        Loss perExample = new Loss("PerExample") {
            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                NDArray d = predictions.singletonOrThrow().sub(labels.singletonOrThrow());
                return d.mul(d);
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 1, TestModels.tanh(), 3, 4, 1);
            NDArray x = TestModels.normal(m, 2, 5, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 3, 5, 1, DataType.FLOAT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(perExample).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj);
                    GaussNewtonOperator g = GaussNewtonOperator.of(obj)) {
                NDArray v = m.ones(new Shape(h.dimension()), DataType.FLOAT64);
                assertMessage(IllegalArgumentException.class, () -> h.apply(v), "not a scalar", "mean");
                assertMessage(IllegalArgumentException.class, () -> g.apply(v), "not a scalar", "mean");
                assertMessage(IllegalArgumentException.class, obj::value, "not a scalar");
            }
        }
    }

    @Test
    void vectorOfTheWrongSize() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 1, TestModels.tanh(), 3, 4, 1);
            NDArray x = TestModels.normal(m, 2, 5, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 3, 5, 1, DataType.FLOAT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.mse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj);
                    GaussNewtonOperator g = GaussNewtonOperator.of(obj);
                    DenseOperator d = DenseOperator.withSpectrum(new double[] {1, 2}, 1, m, DataType.FLOAT64)) {
                NDArray wrong = m.ones(new Shape(h.dimension() + 1), DataType.FLOAT64);
                SymmetricOperator[] ops = {h, g, d, RestrictedOperator.of(h, new long[] {0})};
                for (SymmetricOperator op : ops) {
                    assertMessage(IllegalArgumentException.class, () -> op.apply(wrong), "does not fit",
                            "length " + op.dimension());
                }
                NDArray matrix = m.ones(new Shape(1, h.dimension()), DataType.FLOAT64);
                assertMessage(IllegalArgumentException.class, () -> h.apply(matrix), "flat 1-D vector");
                double[] start = new double[3];
                assertMessage(IllegalArgumentException.class,
                        () -> Lanczos.builder().optWarmStart(start).build().run(h), "warm start of length 3");
            }
        }
    }

    @Test
    void nanInTheLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 1, TestModels.tanh(), 3, 4, 1);
            NDArray x = TestModels.normal(m, 2, 5, 3, DataType.FLOAT64);
            NDArray y = m.create(new double[] {0, 1, Double.NaN, 0, 1}, new Shape(5, 1));
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.mse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj);
                    GaussNewtonOperator g = GaussNewtonOperator.of(obj)) {
                assertMessage(NonFiniteLossException.class,
                        () -> Lanczos.builder().build().run(h), "NaN", "check the data");
                assertMessage(NonFiniteLossException.class,
                        () -> Hutchinson.builder().optSamples(2).build().run(g), "NaN", "check the data");
            }
        }
    }

    @Test
    void estimatorSettingsOutOfRange() {
        assertMessage(IllegalArgumentException.class, () -> Hutchinson.builder().optSamples(0), "at least 1");
        assertMessage(IllegalArgumentException.class, () -> Hutchinson.builder().optMinSamples(1), "at least 2");
        assertMessage(IllegalArgumentException.class, () -> HutchPlusPlus.builder().optProducts(2), "at least 3");
        assertMessage(IllegalArgumentException.class, () -> PowerIteration.builder().optTolerance(0), "positive");
        assertMessage(IllegalArgumentException.class, () -> SpectralDensity.builder().optProbes(0), "at least 1");
        assertMessage(IllegalArgumentException.class, () -> SpectralDensity.builder().optSigma(-1), "positive");
        assertMessage(IllegalArgumentException.class, () -> DiagonalEstimator.builder().optSamples(0), "at least 1");
    }
}
