package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss.OutputReduction;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sharpness and trace closed forms of deep linear networks (Mulayoff &amp; Michaeli 2020) and
 * two-layer ReLU networks (Wen et al. 2023). */
@ExtendWith(SingleTorchThread.class)
class ClosedFormsTest {

    private static final int D = 3;
    private static final int DEPTH = 4;
    private static final double SIGMA_MAX = 2.101432;

    /**
     * Mulayoff &amp; Michaeli (2020), Theorem 1: at the canonical flattest minimum (W_m = U S^{1/m}, W_j = S^{1/m}, W_1 =
     * S^{1/m}Vᵀ) with whitened inputs and ℓ = Ê‖y − f(x)‖², λ_max = 2mσ_max(T)^{2(1−1/m)}: 24.370423 for d = 3, m = 4,
     * σ_max = 2.101432 (docs/theory.md §3); a mean over the d_y outputs divides it by d_y. Also tr H =
     * 2 Σ_k ‖C_k‖_F² ‖A_k‖_F² [derived there], and G = H (zero residual). All exact in float64: 1e-10.
     */
    @Test
    void deepLinearFlattestMinimumSharpnessAndTrace() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] s = {SIGMA_MAX, 1.3, 0.6};
            double[][] u = DenseOperator.randomOrthogonal(D, new SplittableRandom(1));
            double[][] v = DenseOperator.randomOrthogonal(D, new SplittableRandom(2));
            double[][] root = new double[D][D];
            double[][] t = new double[D][D];
            for (int i = 0; i < D; i++) {
                root[i][i] = Math.pow(s[i], 1.0 / DEPTH);
            }
            for (int i = 0; i < D; i++) {
                for (int j = 0; j < D; j++) {
                    for (int k = 0; k < D; k++) {
                        t[i][j] += u[i][k] * s[k] * v[j][k]; // T = U S Vᵀ
                    }
                }
            }
            double[][][] w = new double[DEPTH][][];
            w[0] = Dense.matMul(root, Dense.transpose(v)); // S^{1/m} Vᵀ
            for (int j = 1; j < DEPTH - 1; j++) {
                w[j] = root;
            }
            w[DEPTH - 1] = Dense.matMul(u, root); // U S^{1/m}
            double[][] product = Dense.identity(D);
            for (double[][] layer : w) {
                product = Dense.matMul(layer, product);
            }
            Dense.assertMatrixEquals(t, product, 1e-12, "W_m ⋯ W_1 = T");

            SequentialBlock block = new SequentialBlock();
            for (int j = 0; j < DEPTH; j++) {
                block.add(Linear.builder().setUnits(D).optBias(false).build());
            }
            block.initialize(m, DataType.FLOAT64, new Shape(1, D));
            ParameterSpace space = ParameterSpace.of(block);
            space.assign(Vectors.of(m, Dense.flatten(w), DataType.FLOAT64));
            // whitened design: X = √n I, so Σ_x = XᵀX/n = I; targets y = T x
            int n = D;
            double[][] xs = new double[n][D];
            for (int i = 0; i < n; i++) {
                xs[i][i] = Math.sqrt(n);
            }
            NDArray x = Vectors.of(m, Dense.flatten(xs), DataType.FLOAT64).reshape(n, D);
            NDArray y = Vectors.of(m, Dense.flatten(Dense.matMul(xs, Dense.transpose(t))), DataType.FLOAT64)
                    .reshape(n, D);
            double expected = 2 * DEPTH * Math.pow(SIGMA_MAX, 2 * (1 - 1.0 / DEPTH));
            assertEquals(24.370423, expected, 1e-5, "docs/theory.md §3 test value (σ_max printed to 7 digits)");
            double trace = 0;
            for (int k = 0; k < DEPTH; k++) {
                double[][] a = Dense.identity(D);
                for (int i = k + 1; i < DEPTH; i++) {
                    a = Dense.matMul(w[i], a);
                }
                double[][] c = Dense.identity(D);
                for (int j = 0; j < k; j++) {
                    c = Dense.matMul(w[j], c);
                }
                trace += 2 * Dense.frobenius2(a) * Dense.frobenius2(c);
            }
            try (Objective sum = Objective.builder().setBlock(block).setLoss(Losses.mse(OutputReduction.SUM_OUTPUTS))
                            .addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(sum);
                    GaussNewtonOperator g = GaussNewtonOperator.of(sum)) {
                assertEquals(0, sum.value(), 1e-20, "a global minimum");
                Eigenpairs top = Lanczos.builder().optTolerance(1e-10).optSeed(3).build().run(h);
                assertEquals(expected, top.max(), 1e-10 * expected, top.toString());
                double[][] dense = DenseMatrices.materialize(h);
                assertEquals(expected, SymmetricEigen.of(dense).max(), 1e-10 * expected);
                assertEquals(trace, DenseMatrices.trace(dense), 1e-10 * trace, "tr H = 2 Σ ‖C_k‖²‖A_k‖²");
                Dense.assertMatrixEquals(dense, DenseMatrices.materialize(g), 1e-12, "G = H at a minimum");
            }
            try (Objective mean = Objective.builder().setBlock(block).setLoss(Losses.mse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(mean)) {
                Eigenpairs top = Lanczos.builder().optTolerance(1e-10).optSeed(3).build().run(h);
                assertEquals(expected / D, top.max(), 1e-10 * expected, "mean over outputs divides by d_y");
            }
        }
    }

    /**
     * Wen et al. (2023) / docs/theory.md §4: for a two-layer ReLU net and plain MSE, Tr(∇²L) = (2/n) Σ ‖∇_θ f(x_i)‖² at
     * any θ (ReLU'' = 0 empties the Hessian's diagonal blocks); the exact trace from the dense Hessian against
     * per-example gradients from {@link Gradients}, whose norms also match the closed form
     * ‖W₂⊙1[h>0]‖²(‖x‖² + 1) + ‖relu(h)‖² + 1 (the +1 is the output bias). Hutchinson on the same operator
     * lands within 3 standard errors.
     */
    @Test
    void twoLayerReluTraceEqualsGradientNorms() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 61, TestModels.relu(), 5, 8, 1);
            ParameterSpace space = ParameterSpace.of(block);
            space.assign(Vectors.of(m, Dense.gaussian((int) space.dimension(), 62), DataType.FLOAT64));
            int n = 20;
            NDArray x = TestModels.normal(m, 63, n, 5, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 64, n, 1, DataType.FLOAT64);
            double[][] phi = Gradients.parameters(block, x);
            double[] theta = Vectors.toDoubles(space.values(m));
            double[][] xs = TwoLayerRelu.rows(x);
            double expected = 0;
            for (int i = 0; i < n; i++) {
                double g2 = 0;
                for (double gj : phi[i]) {
                    g2 += gj * gj;
                }
                assertEquals(closedFormGradientNorm2(theta, xs[i], 5, 8), g2, 1e-12 * g2, "‖∇f(x_" + i + ")‖²");
                expected += 2.0 / n * g2;
            }
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.mse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj)) {
                assertTrue(obj.value() > 0.1, "not a minimum: the identity holds at any θ");
                double[][] dense = DenseMatrices.materialize(h);
                assertEquals(expected, DenseMatrices.trace(dense), 1e-12 * expected);
                TraceEstimate t = Hutchinson.builder().optSamples(100).optSeed(65).build().run(h);
                assertEquals(expected, t.value(), 3 * t.standardError(), t.toString());
                TraceEstimate exact = HutchPlusPlus.builder().optProducts(3 * (int) h.dimension()).build().run(h);
                assertEquals(expected, exact.value(), 1e-9 * expected, "Hutch++ with a full sketch is exact");
            }
        }
    }

    private static double closedFormGradientNorm2(double[] theta, double[] x, int d, int k) {
        double x2 = 0;
        for (double xi : x) {
            x2 += xi * xi;
        }
        double active = 0;
        double relu2 = 0;
        for (int i = 0; i < k; i++) {
            double h = theta[d * k + i];
            for (int j = 0; j < d; j++) {
                h += theta[i * d + j] * x[j];
            }
            double v = theta[d * k + k + i];
            if (h > 0) {
                active += v * v;
                relu2 += h * h;
            }
        }
        return active * (x2 + 1) + relu2 + 1;
    }
}
