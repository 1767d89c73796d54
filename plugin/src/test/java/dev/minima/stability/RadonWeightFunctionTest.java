package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The multivariate weights g̃, g, ĝ of Nacson et al. (2023) (eq. 12, 18) and the Gaussian closed form.
 *
 * <p>Tolerances: closed forms are exact up to rounding (1e-14); the printed constants of docs/theory.md §2 have
 * 5 significant digits and are matched to half a unit in the last digit.
 */
class RadonWeightFunctionTest {

    @Test
    void twoPointsGiveClosedForm() {
        // docs/theory.md §2 / Nacson et al. (2023), App. H.1: x = (±1, 0) ⇒ g(v, b) = (√2/4) σ(|v₁| − |b|)
        RadonWeightFunction w = RadonWeightFunction.of(InputSample.of(new double[][] {{1, 0}, {-1, 0}}));
        for (double phi = 0; phi < 2 * Math.PI; phi += Math.PI / 17) {
            double[] v = {Math.cos(phi), Math.sin(phi)};
            for (double b = -1.2; b <= 1.2; b += 0.1) {
                double expect = Math.sqrt(2) / 4 * Math.max(0, Math.abs(v[0]) - Math.abs(b));
                assertEquals(expect, w.g(v, b), 1e-14, "φ = " + phi + ", b = " + b);
            }
        }
    }

    @Test
    void gaussianClosedFormValues() {
        assertEquals(0.25518, GaussianRadonWeight.g(0), 5e-6);
        assertEquals(0.092594, GaussianRadonWeight.g(0.5), 5e-7);
        assertEquals(0.024107, GaussianRadonWeight.g(1), 5e-7);
        assertEquals(0.00049746, GaussianRadonWeight.g(2), 5e-9);
        assertEquals(GaussianRadonWeight.g(0.7), GaussianRadonWeight.g(-0.7), 0.0);
        // g is the smaller side: g̃(b) ≤ g̃(−b) for b ≥ 0
        assertTrue(GaussianRadonWeight.gTilde(0.7) < GaussianRadonWeight.gTilde(-0.7));
    }

    @Test
    void largeGaussianSampleApproachesClosedForm() {
        // n = 100000 in d = 3: sampling error ~1/√n ≈ 3e-3 relative; the tolerance 5e-3 is absolute
        Random rng = new Random(21);
        RadonWeightFunction w = RadonWeightFunction.of(InputSample.of(Fixtures.gaussianData(rng, 100_000, 3)));
        double[] v = {0.6, 0.0, 0.8};
        for (double b : new double[] {0, 0.5, 1, 2}) {
            assertEquals(GaussianRadonWeight.g(b), w.g(v, b), 5e-3, "b = " + b);
        }
    }

    @Test
    void orderingAndSymmetry() {
        Random rng = new Random(4);
        RadonWeightFunction w = RadonWeightFunction.of(InputSample.of(Fixtures.gaussianData(rng, 25, 4)));
        for (int t = 0; t < 500; t++) {
            double[] v = new double[4];
            for (int l = 0; l < 4; l++) {
                v[l] = rng.nextGaussian();
            }
            double nv = InputSample.norm(v);
            for (int l = 0; l < 4; l++) {
                v[l] /= nv;
            }
            double b = 1.5 * rng.nextGaussian();
            double[] minus = {-v[0], -v[1], -v[2], -v[3]};
            double g = w.g(v, b);
            assertTrue(g >= 0);
            assertEquals(g, w.g(minus, -b), 0.0);
            assertTrue(w.gTilde(v, b) >= g);
            // Cauchy–Schwarz: ĝ ≥ g̃
            assertTrue(w.gHat(v, b) >= w.gTilde(v, b) * (1 - 1e-12));
            // positive homogeneity of degree 1
            double[] v2 = {2 * v[0], 2 * v[1], 2 * v[2], 2 * v[3]};
            assertEquals(2 * w.gTilde(v, b), w.gTilde(v2, 2 * b), 1e-12);
        }
    }

    @Test
    void univariateCaseIsTheUnivariateWeightFunction() {
        Random rng = new Random(8);
        double[] xs = new double[12];
        for (int j = 0; j < xs.length; j++) {
            xs[j] = rng.nextGaussian();
        }
        InputSample s = InputSample.ofScalars(xs);
        RadonWeightFunction w = RadonWeightFunction.of(s);
        WeightFunction g = WeightFunction.empirical(s);
        for (double x = -2.5; x <= 2.5; x += 0.1) {
            assertEquals(g.gPlus(x), w.gTilde(new double[] {1}, x), 1e-14);
            assertEquals(g.gMinus(x), w.gTilde(new double[] {-1}, -x), 1e-14);
            assertEquals(g.g(x), w.g(new double[] {1}, x), 1e-14);
        }
    }
}
