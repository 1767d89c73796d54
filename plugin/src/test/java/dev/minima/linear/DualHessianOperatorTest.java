package dev.minima.linear;

import static dev.minima.linear.LinearTestData.relative;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss.OutputReduction;
import dev.minima.loss.SquaredErrorLoss;
import dev.minima.util.GarbageCollection;
import org.ejml.data.DMatrixRMaj;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The dual operator Ĥ against the dense Hessian of the DJL block, materialised with N exact products. */
class DualHessianOperatorTest {

    @Test
    void spectrumAndTraceMatchTheDenseHessianWithAnisotropicInputs() {
        // rectangular T (d_y = 2, d_x = 3), m = 3, hidden widths 3 and 4, raw (non-white) inputs, an arbitrary
        // minimum: the non-zero eigenvalues of the N×N Hessian (N = 29) are the eigenvalues of the 6×6 Ĥ
        SplittableRandom random = new SplittableRandom(21);
        double[][] x = LinearTestData.multiply(RandomMatrices.gaussian(15, 3, random).get2DData(), RandomMatrices.gaussian(3, 3, random).get2DData());
        double[][] y = RandomMatrices.gaussian(15, 2, random).get2DData();
        LinearRegressionTarget target = LinearRegressionTarget.of(x, y);
        DeepLinearNetwork net = DeepLinearMinima.builder().setTarget(target).setDepth(3).optHiddenWidths(3, 4).build()
                .arbitrary(4);
        DualHessianOperator dual = DualHessianOperator.builder().setNetwork(net).optTarget(target).build();
        double[] dualSpectrum = SymmetricEigen.of(dual.dense()).values();
        try (NDManager manager = NDManager.newBaseManager()) {
            double[][] hessian = denseHessian(manager, net, x, y, Losses.mse(OutputReduction.SUM_OUTPUTS));
            double[] full = SymmetricEigen.of(hessian).values();
            int n = full.length;
            double top = full[n - 1];
            for (int i = 0; i < dualSpectrum.length; i++) {
                double expected = dualSpectrum[dualSpectrum.length - 1 - i];
                assertEquals(expected, full[n - 1 - i], 1e-9 * top, "eigenvalue " + i);
            }
            for (int i = 0; i < n - dualSpectrum.length; i++) {
                assertEquals(0.0, full[i], 1e-9 * top, "the remaining eigenvalues vanish (rank ≤ d_x d_y)");
            }
            double trace = LinearTestData.trace(hessian);
            System.out.printf("anisotropic arbitrary minimum: λ_max %.9f (dense Hessian) vs %.9f (Ĥ); "
                    + "trace %.9f (dense) vs %.9f (closed form)%n", top, dualSpectrum[dualSpectrum.length - 1],
                    trace, dual.trace());
            assertTrue(relative(trace, dual.trace()) < 1e-10, trace + " vs " + dual.trace());
            assertEquals(LinearTestData.trace(dual.dense()), dual.trace(), 1e-10 * dual.trace());
        }
    }

