package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * The front door: every answer of {@link Curvature} equals what the dense Hessian of the same small model says
 * (eigenvalues to Lanczos's tolerance, the trace within four standard errors, the per-parameter top eigenvalue
 * that of the dense principal sub-block), streamed datasets give the product of the concatenated data, and bad
 * input fails with a message naming the fix.
 */
@ExtendWith(SingleTorchThread.class)
class CurvatureTest {

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... words) {
        Throwable e = assertThrows(type, call);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message '" + e.getMessage() + "' should mention '" + w + "'");
        }
    }

    @Test
    void answersMatchTheDenseHessian() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 81, TestModels.tanh(), 3, 5, 2);
            NDArray x = TestModels.normal(m, 82, 12, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 83, 12, 2, DataType.FLOAT64);
            double[][] dense;
            try (Objective whole = Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(whole)) {
                dense = DenseMatrices.symmetrise(DenseMatrices.materialize(h));
            }
            SymmetricEigen eig = SymmetricEigen.of(dense);
            int n = dense.length;
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(5, false).build();
            try (Curvature c = Curvature.builder().setBlock(block).setLoss(Losses.halfMse()).setDataset(data)
                    .optTolerance(1e-8).optTrace(100, 0).optDensity(2, 32).optProgressBar(false).build()) {
                assertTrue(c.objective().isStreaming(), "three batches of a dataset are streamed");
                assertEquals(3, c.objective().batchCount());
                Eigenpairs top = c.topEigenvalues(3);
                for (int i = 0; i < 3; i++) {
                    assertEquals(eig.value(n - 1 - i), top.value(i), 1e-6 * eig.max(), "eigenvalue " + i);
                    assertTrue(top.residual(i) <= 1e-7 * eig.max(), "residual " + top.residual(i));
                }
                assertTrue(top.deterministic());
                Eigenpairs bottom = c.bottomEigenvalues(1);
                assertEquals(eig.min(), bottom.value(0), 1e-6 * eig.max());
                double exactTrace = DenseMatrices.trace(dense);
                TraceEstimate trace = c.trace();
                assertEquals(100, trace.samples());
                assertTrue(Math.abs(trace.value() - exactTrace) <= 4 * trace.standardError(),
                        trace + " vs exact " + exactTrace);
                SpectralDensityEstimate density = c.density();
                assertEquals(1.0, density.integral(), 1e-3);
                assertEquals(32, n, "15 + 5 + 10 + 2 parameters");
                assertTrue(Math.abs(density.mean() * n - exactTrace) < 0.5 * Math.abs(exactTrace) + 1,
                        "quadrature mean " + density.mean() * n + " vs trace " + exactTrace);

                // per-layer: the principal sub-block of the first layer's weight (coordinates 0..14)
                List<String> names = c.parameterNames();
                assertEquals("01Linear_weight", names.get(0));
                Eigenpairs layer = c.forParameter("01Linear_weight").topEigenvalue();
                double[][] sub = new double[15][15];
                for (int i = 0; i < 15; i++) {
                    System.arraycopy(dense[i], 0, sub[i], 0, 15);
                }
                assertEquals(SymmetricEigen.of(sub).max(), layer.max(), 1e-6 * eig.max(), "first layer's λ_max");
                assertMessage(IllegalArgumentException.class, () -> c.forParameter("nope"), "01Linear_weight");
            }
            // the default settings, with the progress bar, on a single batch of the same data
            ArrayDataset one = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(12, false).build();
            try (Curvature c = Curvature.of(block, Losses.halfMse(), one)) {
                assertTrue(c.objective().isSingleBatch(), "one batch is kept resident");
                assertEquals(eig.max(), c.topEigenvalue().max(), 1e-3 * eig.max());
            }
        }
    }

    @Test
    void streamedProductsEqualTheConcatenatedBatchWithAndWithoutCache() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 91, TestModels.tanh(), 4, 6, 3);
            NDArray x = TestModels.normal(m, 92, 23, 4, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 93, 23, 3, DataType.FLOAT64);
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(4, false).build();
            try (Objective whole = Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(x, y).build();
                    Objective streamed = Objective.builder().setBlock(block).setLoss(Losses.halfMse())
                            .optDataset(data).build();
                    Objective cached = Objective.builder().setBlock(block).setLoss(Losses.halfMse())
                            .optDataset(data).optCacheBatches(2).build();
                    HessianOperator h = HessianOperator.of(whole);
                    HessianOperator hs = HessianOperator.of(streamed);
                    HessianOperator hc = HessianOperator.of(cached)) {
                assertEquals(6, streamed.batchCount(), "batches of 4 × 5 and 3");
                assertEquals(23, streamed.size());
                assertThrows(IllegalStateException.class, streamed::batches, "a streamed objective lists no batches");
                double[] v = Dense.gaussian((int) whole.space().dimension(), 94);
                double[] hv = Dense.apply(h, v);
                for (int rep = 0; rep < 2; rep++) {
                    Dense.assertVectorEquals(hv, Dense.apply(hs, v), 1e-12, "Hv, streamed, pass " + rep);
                    Dense.assertVectorEquals(hv, Dense.apply(hc, v), 1e-12, "Hv, two batches cached, pass " + rep);
                }
                assertEquals(whole.value(), streamed.value(), 1e-12 * whole.value());
            }
        }
    }

    /**
     * A small convolutional network with batch norm and dropout, converted to float64 with {@link Float64}. The
     * Hessian is taken in inference mode, the front door's default: batch norm then uses its running statistics
     * (the function the model computes at evaluation time, one example at a time) and dropout is off, so the
     * operator is a fixed matrix. The top eigenpair is checked against a central finite-difference Rayleigh
     * quotient of the loss, (L(θ + hv) − 2L(θ) + L(θ − hv)) / h², whose error is O(h²) + O(ε·L/h²) ≈ 1e-8 at h =
     * 1e-4 in float64.
     */
    @Test
    void convolutionalBlockWithBatchNormAndDropout() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock block = ConvFixture.block();
            ai.djl.engine.Engine.getInstance().setRandomSeed(5);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 6, 6));
            NDArray x32 = TestModels.normal(m, 11, 10, 36, DataType.FLOAT32).reshape(10, 1, 6, 6);
            NDArray out32 = ConvFixture.predict(block, x32, m);
            Float64.convert(block);
            block.getParameters().forEach(p -> assertEquals(DataType.FLOAT64, p.getValue().getArray().getDataType(),
                    p.getKey() + " converted"));
            NDArray x = x32.toType(DataType.FLOAT64, false);
            Dense.assertVectorEquals(ConvFixture.toDoubles(out32), ConvFixture.toDoubles(ConvFixture.predict(block, x, m)),
                    1e-5, "float64 block computes what the float32 one did");
            NDArray y = m.create(new float[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0}).toType(DataType.FLOAT64, false);
            try (Curvature c = Curvature.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy()).setBatch(x, y)
                    .optTolerance(1e-9).optProgressBar(false).build()) {
                Eigenpairs top = c.topEigenvalue();
                assertTrue(top.deterministic());
                // it is the largest: the dense Hessian of this 183-parameter block agrees
                double[][] dense = DenseMatrices.symmetrise(DenseMatrices.materialize(c.operator()));
                assertEquals(SymmetricEigen.of(dense).max(), top.max(), 1e-7 * Math.abs(top.max()));
                // the finite-difference Rayleigh quotient moves the parameters (the kept graph is stale afterwards)
                double[] v = top.vector(0);
                ParameterSpace space = c.objective().space();
                NDArray theta = space.values(m);
                double h = 1e-4;
                double l0 = c.loss();
                space.assign(theta.add(Vectors.of(m, v, DataType.FLOAT64).mul(h)));
                double lp = c.objective().value();
                space.assign(theta.sub(Vectors.of(m, v, DataType.FLOAT64).mul(h)));
                double lm = c.objective().value();
                space.assign(theta);
                double rayleigh = (lp - 2 * l0 + lm) / (h * h);
                assertEquals(top.max(), rayleigh, 1e-5 * Math.abs(top.max()) + 1e-7,
                        "λ_max " + top.max() + " vs finite-difference Rayleigh quotient " + rayleigh);
            }
        }
    }

    @Test
    void trainingModeRestoresBatchNormAndSaysDropoutIsRandom() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock block = ConvFixture.block();
            ai.djl.engine.Engine.getInstance().setRandomSeed(6);
            block.initialize(m, DataType.FLOAT64, new Shape(1, 1, 6, 6));
            NDArray x = TestModels.normal(m, 12, 12, 36, DataType.FLOAT64).reshape(12, 1, 6, 6).add(
                    m.full(new Shape(), 3f, DataType.FLOAT64)); // far from the running mean 0
            NDArray y = m.create(new float[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}).toType(DataType.FLOAT64, false);
            double[] before = ConvFixture.runningStatistics(block);
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(4, false).build();
            try (Curvature c = Curvature.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                    .setDataset(data).optTraining(true).optMaxIterations(15).optProgressBar(false).build()) {
                assertTrue(c.objective().isStochastic());
                assertFalse(c.operator().isDeterministic(), "dropout redrawn at every product");
                Eigenpairs top = c.topEigenvalue();
                assertFalse(top.deterministic(), "the result says the operator is random");
                assertFalse(top.converged());
                assertTrue(top.residual(0) > 1e-3 * top.max(),
                        "a measured residual shows the noise, not a tiny β|s|: " + top);
                assertTrue(top.toString().contains("random operator"));
                Dense.assertVectorEquals(before, ConvFixture.runningStatistics(block), 0, "running statistics");
            }
            Dense.assertVectorEquals(before, ConvFixture.runningStatistics(block), 0, "running statistics after close");
            // one batch: batch norm's statistics must be restored after every pass, so the graph is not kept and
            // every product redraws dropout; without running statistics the one draw of a kept graph is fixed
            try (Curvature c = Curvature.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                    .setBatch(x, y).optTraining(true).optMaxIterations(15).optProgressBar(false).build()) {
                assertFalse(c.objective().canRetainGraph());
                assertFalse(c.topEigenvalue().deterministic());
            }
            Dense.assertVectorEquals(before, ConvFixture.runningStatistics(block), 0, "running statistics, one batch");
        }
    }

    @Test
    void modelRestoredWithModelLoadNeedsNoManualGradients() throws Exception {
        Path dir = Files.createTempDirectory("minima-curvature");
        try (NDManager m = NDManager.newBaseManager();
                Model saved = Model.newInstance("mlp", Device.cpu(), "PyTorch");
                Model loaded = Model.newInstance("mlp", Device.cpu(), "PyTorch")) {
            saved.setBlock(mlp());
            ai.djl.engine.Engine.getInstance().setRandomSeed(7);
            saved.getBlock().initialize(saved.getNDManager(), DataType.FLOAT32, new Shape(1, 4));
            saved.save(dir, "mlp");
            loaded.setBlock(mlp());
            loaded.load(dir, "mlp");
            NDArray x = TestModels.normal(m, 13, 16, 4, DataType.FLOAT32);
            NDArray y = m.create(new float[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(16, false).build();
            double expected;
            try (Curvature c = Curvature.builder().setModel(saved).setLoss(Losses.softmaxCrossEntropy())
                    .setDataset(data).optProgressBar(false).build()) {
                expected = c.topEigenvalue().max();
            }
            try (Curvature c = Curvature.builder().setModel(loaded).setLoss(Losses.softmaxCrossEntropy())
                    .setDataset(data).optProgressBar(false).build()) {
                assertEquals(expected, c.topEigenvalue().max(), 1e-5 * expected);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aNonFiniteProductStopsLanczosWithANamedError() {
        SymmetricOperator poisoned = new SymmetricOperator() {
            private int calls;

            @Override
            public long dimension() {
                return 10;
            }

            @Override
            public DataType dataType() {
                return DataType.FLOAT64;
            }

            @Override
            public Device device() {
                return Device.cpu();
            }

            @Override
            public NDArray apply(NDArray v) {
                calls++;
                NDArray r = v.mul(v.getManager().arange(1f, 11f).toType(DataType.FLOAT64, false)); // diag(1..10)
                return calls % 3 == 0 ? r.add(v.getManager().full(new Shape(), Float.NaN, DataType.FLOAT64)) : r;
            }
        };
        // the diagonal operator diag(1..10) would need 10 steps; the third product is NaN
        assertMessage(NonFiniteProductException.class, () -> Lanczos.builder().optTopK(2).build().run(poisoned),
                "Lanczos", "product 3", "NaN");
        assertMessage(NonFiniteProductException.class,
                () -> Hutchinson.builder().optSamples(5).build().run(poisoned), "Hutchinson");
    }

    @Test
    void badInputThroughTheFrontDoorNamesTheFix() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT32, 1, TestModels.tanh(), 3, 4, 2);
            NDArray x = TestModels.normal(m, 2, 6, 3, DataType.FLOAT32);
            NDArray y = m.create(new float[] {0, 1, 0, 1, 0, 1});
            // an empty dataset
            ArrayDataset empty = new ArrayDataset.Builder().setData(m.zeros(new Shape(0, 3)))
                    .optLabels(m.zeros(new Shape(0))).setSampling(4, false).build();
            assertMessage(IllegalArgumentException.class,
                    () -> Curvature.of(block, Losses.softmaxCrossEntropy(), empty), "dataset gave no batch", "non-empty");
            // labels that do not fit the loss: one-hot rows of width 3 for ½-MSE on a 2-output block
            ArrayDataset wrong = new ArrayDataset.Builder().setData(x).optLabels(m.ones(new Shape(6, 3)))
                    .setSampling(3, false).build();
            assertMessage(IllegalArgumentException.class, () -> Curvature.of(block, Losses.halfMse(), wrong),
                    "labels", "(3, 3)", "must fit the loss");
            // a block not initialised yet
            SequentialBlock fresh = mlp();
            ArrayDataset ok = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(3, false).build();
            assertMessage(IllegalArgumentException.class, () -> Curvature.of(fresh, Losses.softmaxCrossEntropy(), ok),
                    "not initialised", "block.initialize");
            // DJL's own loss is mapped to its GC-safe equivalent: the same curvature as Minima's loss
            try (Curvature djl = Curvature.builder().setBlock(block).setLoss(Loss.softmaxCrossEntropyLoss())
                    .setDataset(ok).optProgressBar(false).build();
                    Curvature minima = Curvature.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                            .setDataset(ok).optProgressBar(false).build()) {
                assertTrue(djl.objective().loss() instanceof dev.minima.loss.MinimaLoss);
                assertEquals(minima.topEigenvalue().max(), djl.topEigenvalue().max(), 1e-5);
            }
            // inputs of the wrong width
            ArrayDataset narrow = new ArrayDataset.Builder().setData(m.ones(new Shape(6, 5))).optLabels(y)
                    .setSampling(3, false).build();
            assertMessage(IllegalArgumentException.class,
                    () -> Curvature.of(block, Losses.softmaxCrossEntropy(), narrow), "inputs", "(3, 5)");
        }
    }

    private static SequentialBlock mlp() {
        SequentialBlock b = new SequentialBlock();
        b.add(Linear.builder().setUnits(5).build());
        b.add(ai.djl.nn.Activation::tanh);
        b.add(Linear.builder().setUnits(3).build());
        return b;
    }

    /** Conv(3 filters, 3×3) → batch norm → tanh → dropout(0.5) → flatten → Linear(3). */
    static final class ConvFixture {
        static SequentialBlock block() {
            SequentialBlock b = new SequentialBlock();
            b.add(ai.djl.nn.convolutional.Conv2d.builder().setFilters(3).setKernelShape(new Shape(3, 3)).build());
            b.add(ai.djl.nn.norm.BatchNorm.builder().build());
            b.add(ai.djl.nn.Activation::tanh);
            b.add(ai.djl.nn.norm.Dropout.builder().optRate(0.5f).build());
            b.add(ai.djl.nn.Blocks.batchFlattenBlock());
            b.add(Linear.builder().setUnits(3).build());
            return b;
        }

        static NDArray predict(Block block, NDArray x, NDManager m) {
            return block.forward(new ai.djl.training.ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
        }

        static double[] toDoubles(NDArray a) {
            return Vectors.toDoubles(a.reshape(-1));
        }

        static double[] runningStatistics(Block block) {
            java.util.List<Double> out = new java.util.ArrayList<>();
            block.getParameters().forEach(p -> {
                if (!p.getValue().requiresGradient()) {
                    for (double d : Vectors.toDoubles(p.getValue().getArray().reshape(-1))) {
                        out.add(d);
                    }
                }
            });
            assertEquals(6, out.size(), "running mean and variance of 3 channels");
            return out.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }
}
