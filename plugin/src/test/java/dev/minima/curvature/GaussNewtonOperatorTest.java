package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The generalised Gauss–Newton operator against closed forms (all float64, exact up to rounding). */
@ExtendWith(SingleTorchThread.class)
class GaussNewtonOperatorTest {

    /**
     * Square losses: G = (C/n) Σ ∇f(x_i)∇f(x_i)ᵀ with C = ℓ'' (1 for ½-MSE, 2 for MSE), the closed-form
     * gradients of a two-layer ReLU net at a generic θ; it differs from the Hessian there (r ≠ 0).
     */
    @Test
    void squareLossGaussNewtonIsScaledGram() {
        try (NDManager m = NDManager.newBaseManager()) {
            TwoLayerRelu net = new TwoLayerRelu(m, DataType.FLOAT64, 3, 4, 31);
            NDArray x = TestModels.normal(m, 32, 9, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 33, 9, 1, DataType.FLOAT64);
            double[][] xs = TwoLayerRelu.rows(x);
            for (double c : new double[] {1, 2}) {
                double[][] expected = new double[net.dimension()][net.dimension()];
                for (double[] xi : xs) {
                    double[] g = net.gradient(xi);
                    for (int i = 0; i < g.length; i++) {
                        for (int j = 0; j < g.length; j++) {
                            expected[i][j] += c / xs.length * g[i] * g[j];
                        }
                    }
                }
                try (Objective obj = Objective.builder().setBlock(net.block)
                                .setLoss(c == 1 ? Losses.halfMse() : Losses.mse()).addBatch(x, y).build();
                        GaussNewtonOperator gn = GaussNewtonOperator.of(obj)) {
                    Dense.assertMatrixEquals(expected, DenseMatrices.materialize(gn), 1e-12, "GN, C = " + c);
                }
            }
        }
    }

    /**
     * A linear model f = Wx + b with softmax cross-entropy: f is linear in θ, so G equals the Hessian, and both
     * equal (1/n) Σ_i (diag(p_i) − p_i p_iᵀ) ⊗ x̃_i x̃_iᵀ in DJL's order (W row-major, then b), x̃ = (x, 1).
     */
    @Test
    void linearSoftmaxGaussNewtonEqualsHessianAndClosedForm() {
        try (NDManager m = NDManager.newBaseManager()) {
            int d = 4;
            int classes = 3;
            int n = 7;
            Linear block = Linear.builder().setUnits(classes).build();
            block.initialize(m, DataType.FLOAT64, new Shape(1, d));
            ParameterSpace space = ParameterSpace.of(block);
            double[] theta = Dense.gaussian((int) space.dimension(), 41);
            space.assign(Vectors.of(m, theta, DataType.FLOAT64));
            NDArray x = TestModels.normal(m, 42, n, d, DataType.FLOAT64);
            NDArray labels = m.create(new long[] {0, 2, 1, 1, 0, 2, 2});
            double[][] xs = TwoLayerRelu.rows(x);
            int p = classes * d + classes;
            double[][] expected = new double[p][p];
            for (double[] xi : xs) {
                double[] z = new double[classes];
                double max = Double.NEGATIVE_INFINITY;
                for (int a = 0; a < classes; a++) {
                    z[a] = theta[classes * d + a];
                    for (int j = 0; j < d; j++) {
                        z[a] += theta[a * d + j] * xi[j];
                    }
                    max = Math.max(max, z[a]);
                }
                double sum = 0;
                for (int a = 0; a < classes; a++) {
                    z[a] = Math.exp(z[a] - max);
                    sum += z[a];
                }
                for (int a = 0; a < classes; a++) {
                    z[a] /= sum;
                }
                for (int a = 0; a < classes; a++) {
                    for (int b = 0; b < classes; b++) {
                        double s = (a == b ? z[a] : 0) - z[a] * z[b];
                        for (int i = 0; i <= d; i++) {
                            for (int j = 0; j <= d; j++) {
                                int ri = i < d ? a * d + i : classes * d + a;
                                int cj = j < d ? b * d + j : classes * d + b;
                                double xi1 = i < d ? xi[i] : 1;
                                double xj1 = j < d ? xi[j] : 1;
                                expected[ri][cj] += s * xi1 * xj1 / n;
                            }
                        }
                    }
                }
            }
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                            .addBatch(x, labels).build();
                    GaussNewtonOperator gn = GaussNewtonOperator.of(obj);
                    HessianOperator h = HessianOperator.of(obj)) {
                Dense.assertMatrixEquals(expected, DenseMatrices.materialize(gn), 1e-12, "GN");
                Dense.assertMatrixEquals(expected, DenseMatrices.materialize(h), 1e-12, "Hessian");
            }
        }
    }

    /**
     * A tanh MLP with logistic loss and label smoothing: ℓ''(z) = σ(z)(1 − σ(z)) varies per example, so
     * G = (1/n) Σ σ'(z_i) ∇f(x_i)∇f(x_i)ᵀ, with the per-example gradients from {@link Gradients}; G is
     * positive semi-definite because the loss is convex in the outputs.
     */
    @Test
    void logisticGaussNewtonWeightsGramByLossCurvature() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 51, TestModels.tanh(), 3, 5, 1);
            NDArray x = TestModels.normal(m, 52, 8, 3, DataType.FLOAT64);
            NDArray y = m.create(new double[] {1, 0, 0, 1, 1, 0, 1, 0}, new Shape(8, 1));
            double[][] phi = Gradients.parameters(block, x);
            double[] z;
            try (NDManager s = m.newSubManager()) {
                z = Vectors.toDoubles(block.forward(new ai.djl.training.ParameterStore(s, false),
                        new ai.djl.ndarray.NDList(x), false).singletonOrThrow().reshape(-1));
            }
            int p = phi[0].length;
            double[][] expected = new double[p][p];
            for (int e = 0; e < phi.length; e++) {
                double sig = 1 / (1 + Math.exp(-z[e]));
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < p; j++) {
                        expected[i][j] += sig * (1 - sig) * phi[e][i] * phi[e][j] / phi.length;
                    }
                }
            }
            try (Objective obj = Objective.builder().setBlock(block)
                            .setLoss(Losses.binaryCrossEntropyWithLogits(0.2)).addBatch(x, y).build();
                    GaussNewtonOperator gn = GaussNewtonOperator.of(obj)) {
                double[][] g = DenseMatrices.materialize(gn);
                Dense.assertMatrixEquals(expected, g, 1e-12, "logistic GN");
                assertTrue(SymmetricEigen.of(g).min() > -1e-12, "GN is positive semi-definite");
            }
        }
    }
}
