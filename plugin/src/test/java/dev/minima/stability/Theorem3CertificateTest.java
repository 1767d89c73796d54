package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nacson et al. (2023), Theorem 3's sufficient condition. Closed-form comparisons at 1e-12. */
class Theorem3CertificateTest {

    /** A gentle univariate bump with distinct knots and two spare neurons (k = L + 2). */
    private static ShallowReluNetwork bump() {
        return ShallowReluNetwork.univariate(new double[] {1, 1, 1, 1, 0, 0}, new double[] {0.5, 0, -0.5, 0.1, 0, 0},
                new double[] {0.1, -0.2, 0.1, 0.05, 0, 0}, 0.2);
    }

    @Test
    void componentsFollowTheFormula() {
        ShallowReluNetwork f = bump();
        InputSample s = InputSample.ofScalars(-1, -0.7, -0.3, 0.05, 0.2, 0.6, 0.9);
        Theorem3Certificate.Result r = Theorem3Certificate.evaluate(f, s, 0.1, LossConvention.HALF_MSE);
        assertEquals(0.1 + 0.2 + 0.1 + 0.05, r.radonNorm(), 1e-12);
        assertEquals(MergedKnots.of(f).gHatNorm(RadonWeightFunction.of(s)), r.gHatNorm(), 1e-12);
        double spread = Math.sqrt(s.covarianceMaxEigenvalue()) * Math.sqrt(1 + s.meanSquaredNorm());
        assertEquals(spread, r.spread(), 1e-12);
        assertEquals(r.gHatNorm() + 2 * (r.radonNorm() + r.gradientNormUpper()) * spread, r.lhs(), 1e-12);
        assertEquals(9.5, r.bound(), 1e-12);
        assertTrue(r.architectureSupported());
        assertTrue(r.certified());
        // a step so large that 1/η − 1/2 < lhs
        assertFalse(Theorem3Certificate.evaluate(f, s, 1.9, LossConvention.HALF_MSE).certified());
        // MSE halves the admissible step
        double eta = 1 / (r.lhs() + 0.5) * 0.99;
        assertTrue(Theorem3Certificate.evaluate(f, s, eta, LossConvention.HALF_MSE).certified());
        assertFalse(Theorem3Certificate.evaluate(f, s, eta, LossConvention.MSE).certified());
    }

    /** The probe minimum is never below the true infimum of |f'| (exact on the line), so "certified" is sound. */
    @Test
    void gradientProbeNeverUnderestimatesTheInfimum() {
        ShallowReluNetwork f = bump();
        InputSample s = InputSample.ofScalars(-1, -0.7, -0.3, 0.05, 0.2, 0.6, 0.9);
        double probe = Theorem3Certificate.evaluate(f, s, 0.1, LossConvention.HALF_MSE).gradientNormUpper();
        List<Double> cuts = new ArrayList<>();
        for (UnivariateKnots.Knot k : UnivariateKnots.of(f).knots()) {
            cuts.add(k.position());
        }
        double inf = Double.POSITIVE_INFINITY;
        double prev = -1e6;
        cuts.add(1e6);
        for (double c : cuts) {
            double mid = c == 1e6 ? prev + 1 : prev == -1e6 ? c - 1 : 0.5 * (prev + c);
            inf = Math.min(inf, Math.abs(f.inputGradient(new double[] {mid})[0]));
            prev = c;
        }
        assertTrue(probe >= inf - 1e-15);
        assertEquals(0.0, inf, 1e-15); // f is constant left of every knot
        assertEquals(inf, probe, 1e-15); // and the far-left probe finds it
    }

    @Test
    void unsupportedArchitecturesAreNeverCertified() {
        InputSample s = InputSample.ofScalars(-1, 0, 1);
        ShallowReluNetwork noBias = ShallowReluNetwork.univariate(new double[] {1, -1, 1}, null,
                new double[] {0.01, 0.01, 0.01}, 0.0);
        assertFalse(Theorem3Certificate.evaluate(noBias, s, 0.01, LossConvention.HALF_MSE).architectureSupported());
        // two distinct knots and no spare neurons: L + 2 > k
        ShallowReluNetwork tight = ShallowReluNetwork.univariate(new double[] {1, 1}, new double[] {0, -0.5},
                new double[] {0.01, 0.01}, 0.0);
        Theorem3Certificate.Result r = Theorem3Certificate.evaluate(tight, s, 0.01, LossConvention.HALF_MSE);
        assertFalse(r.architectureSupported());
        assertTrue(r.lhs() < r.bound());
        assertFalse(r.certified());
    }
}
