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
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss.OutputReduction;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Theorem 1 of Mulayoff &amp; Michaeli (2020) three ways: the closed form, Lanczos on the dual operator Ĥ, and Lanczos on
 * the real Hessian of the DJL block (double backpropagation, float64, a GC forced before every product).
 */
class FlattestSharpnessTest {

    private static final double SIGMA = 2.101432;

    @Test
    void closedFormsMatchThePrintedValues() {
        // docs/theory.md §3: d = 3, m = 4, σ_max = 2.101432 ⇒ 24.370423. The printed value comes from an unrounded
        // σ_max ≈ 2.1014322; with σ_max = 2.101432 exactly the formula gives 24.3704192, 1.6e-7 relative away.
        double[][] t = {{SIGMA, 0, 0}, {0, 1.3, 0}, {0, 0, 0.4}};
        FlattestSharpness f = FlattestSharpness.of(t, 4);
        assertEquals(8 * Math.pow(SIGMA, 1.5), f.lambdaMax(), 1e-12);
        assertTrue(relative(24.370423, f.lambdaMax()) < 1e-6, "got " + f.lambdaMax());
        assertEquals(2 / f.lambdaMax(), f.largestStableStep(), 1e-15);
        // η_max = (1/m) σ^{−2(1−1/m)} (Mulayoff & Michaeli 2020 after Theorem 1)
        assertEquals(0.25 * Math.pow(SIGMA, -1.5), f.largestStableStep(), 1e-15);
        // scalar: τ = 1.7, σ_x² = 1.3, m = 5 ⇒ 30.385167 (Eq. 13)
        FlattestSharpness s = FlattestSharpness.of(new double[][] {{1.7}}, 5, 1.3,
                Losses.mse(OutputReduction.SUM_OUTPUTS));
        assertTrue(relative(30.385167, s.lambdaMax()) < 1e-7, "got " + s.lambdaMax());
        double root = Math.pow(1.7, 0.2);
        assertEquals(s.lambdaMax(), FlattestSharpness.scalarSharpness(1.7, 1.3, root, root, root, root, root), 1e-12);
        // m = 1 is plain linear regression: H = 2 Σ_x ⊗ I, λ_max = 2 for white inputs, whatever T
        assertEquals(2.0, FlattestSharpness.of(t, 1).lambdaMax(), 1e-15);
    }

