package dev.minima.linear;

import static dev.minima.linear.LinearTestData.relative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minima.curvature.SymmetricEigen;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DeepLinearMinimaTest {

    private static final double[][] T = LinearTestData.matrixWithSingularValues(new double[] {2.101432, 1.3, 0.4}, 3,
            3, new SplittableRandom(42));

    @Test
    void canonicalMinimumImplementsTAndIsBalancedForAnyShape() {
        SplittableRandom random = new SplittableRandom(1);
        double[][][] targets = {T, RandomMatrices.gaussian(2, 5, random).get2DData(), RandomMatrices.gaussian(4, 1, random).get2DData()};
        for (double[][] t : targets) {
            for (int m : new int[] {1, 2, 5}) {
                int r = Math.min(t.length, t[0].length);
                int[] wide = new int[m - 1];
                java.util.Arrays.fill(wide, r + 2);
                for (int[] hidden : new int[][] {null, wide}) {
                    DeepLinearMinima.Builder b = DeepLinearMinima.builder().setTarget(t).setDepth(m);
                    if (hidden != null) {
                        b.optHiddenWidths(hidden);
                    }
                    DeepLinearNetwork net = b.build().canonical();
                    assertEquals(m, net.depth());
                    assertTrue(distance(net.product(), t) < 1e-13 * LinearTestData.frobeniusNorm(t), "W_m⋯W_1 = T");
                    assertTrue(Balancedness.of(net).max() < 1e-13, "canonical minimum is balanced");
                    // flattest by Theorem 1: Ĥ's top eigenvalue equals the closed form
                    double lambda = SymmetricEigen.of(DualHessianOperator.of(net).dense()).max();
                    assertTrue(relative(FlattestSharpness.of(t, m).lambdaMax(), lambda) < 1e-12);
                }
            }
        }
    }

    @Test
    void arbitraryMinimaAreSharperThanTheCanonicalOne() {
        int m = 4;
        DeepLinearMinima minima = DeepLinearMinima.builder().setTarget(T).setDepth(m).build();
        double flattest = FlattestSharpness.of(T, m).lambdaMax();
        StringBuilder seen = new StringBuilder();
        for (long seed = 1; seed <= 6; seed++) {
            DeepLinearNetwork net = minima.arbitrary(seed);
            assertTrue(distance(net.product(), T) < 1e-9 * LinearTestData.frobeniusNorm(T), "still a global minimum");
            double lambda = LinearTestData.top(DualHessianOperator.of(net), seed).max();
            seen.append(String.format(" %.1f", lambda));
            assertTrue(lambda > flattest * (1 + 1e-6), "seed " + seed + ": " + lambda + " vs " + flattest);
            assertTrue(Balancedness.of(net).max() > 1e-3, "arbitrary minima are not balanced");
            assertTrue(!FlattestSharpness.satisfiesTheorem4(net, 1e-6));
            // deterministic in the seed
            assertArrayEquals(net.flatten(), minima.arbitrary(seed).flatten());
        }
        System.out.printf("d=3 m=4: flattest %.6f, arbitrary minima (seeds 1-6):%s%n", flattest, seen);
    }

    @Test
    void orthogonalGaugeLeavesTheSpectrumUnchanged() {
        DeepLinearMinima minima = DeepLinearMinima.builder().setTarget(T).setDepth(4).optHiddenWidths(3, 5, 4).build();
        for (DeepLinearNetwork net : new DeepLinearNetwork[] {minima.canonical(), minima.arbitrary(3)}) {
            DeepLinearNetwork gauged = DeepLinearMinima.orthogonalGauge(net, 17);
            assertTrue(distance(gauged.product(), net.product()) < 1e-12 * LinearTestData.frobeniusNorm(T));
            assertTrue(distance(gauged.weight(2), net.weight(2)) > 1e-3, "the weights did change");
            double[] before = SymmetricEigen.of(DualHessianOperator.of(net).dense()).values();
            double[] after = SymmetricEigen.of(DualHessianOperator.of(gauged).dense()).values();
            for (int i = 0; i < before.length; i++) {
                assertEquals(before[i], after[i], 1e-10 * before[before.length - 1], "eigenvalue " + i);
            }
            assertEquals(LinearTestData.top(DualHessianOperator.of(net), 0).max(),
                    LinearTestData.top(DualHessianOperator.of(gauged), 0).max(), 1e-10 * before[before.length - 1]);
        }
        // the gauged canonical minimum is a non-diagonal flattest minimum, certified by Theorem 4
        assertTrue(FlattestSharpness.satisfiesTheorem4(DeepLinearMinima.orthogonalGauge(minima.canonical(), 5), 1e-12));
    }

    @Test
    void theorem4CertifiesAMinimumThatIsNotBalanced() {
        // diagonal minimum of diag(4, 1), m = 2: the top direction is split evenly (2·2), the other unevenly
        // (0.8·1.25), so σ_max(W_k) = 2 = σ_max(T)^{1/2} for both layers: flattest, though not balanced
        double[][] w1 = {{2, 0}, {0, 1.25}};
        double[][] w2 = {{2, 0}, {0, 0.8}};
        DeepLinearNetwork net = DeepLinearNetwork.of(w1, w2);
        assertTrue(FlattestSharpness.satisfiesTheorem4(net, 1e-12));
        assertTrue(Balancedness.of(net).max() > 0.5);
        double lambda = SymmetricEigen.of(DualHessianOperator.of(net).dense()).max();
        assertEquals(FlattestSharpness.of(net.product(), 2).lambdaMax(), lambda, 1e-12);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> DeepLinearMinima.builder().setTarget(T).setDepth(0).build());
        assertThrows(IllegalArgumentException.class, () -> DeepLinearMinima.builder().setDepth(2).build());
        IllegalArgumentException narrow = assertThrows(IllegalArgumentException.class,
                () -> DeepLinearMinima.builder().setTarget(T).setDepth(3).optHiddenWidths(3, 2).build());
        assertTrue(narrow.getMessage().contains("A1"), narrow.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> DeepLinearMinima.builder().setTarget(T).setDepth(3).optHiddenWidths(3).build());
        assertThrows(IllegalArgumentException.class,
                () -> DeepLinearMinima.builder().setTarget(new double[][] {{1, Double.NaN}}));
    }

    static double distance(double[][] a, double[][] b) {
        return LinearTestData.frobeniusNorm(LinearTestData.subtract(a, b));
    }
}
