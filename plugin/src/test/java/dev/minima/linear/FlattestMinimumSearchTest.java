package dev.minima.linear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minima.curvature.SymmetricEigen;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The random search of Mulayoff &amp; Michaeli (2020), eqs. S105–S106, against Theorem 1's closed form
 * 2m σ_max(T)^{2(1−1/m)}: it stays on the manifold of minima, never goes below the closed form (Theorem 1 is a
 * lower bound over Ω), and reaches it from a random start.
 */
class FlattestMinimumSearchTest {

    @Test
    void reachesTheoremOnesMinimumFromARandomStartAndNeverGoesBelowIt() {
        double[][] t = LinearTestData.matrixWithSingularValues(new double[] {1.8, 1.1, 0.5}, 3, 3,
                new SplittableRandom(3));
        int m = 3;
        double closed = FlattestSharpness.of(t, m).lambdaMax(); // 2·3·1.8^{4/3}
        assertEquals(6 * Math.pow(1.8, 4.0 / 3), closed, 1e-12);
        FlattestMinimumSearch.Result r = FlattestMinimumSearch.builder().setTarget(t).setDepth(m).optSeed(5)
                .optMaxProposals(40_000).optStopAt(closed * 1.001).build().run();
        // the start is a random point of Ω, far sharper than the flattest minimum
        assertTrue(r.startLambdaMax() > 2 * closed, "start " + r.startLambdaMax() + " vs " + closed);
        // every accepted step lowers λ_max and stays at or above the closed form (1e-9: eigen-solver rounding)
        for (int i = 1; i < r.history().length; i++) {
            assertTrue(r.history()[i] < r.history()[i - 1]);
        }
        assertTrue(r.lambdaMax() >= closed * (1 - 1e-9), r.lambdaMax() + " below Theorem 1's " + closed);
        // reaches it: stopped at +0.1% within the budget (about 10⁴ proposals here)
        assertTrue(r.lambdaMax() <= closed * 1.001, "search stopped at " + r.lambdaMax() + " vs " + closed);
        assertTrue(r.proposals() < 40_000, "stopped by the budget, not by reaching the target");
        // still a global minimum: the multiplicative steps keep W_m⋯W_1 = T up to rounding drift
        assertTrue(r.productError() < 1e-9, "product drifted by " + r.productError());
        double check = SymmetricEigen.of(DualHessianOperator.of(r.network()).dense()).max();
        assertEquals(r.lambdaMax(), check, 1e-9 * check);
    }

    @Test
    void stopsAtTheRequestedValue() {
        double[][] t = {{2, 0}, {0, 1}};
        double closed = FlattestSharpness.of(t, 2).lambdaMax(); // 4·2 = 8
        FlattestMinimumSearch.Result r = FlattestMinimumSearch.builder().setTarget(t).setDepth(2).optSeed(1)
                .optStopAt(closed * 1.05).build().run();
        assertTrue(r.lambdaMax() <= closed * 1.05 && r.lambdaMax() >= closed * (1 - 1e-9), "got " + r.lambdaMax());
    }

    @Test
    void rejectsANonSquareTargetAndDepthOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlattestMinimumSearch.builder().setTarget(new double[][] {{1, 2}}).setDepth(3).build());
        assertTrue(e.getMessage().contains("square"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FlattestMinimumSearch.builder().setTarget(new double[][] {{1}}).setDepth(1).build());
        assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
    }
}
