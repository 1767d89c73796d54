package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Dense and restricted operators, and dense materialisation. */
@ExtendWith(SingleTorchThread.class)
class OperatorsTest {

    @Test
    void denseOperatorMultipliesAndKeepsItsSpectrum() {
        double[] spectrum = {4, -1, 0.5, 2, 2};
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(spectrum, 3, m, DataType.FLOAT64)) {
            double[][] mat = a.matrix();
            double[] eig = SymmetricEigen.of(mat).values();
            assertArrayEquals(new double[] {-1, 0.5, 2, 2, 4}, eig, 1e-12);
            double[] v = Dense.gaussian(5, 1);
            Dense.assertVectorEquals(Dense.matVec(mat, v), Dense.apply(a, v), 1e-14, "Av");
            Dense.assertMatrixEquals(mat, DenseMatrices.materialize(a), 1e-15, "materialised");
            NDArray x = Vectors.of(m, v, DataType.FLOAT32); // another type is converted
            assertEquals(DataType.FLOAT64, a.apply(x).getDataType());
        }
    }

    @Test
    void denseOperatorRejectsBadMatrices() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DenseOperator.of(new double[][] {{1, 2}, {2.1, 1}}, m, DataType.FLOAT64));
            assertTrue(e.getMessage().contains("not symmetric"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> DenseOperator.of(new double[][] {{1, 2}, {2}}, m, DataType.FLOAT64));
            assertTrue(e.getMessage().contains("square"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> DenseOperator.of(new double[][] {{Double.NaN}}, m, DataType.FLOAT64));
            assertTrue(e.getMessage().contains("finite"), e.getMessage());
            // rounding-level asymmetry (materialised float products) is accepted and symmetrised
            try (DenseOperator ok = DenseOperator.of(new double[][] {{1, 2}, {2 + 1e-12, 1}}, m, DataType.FLOAT64)) {
                assertEquals(2 + 0.5e-12, ok.matrix()[0][1], 1e-16);
            }
        }
    }

    /** PᵀHP equals the sub-block of the dense Hessian, for index lists in any order and for named parameters. */
    @Test
    void restrictedOperatorIsThePrincipalSubBlock() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 5, TestModels.tanh(), 3, 4, 2);
            NDArray x = TestModels.normal(m, 6, 8, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 7, 8, 2, DataType.FLOAT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj)) {
                double[][] full = DenseMatrices.materialize(h);
                long[] idx = {20, 3, 7, 0, 25};
                double[][] sub = DenseMatrices.materialize(RestrictedOperator.of(h, idx));
                for (int i = 0; i < idx.length; i++) {
                    for (int j = 0; j < idx.length; j++) {
                        assertEquals(full[(int) idx[i]][(int) idx[j]], sub[i][j], 1e-13, i + "," + j);
                    }
                }
                ParameterSpace space = obj.space();
                List<RestrictedOperator.Range> ranges = RestrictedOperator.ranges(space, n -> n.endsWith("bias"));
                assertEquals(2, ranges.size());
                assertEquals(new RestrictedOperator.Range(space.offset(1), space.offset(2)), ranges.get(0));
                RestrictedOperator biases = RestrictedOperator.of(h, ranges);
                assertEquals(4 + 2, biases.dimension());
                double[][] b = DenseMatrices.materialize(biases);
                long[] bi = biases.indices();
                for (int i = 0; i < bi.length; i++) {
                    for (int j = 0; j < bi.length; j++) {
                        assertEquals(full[(int) bi[i]][(int) bi[j]], b[i][j], 1e-13);
                    }
                }
                // the same block from a parameter space restricted at the source
                ParameterSpace onlyBiases = ParameterSpace.of(block, n -> n.endsWith("bias"));
                try (Objective o2 = Objective.builder().setBlock(block).setLoss(Losses.halfMse())
                                .optParameters(onlyBiases).addBatch(x, y).build();
                        HessianOperator h2 = HessianOperator.of(o2)) {
                    Dense.assertMatrixEquals(b, DenseMatrices.materialize(h2), 1e-13, "bias Hessian");
                }
                assertThrows(IllegalArgumentException.class, () -> RestrictedOperator.of(h, new long[] {1, 1}));
                assertThrows(IllegalArgumentException.class, () -> RestrictedOperator.of(h, new long[] {26}));
                assertThrows(IllegalArgumentException.class, () -> RestrictedOperator.ranges(space, n -> false));
            }
        }
    }

    @Test
    void materializeRefusesLargeOperators() {
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(new double[] {1, 2, 3}, 1, m, DataType.FLOAT64)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> DenseMatrices.materialize(a, 2));
            assertTrue(e.getMessage().contains("dense limit 2"), e.getMessage());
        }
    }
}
