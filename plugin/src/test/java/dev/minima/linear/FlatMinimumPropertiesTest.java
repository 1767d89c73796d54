package dev.minima.linear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mulayoff &amp; Michaeli's (2020) Theorems 2 and 3 at flattest minima (Σ_x = I): the canonical one, an orthogonal-gauge
 * copy (not diagonal), and a rectangular one with wide hidden layers; and that the measures tell arbitrary minima
 * apart.
 */
class FlatMinimumPropertiesTest {

    /** Every quantity is a product of at most m well-conditioned matrices: errors stay near 1e-15·m. */
    private static final double TOL = 1e-11;

    @Test
    void theorems2And3HoldAtFlattestMinima() {
        SplittableRandom random = new SplittableRandom(7);
        double[][] square = LinearTestData.matrixWithSingularValues(new double[] {3.0, 1.4, 0.6, 0.2}, 4, 4, random);
        double[][] wide = LinearTestData.matrixWithSingularValues(new double[] {2.5, 0.9}, 2, 5, random);
        DeepLinearNetwork[] flattest = {
            DeepLinearMinima.builder().setTarget(square).setDepth(6).build().canonical(),
            DeepLinearMinima.orthogonalGauge(DeepLinearMinima.builder().setTarget(square).setDepth(6).build()
                    .canonical(), 3),
            DeepLinearMinima.orthogonalGauge(DeepLinearMinima.builder().setTarget(wide).setDepth(4)
                    .optHiddenWidths(3, 6, 4).build().canonical(), 4)
        };
        for (DeepLinearNetwork net : flattest) {
            int m = net.depth();
            IntermediateGains g = IntermediateGains.of(net);
            double sigma = g.sigmaMax();
            for (int k = 0; k <= m; k++) {
                // Theorem 2(i): v is a right singular vector of P_k with singular value σ^{k/m}
                assertEquals(Math.pow(sigma, (double) k / m), g.topSignalGains()[k], TOL * g.flattestGains()[k]);
                assertTrue(g.topSignalResiduals()[k] < TOL, "v is a singular vector of P_" + k);
                // the top input singular vector's gain up to layer k is σ^{k/m}, and at these minima it is the
                // largest singular value of P_k
                assertEquals(g.topSignalGains()[k], g.prefixGains()[k], TOL * g.prefixGains()[k]);
                // Theorem 2(ii): σ_max(P_k) ≤ √m σ^{k/m}
                assertTrue(g.prefixGains()[k] <= g.bounds()[k] * (1 + TOL));
                // Theorem 2(iii), (iv): u is a left singular vector of A_k with value σ^{1−k/m}
                assertEquals(Math.pow(sigma, 1 - (double) k / m), g.topOutputGains()[k], TOL * sigma);
                assertTrue(g.suffixGains()[k] <= Math.sqrt(m) * Math.pow(sigma, 1 - (double) k / m) * (1 + TOL));
            }
            LayerCoupling c = LayerCoupling.of(net);
            for (int k = 1; k <= m; k++) {
                // Theorem 3(i): r̄_k, q̄_k are a singular pair of W_k with value σ^{1/m}
                assertTrue(c.pairResiduals()[k - 1] < TOL, "Theorem 3(i) at layer " + k + ": " + c.pairResiduals()[k - 1]);
            }
            for (int k = 1; k < m; k++) {
                // Theorem 3(ii): r̄_{k+1} = q̄_k
                assertEquals(1.0, c.coupling()[k - 1], TOL, "Theorem 3(ii) between layers " + k + " and " + (k + 1));
                assertEquals(1.0, c.topVectorAlignment()[k - 1], 1e-9, "top singular vectors align");
            }
            assertTrue(FlattestSharpness.satisfiesTheorem4(net, 1e-12));
            assertEquals(LinearTestData.spectralNorm(net.product()), sigma, 1e-14 * sigma);
        }
    }

    @Test
    void arbitraryMinimaBreakTheFlatStructure() {
        double[][] t = LinearTestData.matrixWithSingularValues(new double[] {3.0, 1.4, 0.6, 0.2}, 4, 4,
                new SplittableRandom(7));
        DeepLinearNetwork net = DeepLinearMinima.builder().setTarget(t).setDepth(6).build().arbitrary(2);
        IntermediateGains g = IntermediateGains.of(net);
        LayerCoupling c = LayerCoupling.of(net);
        double worstResidual = 0;
        double worstCoupling = 1;
        double worstGainRatio = 0;
        for (int k = 1; k < net.depth(); k++) {
            worstResidual = Math.max(worstResidual, c.pairResiduals()[k - 1]);
            worstCoupling = Math.min(worstCoupling, c.coupling()[k - 1]);
            worstGainRatio = Math.max(worstGainRatio, g.prefixGains()[k] / g.flattestGains()[k]);
            assertTrue(c.coupling()[k - 1] > 0 && c.coupling()[k - 1] <= 1 + 1e-12, "coupling is a cosine in (0, 1]");
        }
        System.out.printf("arbitrary minimum (m=6): worst Theorem-3(i) residual %.3f, worst coupling %.3f, "
                + "largest σ_max(P_k)/σ^{k/m} %.2f%n", worstResidual, worstCoupling, worstGainRatio);
        assertTrue(worstResidual > 1e-2);
        assertTrue(worstCoupling < 0.99);
        // end to end the gain is fixed: σ_max(P_m) = σ_max(T) at every minimum
        assertEquals(g.sigmaMax(), g.prefixGains()[net.depth()], 1e-10 * g.sigmaMax());
    }
}
