package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exact Hessian-vector products against independent dense Hessians: the closed form of a two-layer ReLU net
 * and Richardson-extrapolated central differences of exact gradients for smooth nets.
 */
@ExtendWith(SingleTorchThread.class)
class HessianExactnessTest {

    /**
     * Two-layer ReLU net, plain MSE, at a generic θ (not a minimum): the Hessian is the closed form
     * (2/n) Σ [∇f∇fᵀ + r ∇²f] (docs/theory.md §4). Both sides are exact in float64, so they may differ only by
     * rounding in sums of a few dozen terms: 1e-12 relative to the largest entry, and 1e-10 for H·v.
     */
    @Test
    void reluHessianEqualsClosedForm() {
        try (NDManager m = NDManager.newBaseManager()) {
            TwoLayerRelu net = new TwoLayerRelu(m, DataType.FLOAT64, 3, 5, 11);
            NDArray x = TestModels.normal(m, 12, 10, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 13, 10, 1, DataType.FLOAT64);
            double[][] expected = net.lossHessian(TwoLayerRelu.rows(x), Vectors.toDoubles(y), 2.0);
            try (Objective obj = Objective.builder().setBlock(net.block).setLoss(Losses.mse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj)) {
                Dense.assertMatrixEquals(expected, DenseMatrices.materialize(h), 1e-12, "ReLU Hessian");
                double[] v = Dense.gaussian(net.dimension(), 5);
                Dense.assertVectorEquals(Dense.matVec(expected, v), Dense.apply(h, v), 1e-10, "ReLU Hv");
            }
        }
    }

    /**
     * Smooth (tanh) MLP with ½-MSE: every Hessian column against Richardson-extrapolated central differences of
     * exact gradients, D = (4 D(h/2) − D(h))/3 with D(h) = (g(θ+he) − g(θ−he))/2h. Its truncation error is
     * O(h⁴ ‖∇⁵L‖) ≈ 1e-12 at h = 1e-3 and its rounding error ≈ ε‖g‖/h ≈ 1e-13, so 1e-10 is a safe bound.
     */
    @Test
    void smoothHessianEqualsRichardsonDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 3, TestModels.tanh(), 3, 4, 2);
            NDArray x = TestModels.normal(m, 4, 8, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 5, 8, 2, DataType.FLOAT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj)) {
                double[][] fd = richardsonHessian(obj, 1e-3);
                double[][] exact = DenseMatrices.materialize(h);
                Dense.assertMatrixEquals(fd, exact, 1e-10, "tanh Hessian");
                double[] v = Dense.gaussian((int) h.dimension(), 6);
                Dense.assertVectorEquals(Dense.matVec(fd, v), Dense.apply(h, v), 1e-10, "tanh Hv");
                assertTrue(DenseMatrices.asymmetry(exact) < 1e-13, "exact products are symmetric to rounding");
            }
        }
    }

    /**
     * A deeper ReLU net (two hidden layers, ½-MSE): within one activation pattern the loss is a polynomial of
     * degree 6 in θ, so Richardson differences are exact up to O(h⁴) terms (≈ 1e-12) as long as no
     * pre-activation changes sign within ±h. θ is drawn at random (DJL's zero bias init would put a layer-2
     * pre-activation exactly on a kink for an example whose first-layer units are all off).
     */
    @Test
    void deepReluHessianEqualsRichardsonDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 8, TestModels.relu(), 3, 4, 3, 1);
            ParameterSpace space = ParameterSpace.of(block);
            space.assign(Vectors.of(m, Dense.gaussian((int) space.dimension(), 8), DataType.FLOAT64));
            NDArray x = TestModels.normal(m, 9, 6, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 10, 6, 1, DataType.FLOAT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj)) {
                Dense.assertMatrixEquals(richardsonHessian(obj, 1e-3), DenseMatrices.materialize(h), 1e-10,
                        "deep ReLU Hessian");
            }
        }
    }

    /** Lanczos top-3 against the dense eigen-decomposition of the materialised Hessian. */
    @Test
    void lanczosTopThreeMatchesDenseEigen() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 21, TestModels.tanh(), 4, 8, 3);
            NDArray x = TestModels.normal(m, 22, 20, 4, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 23, 20, 3, DataType.FLOAT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj)) {
                SymmetricEigen dense = SymmetricEigen.of(DenseMatrices.materialize(h));
                int n = (int) h.dimension();
                Eigenpairs top = Lanczos.builder().optTopK(3).optTolerance(1e-10).optSeed(1).build().run(h);
                assertTrue(top.converged(), top.toString());
                for (int i = 0; i < 3; i++) {
                    double expected = dense.value(n - 1 - i);
                    // residual r bounds |θ − λ| by r; the Ritz value error is ≈ r²/gap, far below 1e-10·λ
                    assertEquals(expected, top.value(i), 1e-9 * Math.abs(dense.max()), "eigenvalue " + i);
                    double overlap = Math.abs(dot(top.vector(i), dense.vector(n - 1 - i)));
                    assertEquals(1.0, overlap, 1e-6, "eigenvector " + i);
                }
            }
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Dense Hessian, column j from Richardson-extrapolated central differences of exact gradients along e_j. */
    static double[][] richardsonHessian(Objective obj, double step) {
        ParameterSpace space = obj.space();
        int n = (int) space.dimension();
        double[][] h = new double[n][n];
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray theta = space.values(m);
            double[] t = Vectors.toDoubles(theta);
            try {
                for (int j = 0; j < n; j++) {
                    double[] d1 = centralDifference(obj, m, t, j, step);
                    double[] d2 = centralDifference(obj, m, t, j, step / 2);
                    for (int i = 0; i < n; i++) {
                        h[i][j] = (4 * d2[i] - d1[i]) / 3;
                    }
                }
            } finally {
                space.assign(theta);
            }
        }
        // average the two triangles: both are estimates of the same entry
        return DenseMatrices.symmetrise(h);
    }

    private static double[] centralDifference(Objective obj, NDManager m, double[] theta, int j, double step) {
        ParameterSpace space = obj.space();
        double[] t = theta.clone();
        t[j] = theta[j] + step;
        space.assign(Vectors.of(m, t, space.dataType()));
        double[] gp = Vectors.toDoubles(obj.gradient(m));
        t[j] = theta[j] - step;
        space.assign(Vectors.of(m, t, space.dataType()));
        double[] gm = Vectors.toDoubles(obj.gradient(m));
        double[] d = new double[gp.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (gp[i] - gm[i]) / (2 * step);
        }
        return d;
    }
}
