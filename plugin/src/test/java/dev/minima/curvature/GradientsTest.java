package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Per-example parameter gradients and input gradients against the closed forms of a two-layer ReLU net:
 * ∇_θ f = [v⊙a ⊗ x; v⊙a; relu(h); 1] and ∇_x f = Σ_k v_k a_k w_k. Tolerance 1e-12 relative in float64 and
 * 1e-5 in float32 (sums of ~10 products of O(1) terms: a few float32 ulps, 1.2e-7 each).
 */
@ExtendWith(SingleTorchThread.class)
class GradientsTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT32", "FLOAT64"})
    void perExampleAndInputGradientsMatchClosedForm(DataType type) {
        double tol = type == DataType.FLOAT64 ? 1e-12 : 1e-5;
        try (NDManager m = NDManager.newBaseManager()) {
            TwoLayerRelu net = new TwoLayerRelu(m, type, 4, 6, 81);
            NDArray x = TestModels.normal(m, 82, 7, 4, type);
            double[][] xs = TwoLayerRelu.rows(x);
            double[][] phi = Gradients.parameters(net.block, x);
            double[][] dfdx = Gradients.inputs(net.block, x);
            NDArray jac = Gradients.parameterJacobian(net.block, ParameterSpace.of(net.block), x, m);
            assertEquals(new Shape(7, net.dimension()), jac.getShape());
            assertEquals(type, jac.getDataType());
            for (int i = 0; i < xs.length; i++) {
                Dense.assertVectorEquals(net.gradient(xs[i]), phi[i], tol, "∇_θ f(x_" + i + ")");
                double[] expected = new double[4];
                for (int k = 0; k < 6; k++) {
                    double h = net.b[k];
                    for (int j = 0; j < 4; j++) {
                        h += net.w[k][j] * xs[i][j];
                    }
                    for (int j = 0; h > 0 && j < 4; j++) {
                        expected[j] += net.v[k] * net.w[k][j];
                    }
                }
                Dense.assertVectorEquals(expected, dfdx[i], tol, "∇_x f(x_" + i + ")");
            }
            // inputs of another type are converted for parameter gradients
            NDArray x64 = x.toType(DataType.FLOAT64, true);
            Dense.assertVectorEquals(phi[0], Gradients.parameters(net.block, x64)[0], tol, "converted inputs");
        }
    }

    @Test
    void rejectsBlocksWithoutOneScalarPerExample() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 83, TestModels.tanh(), 3, 4, 2);
            NDArray x = TestModels.normal(m, 84, 5, 3, DataType.FLOAT64);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Gradients.parameters(block, x));
            assertTrue(e.getMessage().contains("one scalar per example"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Gradients.inputs(block, x));
        }
    }
}