    @Test
    void vectorCaseThreeWaysOnWhitenedData() {
        SplittableRandom random = new SplittableRandom(11);
        int d = 3;
        int m = 4;
        int n = 12;
        // data whose whitened target has singular values (2.101432, 1.3, 0.4): X = X̃ M with X̃ white, so the
        // whitened T̃ = T M⁻ᵀ(MᵀM)^{1/2} keeps the singular values of the T̃ used to make Y (the polar factor is
        // orthogonal)
        double[][] tWhite = LinearTestData.matrixWithSingularValues(new double[] {SIGMA, 1.3, 0.4}, d, d, random);
        double[][] xWhite = LinearTestData.whiteInputs(n, d, random);
        double[][] y = LinearTestData.targets(xWhite, tWhite, LinearTestData.orthogonalNoise(xWhite, d, 0.3, random));
        double[][] mix = RandomMatrices.gaussian(d, d, random).get2DData();
        double[][] xRaw = LinearTestData.multiply(xWhite, mix);
        LinearRegressionTarget raw = LinearRegressionTarget.of(xRaw, y);
        LinearRegressionTarget target = raw.whitened();
        assertEquals(SIGMA, LinearTestData.spectralNorm(target.t()), 1e-12);

        double closed = FlattestSharpness.of(target, m, Losses.mse(OutputReduction.SUM_OUTPUTS)).lambdaMax();
        DeepLinearNetwork flattest = DeepLinearMinima.builder().setTarget(target).setDepth(m).build().canonical();
        DualHessianOperator dual = DualHessianOperator.builder().setNetwork(flattest).optTarget(target).build();
        double viaDual = LinearTestData.top(dual, 1).max();
        assertTrue(relative(closed, viaDual) < 1e-10, closed + " vs dual " + viaDual);

        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = flattest.toBlock(manager, DataType.FLOAT64);
            NDArray x = raw.whiten(LinearTestData.array(manager, xRaw));
            NDArray labels = LinearTestData.array(manager, y);
            try (Objective objective = Objective.builder().setBlock(block)
                            .setLoss(Losses.mse(OutputReduction.SUM_OUTPUTS)).addBatch(x, labels).build();
                    HessianOperator h = HessianOperator.of(objective)) {
                assertEquals(target.minimumLoss(), objective.value(), 1e-12);
                double viaDjl = LinearTestData.top(LinearTestData.gcBetweenProducts(h), 2).max();
                System.out.printf("d=3 m=4: closed %.9f, dual %.9f (rel %.1e), DJL Hessian %.9f (rel %.1e)%n",
                        closed, viaDual, relative(closed, viaDual), viaDjl, relative(closed, viaDjl));
                assertTrue(relative(closed, viaDjl) < 1e-6, closed + " vs DJL Hessian " + viaDjl);
            }
        }
    }

    @Test
    void scalarCaseThreeWaysWithInputScale() {
        SplittableRandom random = new SplittableRandom(5);
        int n = 10;
        double[][] x = LinearTestData.whiteInputs(n, 1, random);
        for (double[] row : x) {
            row[0] *= Math.sqrt(1.3); // Ê[x²] = 1.3
        }
        double[][] y = LinearTestData.targets(x, new double[][] {{1.7}}, LinearTestData.orthogonalNoise(x, 1, 0.2,
                random));
        LinearRegressionTarget target = LinearRegressionTarget.of(x, y);
        assertEquals(1.7, target.t()[0][0], 1e-13);
        assertEquals(1.3, target.sigmaX()[0][0], 1e-13);
        double closed = FlattestSharpness.of(target, 5, Losses.mse(OutputReduction.SUM_OUTPUTS)).lambdaMax();
        assertTrue(relative(30.385167, closed) < 1e-6);

        DeepLinearMinima minima = DeepLinearMinima.builder().setTarget(target).setDepth(5).build();
        DeepLinearNetwork flattest = minima.canonical();
        DualHessianOperator dual = DualHessianOperator.builder().setNetwork(flattest).optTarget(target).build();
        assertTrue(relative(closed, LinearTestData.top(dual, 0).max()) < 1e-12);

        // a sharper minimum of the same valley: Eq. 10, 2σ_x²τ²Σ 1/w_j², checked against the DJL Hessian
        double[] w = {2.0, 0.5, 1.0, 1.7 / 0.8, 0.8};
        DeepLinearNetwork sharp = DeepLinearNetwork.of(new double[][] {{w[0]}}, new double[][] {{w[1]}},
                new double[][] {{w[2]}}, new double[][] {{w[3]}}, new double[][] {{w[4]}});
        double eq10 = FlattestSharpness.scalarSharpness(1.7, 1.3, w);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray xs = LinearTestData.array(manager, x);
            NDArray ys = LinearTestData.array(manager, y);
            for (DeepLinearNetwork net : new DeepLinearNetwork[] {flattest, sharp}) {
                Block block = net.toBlock(manager, DataType.FLOAT64);
                try (Objective objective = Objective.builder().setBlock(block)
                                .setLoss(Losses.mse(OutputReduction.SUM_OUTPUTS)).addBatch(xs, ys).build();
                        HessianOperator h = HessianOperator.of(objective)) {
                    double viaDjl = LinearTestData.top(LinearTestData.gcBetweenProducts(h), 3).max();
                    double expected = net == flattest ? closed : eq10;
                    System.out.printf("scalar m=5 %s: expected %.9f, DJL Hessian %.9f (rel %.1e)%n",
                            net == flattest ? "flattest" : "sharper", expected, viaDjl, relative(expected, viaDjl));
                    assertTrue(relative(expected, viaDjl) < 1e-6, expected + " vs DJL Hessian " + viaDjl);
                }
            }
        }
        assertTrue(eq10 > closed);
    }

    @Test
    void lossConventionsScaleTheSharpness() {
        double[][] t = LinearTestData.matrixWithSingularValues(new double[] {2.0, 0.7}, 2, 3, new SplittableRandom(8));
        FlattestSharpness paper = FlattestSharpness.of(t, 3);
        assertEquals(paper.lambdaMax() / 2, FlattestSharpness.of(t, 3, 1.0,
                Losses.halfMse(OutputReduction.SUM_OUTPUTS)).lambdaMax(), 1e-12);
        assertEquals(paper.lambdaMax() / 2, FlattestSharpness.of(t, 3, 1.0, Losses.mse()).lambdaMax(), 1e-12);
        assertEquals(paper.lambdaMax() / 4, FlattestSharpness.of(t, 3, 1.0, Losses.halfMse()).lambdaMax(), 1e-12);
        assertEquals(paper.lambdaMax() * 3, FlattestSharpness.of(t, 3, 3.0,
                Losses.mse(OutputReduction.SUM_OUTPUTS)).lambdaMax(), 1e-12);
    }

    @Test
    void rejectsBadInput() {
        double[][] t = {{1, 2}, {3, 4}};
        assertThrows(IllegalArgumentException.class, () -> FlattestSharpness.of(t, 0));
        assertThrows(IllegalArgumentException.class, () -> FlattestSharpness.of(new double[][] {{Double.NaN}}, 2));
        assertThrows(IllegalArgumentException.class,
                () -> FlattestSharpness.of(t, 2, -1.0, Losses.mse(OutputReduction.SUM_OUTPUTS)));
        assertThrows(IllegalArgumentException.class, () -> FlattestSharpness.scalarSharpness(1, 1, 1, 0));
        // anisotropic Σ_x: no closed form, the message says to whiten
        SplittableRandom random = new SplittableRandom(2);
        double[][] x = RandomMatrices.gaussian(20, 2, random).get2DData();
        LinearRegressionTarget target = LinearRegressionTarget.of(x, RandomMatrices.gaussian(20, 2, random).get2DData());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlattestSharpness.of(target, 3, Losses.mse(OutputReduction.SUM_OUTPUTS)));
        assertTrue(e.getMessage().contains("whiten"), e.getMessage());
        FlattestSharpness.of(target.whitened(), 3, Losses.mse(OutputReduction.SUM_OUTPUTS));
    }
}
