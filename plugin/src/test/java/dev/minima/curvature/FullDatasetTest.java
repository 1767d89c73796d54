package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.dataset.ArrayDataset;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Full-dataset objectives: with a per-example mean loss the batch-size–weighted mean over batches is the mean
 * over all examples, so Hessian and Gauss–Newton products over several batches (equal or unequal sizes, from
 * {@code addBatch} or a DJL {@link ArrayDataset}) equal the single-batch products on the concatenated data, up
 * to float64 rounding of a different summation order (1e-12 relative).
 */
@ExtendWith(SingleTorchThread.class)
class FullDatasetTest {

    @Test
    void multiBatchProductsEqualSingleBatchProducts() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 71, TestModels.tanh(), 3, 5, 2);
            NDArray x = TestModels.normal(m, 72, 12, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 73, 12, 2, DataType.FLOAT64);
            ArrayDataset dataset = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(5, false).build();
            try (Objective whole = Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(x, y).build();
                    Objective thirds = Objective.builder().setBlock(block).setLoss(Losses.halfMse())
                            .addBatch(x.get("0:4"), y.get("0:4")).addBatch(x.get("4:8"), y.get("4:8"))
                            .addBatch(x.get("8:12"), y.get("8:12")).build();
                    Objective fromDataset = Objective.builder().setBlock(block).setLoss(Losses.halfMse())
                            .optDataset(dataset, m).build()) {
                assertEquals(3, thirds.batchCount());
                assertEquals(3, fromDataset.batchCount(), "batches of 5, 5 and 2");
                assertEquals(12, fromDataset.size());
                assertEquals(whole.value(), thirds.value(), 1e-12 * whole.value());
                assertEquals(whole.value(), fromDataset.value(), 1e-12 * whole.value());
                double[] v = Dense.gaussian((int) whole.space().dimension(), 74);
                try (HessianOperator h = HessianOperator.of(whole);
                        HessianOperator h3 = HessianOperator.of(thirds);
                        HessianOperator hd = HessianOperator.of(fromDataset);
                        GaussNewtonOperator g = GaussNewtonOperator.of(whole);
                        GaussNewtonOperator g3 = GaussNewtonOperator.of(thirds);
                        GaussNewtonOperator gd = GaussNewtonOperator.of(fromDataset)) {
                    double[] hv = Dense.apply(h, v);
                    Dense.assertVectorEquals(hv, Dense.apply(h3, v), 1e-12, "Hv, three batches");
                    Dense.assertVectorEquals(hv, Dense.apply(hd, v), 1e-12, "Hv, dataset");
                    double[] gv = Dense.apply(g, v);
                    Dense.assertVectorEquals(gv, Dense.apply(g3, v), 1e-12, "Gv, three batches");
                    Dense.assertVectorEquals(gv, Dense.apply(gd, v), 1e-12, "Gv, dataset");
                    assertEquals(1, h3.products(), "one product per call, whatever the batches");
                }
                double[] g1 = Vectors.toDoubles(whole.gradient(m));
                Dense.assertVectorEquals(g1, Vectors.toDoubles(fromDataset.gradient(m)), 1e-12, "gradient");
            }
        }
    }
}
