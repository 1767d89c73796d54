package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Theorem 1's bound and Theorem 2's Δ (Mulayoff et al. 2021), with the loss convention. Exact arithmetic: 1e-12. */
class StabilityBoundsTest {

    @Test
    void theorem1BoundUsesTheLossConstant() {
        assertEquals(1 / 0.1 - 0.5, StabilityBounds.normBound(0.1, LossConvention.HALF_MSE), 1e-12);
        assertEquals(1 / 0.2 - 0.5, StabilityBounds.normBound(0.1, LossConvention.MSE), 1e-12);
        // nothing with an output bias is GD-stable beyond η = 2 (λ ≥ 1): the bound goes negative
        assertTrue(StabilityBounds.normBound(2.5, LossConvention.HALF_MSE) < 0);
        assertEquals(2 * (1 + 2 * 0.3), StabilityBounds.sharpnessLowerBound(0.3, true, LossConvention.MSE), 1e-12);
        assertEquals(0.6, StabilityBounds.sharpnessLowerBound(0.3, false, LossConvention.HALF_MSE), 1e-12);
        assertEquals(LossConvention.MSE, LossConvention.parse("MSE"));
        assertEquals(LossConvention.HALF_MSE, LossConvention.parse("half_mse"));
        ShallowReluNetworkTest.assertMessage(() -> LossConvention.parse("l1"), "half-mse");
        ShallowReluNetworkTest.assertMessage(() -> StabilityBounds.normBound(0, LossConvention.HALF_MSE), "positive");
        ShallowReluNetworkTest.assertMessage(() -> StabilityBounds.normBound(-1, LossConvention.HALF_MSE), "positive");
        ShallowReluNetworkTest.assertMessage(() -> StabilityBounds.normBound(Double.NaN, LossConvention.HALF_MSE),
                "positive");
    }

    /**
     * Erratum (docs/theory.md §1, §6): solving Mulayoff et al. (2021), supplement (S71), ζ² − αζ − β ≤ 0 with α =
     * 2√3·C·sqrt(q), β = 2/η, gives λ ≤ ζ*², and with λ ≥ 1 + 2S the excess over 1/η − 1/2 is (ζ*² − 2/η)/2 =
     * 2Δ_printed.
     */
    @Test
    void doubledDeltaSolvesThePapersInequality() {
        double rho = 1.7;
        double m = 2.3;
        int k = 40;
        int l = 31;
        int n = 25;
        double eta = 0.05;
        double c = Math.max(1, rho * (1 + m));
        double q = (1.0 + k - l) / n;
        double alpha = 2 * Math.sqrt(3) * c * Math.sqrt(q);
        double beta = 2 / eta;
        double zeta = (alpha + Math.sqrt(alpha * alpha + 4 * beta)) / 2;
        double excess = (zeta * zeta - 2 / eta) / 2;
        double printed = StabilityBounds.theorem2Delta(rho, m, k, l, n, eta, LossConvention.HALF_MSE,
                StabilityBounds.DeltaVariant.PRINTED);
        double doubled = StabilityBounds.theorem2Delta(rho, m, k, l, n, eta, LossConvention.HALF_MSE,
                StabilityBounds.DeltaVariant.DOUBLED);
        assertEquals(excess, doubled, 1e-12 * excess);
        assertEquals(excess / 2, printed, 1e-12 * excess);
        // the printed formula, literally: (3/2)C²q + C sqrt((3/4) q (3C²q + 2/η))
        assertEquals(1.5 * c * c * q + c * Math.sqrt(0.75 * q * (3 * c * c * q + 2 / eta)), printed, 1e-12 * printed);
    }

    @Test
    void deltaBehaviour() {
        StabilityBounds.DeltaVariant v = StabilityBounds.DeltaVariant.PRINTED;
        LossConvention h = LossConvention.HALF_MSE;
        double base = StabilityBounds.theorem2Delta(1, 1, 20, 15, 50, 0.1, h, v);
        assertTrue(base > 0);
        assertTrue(StabilityBounds.theorem2Delta(2, 1, 20, 15, 50, 0.1, h, v) > base); // grows with C
        assertTrue(StabilityBounds.theorem2Delta(1, 1, 30, 15, 50, 0.1, h, v) > base); // grows with k − L
        assertTrue(StabilityBounds.theorem2Delta(1, 1, 20, 15, 50, 0.01, h, v) > base); // grows with 1/η
        // → 0 as q = (1 + k − L)/n → 0
        assertTrue(StabilityBounds.theorem2Delta(1, 1, 20, 20, 1_000_000_000, 0.1, h, v) < 1e-3);
        // MSE with step η is ½-MSE with step 2η
        assertEquals(StabilityBounds.theorem2Delta(1, 1, 20, 15, 50, 0.2, h, v),
                StabilityBounds.theorem2Delta(1, 1, 20, 15, 50, 0.1, LossConvention.MSE, v), 1e-12);
        // ρ small: C = max{1, ρ(1 + M)} = 1
        assertEquals(StabilityBounds.theorem2Delta(0.1, 1, 20, 15, 50, 0.1, h, v),
                StabilityBounds.theorem2Delta(0.2, 1, 20, 15, 50, 0.1, h, v), 0.0);
        assertThrows(IllegalArgumentException.class,
                () -> StabilityBounds.theorem2Delta(1, 1, 10, 11, 50, 0.1, h, v));
    }

    @Test
    void deltaFromANetwork() {
        ShallowReluNetwork net = ShallowReluNetwork.univariate(new double[] {1, 1, -2}, new double[] {0, 0, 1},
                new double[] {0.5, 0.5, 1}, 0.3);
        InputSample s = InputSample.ofScalars(-1, -0.2, 0.4, 1.5);
        // knots: 0 (two neurons merged) and 0.5 ⇒ L = 2; ρ = 2, M = 1.5
        double expect = StabilityBounds.theorem2Delta(2, 1.5, 3, 2, 4, 0.1, LossConvention.HALF_MSE,
                StabilityBounds.DeltaVariant.DOUBLED);
        assertEquals(expect, StabilityBounds.theorem2Delta(net, s, 0.1, LossConvention.HALF_MSE,
                StabilityBounds.DeltaVariant.DOUBLED), 0.0);
    }
}
