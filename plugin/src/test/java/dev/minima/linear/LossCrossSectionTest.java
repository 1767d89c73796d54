package dev.minima.linear;

import static dev.minima.linear.LinearTestData.relative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Objective;
import dev.minima.curvature.Vectors;
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss.OutputReduction;
import dev.minima.util.GarbageCollection;
import org.ejml.data.DMatrixRMaj;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LossCrossSectionTest {

    /**
     * Second differences with step h·‖Δ‖ ≈ 3e-4 in parameter space: truncation error h²ℓ''''/12 ≈ 1e-8
     * relative for these quartic sections, rounding ε·ℓ/h² ≈ 1e-9.
     */
    private static final double FD_TOL = 1e-6;

    @Test
    void twoLayerScalarMinimaLookEquallySharpAlongTheirLine() {
        // Mulayoff & Michaeli (2020), Lemma 2 / Eq. S32: for m = 2 two same-sign minima have equal curvature along the
        // line that connects them, whatever their true sharpness
        double tau = 1.5;
        SplittableRandom random = new SplittableRandom(12);
        double[][] x = LinearTestData.whiteInputs(8, 1, random);
        double[][] y = LinearTestData.targets(x, new double[][] {{tau}}, LinearTestData.orthogonalNoise(x, 1, 0.3,
                random));
        double[] flattest = {Math.sqrt(tau), Math.sqrt(tau)};
        double[] sharp = {4.0, tau / 4.0};
        assertTrue(FlattestSharpness.scalarSharpness(tau, 1, sharp)
                > 3 * FlattestSharpness.scalarSharpness(tau, 1, flattest), "truly different sharpness");
        double[] dir = {sharp[0] - flattest[0], sharp[1] - flattest[1]};
        double len = Dense.norm(dir);
        double[] unit = {dir[0] / len, dir[1] / len};
        LossCrossSection near = LossCrossSection.builder().optPoints(3).optRange(-1e-4, 1e-4).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = DeepLinearNetwork.fromFlat(new int[] {1, 1, 1}, flattest).toBlock(manager, DataType.FLOAT64);
            try (Objective objective = Objective.builder().setBlock(block)
                    .setLoss(Losses.mse(OutputReduction.SUM_OUTPUTS))
                    .addBatch(LinearTestData.array(manager, x), LinearTestData.array(manager, y)).build()) {
                double[] before = Vectors.toDoubles(objective.space().values(manager));
                CrossSection atFlat = near.between(objective, flattest, sharp);
                CrossSection atSharp = near.between(objective, sharp, flattest);
                assertArrayEquals(before, Vectors.toDoubles(objective.space().values(manager)), 0.0,
                        "parameters restored exactly");
                double c1 = atFlat.curvature(1);
                double c2 = atSharp.curvature(1);
                double e1 = directionalCurvature(objective, flattest, unit, manager);
                double e2 = directionalCurvature(objective, sharp, unit, manager);
                System.out.printf("m=2 scalar: curvature along the line %.9f (flattest) vs %.9f (sharp); exact "
                        + "uᵀHu %.9f vs %.9f; λ_max %.3f vs %.3f%n", c1, c2, e1, e2,
                        FlattestSharpness.scalarSharpness(tau, 1, flattest),
                        FlattestSharpness.scalarSharpness(tau, 1, sharp));
                assertTrue(relative(e1, e2) < 1e-12, "exact: equal curvature along the line");
                assertTrue(relative(e1, c1) < FD_TOL && relative(e2, c2) < FD_TOL, "cross-sections agree");
                // the loss at both minima is ℓ*
                CrossSection line = LossCrossSection.builder().optPoints(5).optRange(0, 1).build()
                        .between(objective, flattest, sharp);
                LinearRegressionTarget target = LinearRegressionTarget.of(x, y);
                assertEquals(target.minimumLoss(), line.loss()[0], 1e-13);
                assertEquals(target.minimumLoss(), line.loss()[4], 1e-13);
                assertTrue(line.loss()[2] > target.minimumLoss(), "a barrier between the minima");
            }
        }
    }

    @Test
    void curvatureAlongTheTopEigenvectorIsTheSharpness() {
        SplittableRandom random = new SplittableRandom(2);
        double[][] x = LinearTestData.whiteInputs(9, 2, random);
        double[][] t = LinearTestData.matrixWithSingularValues(new double[] {1.8, 0.6}, 2, 2, random);
        double[][] y = LinearTestData.targets(x, t, null);
        DeepLinearNetwork net = DeepLinearMinima.builder().setTarget(t).setDepth(3).build().canonical();
        Dense.Svd svd = Dense.Svd.of(new DMatrixRMaj(t));
        double[] b = new double[4];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                b[i * 2 + j] = svd.left(0)[i] * svd.right(0)[j];
            }
        }
        double[] top = DualHessianOperator.of(net).lift(b);
        double lambda = FlattestSharpness.of(t, 3).lambdaMax();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = net.toBlock(manager, DataType.FLOAT64);
            try (Objective objective = Objective.builder().setBlock(block)
                    .setLoss(Losses.mse(OutputReduction.SUM_OUTPUTS))
                    .addBatch(LinearTestData.array(manager, x), LinearTestData.array(manager, y)).build()) {
                CrossSection s = LossCrossSection.builder().optPoints(3).optRange(-3e-4, 3e-4).build()
                        .along(objective, net.flatten(), top);
                assertEquals(1.0, s.stepNorm());
                assertTrue(relative(lambda, s.curvature(1)) < FD_TOL, lambda + " vs " + s.curvature(1));
                CrossSection wide = LossCrossSection.builder().build().along(objective, net.flatten(), top);
                assertEquals(51, wide.size());
                assertEquals(25, wide.indexOf(0.0));
                assertEquals(0.0, wide.loss()[25], 1e-20);
            }
        }
    }

    @Test
    void rejectsBadInput() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DeepLinearNetwork net = DeepLinearNetwork.of(new double[][] {{1.0}}, new double[][] {{2.0}});
            Block block = net.toBlock(manager, DataType.FLOAT64);
            NDArray x = LinearTestData.array(manager, new double[][] {{1}, {2}});
            try (Objective objective = Objective.builder().setBlock(block)
                    .setLoss(Losses.mse(OutputReduction.SUM_OUTPUTS)).addBatch(x, x).build()) {
                LossCrossSection cs = LossCrossSection.builder().build();
                assertThrows(IllegalArgumentException.class, () -> cs.between(objective, new double[2], new double[2]));
                assertThrows(IllegalArgumentException.class, () -> cs.along(objective, new double[2], new double[3]));
                assertThrows(IllegalArgumentException.class,
                        () -> cs.along(objective, new double[] {1, Double.NaN}, new double[] {1, 0}));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> LossCrossSection.builder().optPoints(2));
        assertThrows(IllegalArgumentException.class, () -> LossCrossSection.builder().optRange(1, 1));
    }

    /** uᵀHu by one exact Hessian-vector product of the DJL block at θ, with a GC between forward and backward. */
    private static double directionalCurvature(Objective objective, double[] theta, double[] unit,
            NDManager manager) {
        NDArray saved = objective.space().values(manager);
        try {
            objective.space().assign(Vectors.of(manager, theta, DataType.FLOAT64));
            try (HessianOperator h = HessianOperator.of(objective)) {
                NDArray u = Vectors.of(manager, unit, DataType.FLOAT64);
                h.apply(u); // builds the retained gradient graph (the forward pass)
                GarbageCollection.collect();
                return Vectors.dot(u, h.apply(u));
            }
        } finally {
            objective.space().assign(saved);
        }
    }
}