    @Test
    void liftedDualEigenvectorIsTheHessiansTopEigenvector() {
        // Theorem 1: at the flattest minimum b = Φ(v ⊗ u), i.e. the lift of B = u vᵀ, is the top eigenvector
        SplittableRandom random = new SplittableRandom(3);
        int d = 3;
        double[][] x = LinearTestData.whiteInputs(10, d, random);
        double[][] t = LinearTestData.matrixWithSingularValues(new double[] {1.9, 1.1, 0.5}, d, d, random);
        double[][] y = LinearTestData.targets(x, t, null);
        LinearRegressionTarget target = LinearRegressionTarget.of(x, y);
        DeepLinearNetwork net = DeepLinearMinima.builder().setTarget(target).setDepth(3).build().canonical();
        Dense.Svd svd = Dense.Svd.of(new DMatrixRMaj(target.t()));
        double[] b = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                b[i * d + j] = svd.left(0)[i] * svd.right(0)[j];
            }
        }
        DualHessianOperator dual = DualHessianOperator.of(net);
        double lambda = FlattestSharpness.of(target.t(), 3).lambdaMax();
        double[] hb = dual.apply(b);
        for (int i = 0; i < b.length; i++) {
            assertEquals(lambda * b[i], hb[i], 1e-12 * lambda, "Ĥ(u vᵀ) = λ u vᵀ");
        }
        double[] lifted = dual.lift(b);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = net.toBlock(manager, DataType.FLOAT64);
            try (Objective objective = Objective.builder().setBlock(block)
                            .setLoss(Losses.mse(OutputReduction.SUM_OUTPUTS))
                            .addBatch(LinearTestData.array(manager, x), LinearTestData.array(manager, y)).build();
                    HessianOperator h = HessianOperator.of(objective)) {
                NDArray v = Vectors.of(manager, lifted, DataType.FLOAT64);
                GarbageCollection.collect();
                double[] hv = Vectors.toDoubles(h.apply(v));
                double scale = Dense.norm(lifted) * lambda;
                for (int i = 0; i < hv.length; i++) {
                    assertEquals(lambda * lifted[i], hv[i], 1e-10 * scale, "H Φb = λ Φb, component " + i);
                }
            }
        }
    }

    @Test
    void lossConventionMatchesTheDjlHessian() {
        // Losses.halfMse() (½, mean over outputs) has Hessian 1/(2 d_y) of Mulayoff & Michaeli's (2020) loss
        SplittableRandom random = new SplittableRandom(9);
        double[][] x = RandomMatrices.gaussian(12, 2, random).get2DData();
        double[][] y = RandomMatrices.gaussian(12, 3, random).get2DData();
        LinearRegressionTarget target = LinearRegressionTarget.of(x, y);
        DeepLinearNetwork net = DeepLinearMinima.builder().setTarget(target).setDepth(2).build().arbitrary(1);
        SquaredErrorLoss loss = Losses.halfMse();
        DualHessianOperator dual = DualHessianOperator.builder().setNetwork(net).optTarget(target).optLoss(loss)
                .build();
        DualHessianOperator paper = DualHessianOperator.builder().setNetwork(net).optTarget(target).build();
        double viaDual = LinearTestData.top(dual, 0).max();
        assertEquals(LinearTestData.top(paper, 0).max() / 6, viaDual, 1e-12 * viaDual);
        try (NDManager manager = NDManager.newBaseManager()) {
            double[][] hessian = denseHessian(manager, net, x, y, loss);
            double top = SymmetricEigen.of(hessian).max();
            assertTrue(relative(top, viaDual) < 1e-9, top + " vs " + viaDual);
            assertTrue(relative(LinearTestData.trace(hessian), dual.trace()) < 1e-10);
        }
    }

    @Test
    void ndArrayPathAgreesAndOperatorIsSymmetric() {
        SplittableRandom random = new SplittableRandom(6);
        double[][] t = RandomMatrices.gaussian(2, 4, random).get2DData();
        DeepLinearNetwork net = DeepLinearMinima.builder().setTarget(t).setDepth(3).build().arbitrary(2);
        DualHessianOperator dual = DualHessianOperator.of(net);
        assertEquals(8, dual.dimension());
        double[] a = RandomMatrices.gaussian(1, 8, random).get2DData()[0];
        double[] b = RandomMatrices.gaussian(1, 8, random).get2DData()[0];
        assertEquals(Dense.dot(a, dual.apply(b)), Dense.dot(dual.apply(a), b),
                1e-12 * Dense.norm(dual.apply(a)) * Dense.norm(b));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray va = Vectors.of(manager, a, DataType.FLOAT64);
            NDArray out = dual.apply(va);
            assertEquals(manager, out.getManager());
            assertTrue(Arrays.equals(dual.apply(a), Vectors.toDoubles(out)));
            assertThrows(IllegalArgumentException.class,
                    () -> dual.apply(Vectors.of(manager, new double[3], DataType.FLOAT64)));
        }
        assertThrows(IllegalArgumentException.class, () -> DualHessianOperator.builder().build());
        assertThrows(IllegalArgumentException.class,
                () -> DualHessianOperator.builder().setNetwork(net).optInputMoment(LinearTestData.identity(3)).build());
    }

    /** The N×N Hessian of the DJL block, one exact product per unit vector, with a GC before each. */
    static double[][] denseHessian(NDManager manager, DeepLinearNetwork net, double[][] x, double[][] y,
            SquaredErrorLoss loss) {
        Block block = net.toBlock(manager, DataType.FLOAT64);
        try (Objective objective = Objective.builder().setBlock(block).setLoss(loss)
                        .addBatch(LinearTestData.array(manager, x), LinearTestData.array(manager, y)).build();
                HessianOperator h = HessianOperator.of(objective)) {
            assertEquals(net.parameterCount(), ParameterSpace.of(block).dimension());
            double[][] dense = LinearTestData.dense(LinearTestData.gcBetweenProducts(h), manager);
            for (int i = 0; i < dense.length; i++) {
                for (int j = 0; j < i; j++) {
                    assertEquals(dense[i][j], dense[j][i], 1e-10 * (1 + Math.abs(dense[i][j])), "symmetry");
                }
            }
            return dense;
        }
    }
}
