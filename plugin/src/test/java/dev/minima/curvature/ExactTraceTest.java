package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.loss.Loss;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.autograd.NativeArrays;
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss.OutputReduction;
import dev.minima.util.GarbageCollection;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ExactTrace} against the trace of the dense Hessian, built column by column from exact Hessian-vector
 * products (autograd through the bridge, a forced GC between the forward pass and every backward pass), on
 * small ReLU MLPs in float64. Both sides are exact up to float64 rounding in sums of a few hundred terms, so they
 * agree to 1e-10 relative. The dense Hessian differs from the dense Gauss–Newton matrix off the diagonal (the
 * terms of ∇²f that couple layers), so the agreement of the traces is the a.e. vanishing of diag ∇²f, not an
 * identity of the matrices.
 */
@ExtendWith(SingleTorchThread.class)
class ExactTraceTest {

    private static final double TOLERANCE = 1e-10;

    @Test
    void softmaxCrossEntropyTraceEqualsDenseHessianTrace() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = reluMlp(m, 31, 4, 5, 4, 3);
            NDArray x = TestModels.normal(m, 32, 9, 4, DataType.FLOAT64);
            NDArray y = classes(m, 33, 9, 3);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                    .addBatch(x, y).build()) {
                double[][] h = denseUnderGc(HessianOperator.of(obj));
                double[][] g = denseUnderGc(GaussNewtonOperator.of(obj));
                double exact = ExactTrace.builder().build().trace(obj);
                assertEquals(DenseMatrices.trace(h), exact, TOLERANCE * Math.abs(exact), "tr(H)");
                assertEquals(DenseMatrices.trace(g), exact, TOLERANCE * Math.abs(exact), "tr(GGN)");
                assertTrue(offDiagonalGap(h, g) > 1e-3 * Dense.maxAbs(h),
                        "H and the Gauss–Newton matrix should differ off the diagonal: " + offDiagonalGap(h, g));
            }
        }
    }

    @Test
    void squaredErrorTracesEqualDenseHessianTraces() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = reluMlp(m, 41, 3, 6, 5, 2);
            NDArray x = TestModels.normal(m, 42, 8, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 43, 8, 2, DataType.FLOAT64);
            for (Loss loss : new Loss[] {Losses.halfMse(), Losses.mse(OutputReduction.SUM_OUTPUTS)}) {
                try (Objective obj = Objective.builder().setBlock(block).setLoss(loss).addBatch(x, y).build()) {
                    double dense = DenseMatrices.trace(denseUnderGc(HessianOperator.of(obj)));
                    double exact = ExactTrace.builder().build().trace(obj);
                    assertEquals(dense, exact, TOLERANCE * Math.abs(exact), loss.getName());
                }
            }
        }
    }

    /** Two batches of different sizes (weights 5/12 and 7/12) and a space of the last two layers only. */
    @Test
    void weightsBatchesAndCountsOnlyTheChosenParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = reluMlp(m, 51, 3, 4, 4, 3);
            NDArray x1 = TestModels.normal(m, 52, 5, 3, DataType.FLOAT64);
            NDArray x2 = TestModels.normal(m, 53, 7, 3, DataType.FLOAT64);
            ParameterSpace late = ParameterSpace.of(block, name -> !name.startsWith("01"));
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                    .optParameters(late).addBatch(x1, classes(m, 54, 5, 3)).addBatch(x2, classes(m, 55, 7, 3))
                    .build()) {
                assertTrue(late.dimension() < ParameterSpace.of(block).dimension());
                double dense = DenseMatrices.trace(denseUnderGc(HessianOperator.of(obj)));
                double exact = ExactTrace.builder().build().trace(obj);
                assertEquals(dense, exact, TOLERANCE * Math.abs(exact));
            }
        }
    }

    /** A float32 model: the float64 computation at its parameters agrees with the float32 one to float32 rounding. */
    @Test
    void float32ModelTraceAgreesAcrossComputationTypes() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT32, 61, TestModels.relu(), 6, 16, 16, 4);
            NDArray x = TestModels.normal(m, 62, 20, 6, DataType.FLOAT32);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                    .addBatch(x, classes(m, 63, 20, 4)).build()) {
                double t64 = ExactTrace.builder().build().trace(obj);
                double t32 = ExactTrace.builder().optDataType(DataType.FLOAT32).build().trace(obj);
                assertTrue(t64 > 0);
                assertEquals(t64, t32, 1e-5 * t64);
            }
        }
    }

    @Test
    void refusesSmoothActivationsWithTheReason() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 71, TestModels.tanh(), 3, 4, 2);
            NDArray x = TestModels.normal(m, 72, 4, 3, DataType.FLOAT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.halfMse())
                    .addBatch(x, TestModels.normal(m, 73, 4, 2, DataType.FLOAT64)).build()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ExactTrace.builder().build().trace(obj));
                assertTrue(e.getMessage().contains("tanh") && e.getMessage().contains("smooth")
                        && e.getMessage().contains("∇²f"), e.getMessage());
                // and the refusal is right: for tanh the two traces differ
                double h = DenseMatrices.trace(denseUnderGc(HessianOperator.of(obj)));
                double g = DenseMatrices.trace(denseUnderGc(GaussNewtonOperator.of(obj)));
                assertTrue(Math.abs(h - g) > 1e-3 * Math.abs(g), "tr(H) " + h + " tr(GGN) " + g);
            }
        }
    }

    @Test
    void refusesOtherLossesAndBlocks() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = reluMlp(m, 81, 3, 4, 1);
            NDArray x = TestModels.normal(m, 82, 4, 3, DataType.FLOAT64);
            NDArray y = NativeArrays.of(m, new double[] {0, 1, 1, 0}, new Shape(4, 1), DataType.FLOAT64);
            try (Objective obj = Objective.builder().setBlock(block)
                    .setLoss(Losses.binaryCrossEntropyWithLogits(0)).addBatch(x, y).build()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ExactTrace.builder().build().trace(obj));
                assertTrue(e.getMessage().contains("closed form"), e.getMessage());
            }
            ai.djl.nn.SequentialBlock withNorm = new ai.djl.nn.SequentialBlock()
                    .add(ai.djl.nn.core.Linear.builder().setUnits(4).build())
                    .add(ai.djl.nn.norm.LayerNorm.builder().build())
                    .add(ai.djl.nn.core.Linear.builder().setUnits(2).build());
            withNorm.initialize(m, DataType.FLOAT64, new Shape(1, 3));
            try (Objective obj = Objective.builder().setBlock(withNorm).setLoss(Losses.halfMse())
                    .addBatch(x, TestModels.normal(m, 83, 4, 2, DataType.FLOAT64)).build()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ExactTrace.builder().build().trace(obj));
                assertTrue(e.getMessage().contains("LayerNorm") && e.getMessage().contains("piecewise linear"),
                        e.getMessage());
            }
        }
    }

    /** A ReLU MLP at random parameters (DJL's zero biases would put pre-activations on kinks). */
    private static Block reluMlp(NDManager m, long seed, int inputs, int... widths) {
        Block block = TestModels.mlp(m, DataType.FLOAT64, seed, TestModels.relu(), inputs, widths);
        ParameterSpace space = ParameterSpace.of(block);
        try (NDManager s = m.newSubManager()) {
            space.assign(Vectors.of(s, Dense.gaussian((int) space.dimension(), seed + 1000), DataType.FLOAT64));
        }
        return block;
    }

    private static NDArray classes(NDManager m, long seed, int n, int k) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = r.nextInt(k);
        }
        return NativeArrays.of(m, c, new Shape(n), DataType.INT64);
    }

    /** The dense matrix, column by column, with a forced GC after the forward pass and before every product. */
    private static double[][] denseUnderGc(BatchedCurvatureOperator<?> op) {
        try (op) {
            int n = (int) op.dimension();
            double[][] a = new double[n][n];
            try (NDManager scratch = NDManager.newBaseManager()) {
                if (op.objective().canRetainGraph()) {
                    op.retainedPieces(); // the forward pass, once
                }
                for (int j = 0; j < n; j++) {
                    GarbageCollection.collect();
                    try (NDManager scope = scratch.newSubManager()) {
                        double[] unit = new double[n];
                        unit[j] = 1;
                        double[] column = Vectors.toDoubles(op.apply(Vectors.of(scope, unit, DataType.FLOAT64)));
                        for (int i = 0; i < n; i++) {
                            a[i][j] = column[i];
                        }
                    }
                }
            }
            return a;
        }
    }

    private static double offDiagonalGap(double[][] h, double[][] g) {
        double gap = 0;
        for (int i = 0; i < h.length; i++) {
            for (int j = 0; j < h.length; j++) {
                if (i != j) {
                    gap = Math.max(gap, Math.abs(h[i][j] - g[i][j]));
                }
            }
        }
        return gap;
    }
}
