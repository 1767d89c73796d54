package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The univariate weight function g of Mulayoff et al. (2021), eq. (22–23).
 *
 * <p>Tolerances: population values come from adaptive Simpson quadrature at 1e-13 absolute, so closed
 * forms are matched to 1e-10; the 5-digit constants of docs/theory.md §1 are matched to half a unit in their
 * last printed digit (5e-6).
 */
class WeightFunctionTest {

    @Test
    void populationValuesAtZero() {
        // docs/theory.md §1 [derived]: Uniform √21/16, Gaussian ½(1/√(2π))√(1 + 2/π), Laplace ≈ 0.21651
        assertEquals(Math.sqrt(21) / 16, WeightFunction.uniform().g(0), 1e-10);
        assertEquals(0.28641, WeightFunction.uniform().g(0), 5e-6);
        double gauss = 0.5 / Math.sqrt(2 * Math.PI) * Math.sqrt(1 + 2 / Math.PI);
        assertEquals(gauss, WeightFunction.gaussian().g(0), 1e-10);
        assertEquals(0.25518, WeightFunction.gaussian().g(0), 5e-6);
        // Laplace, scale s = 1/√2: ∫_{-∞}^0 F = s/2, E[X 1{X<0}] = −s/2, F(0) = ½, so g(0) = (s/4)√(1 + s²) = √3/8
        assertEquals(Math.sqrt(3) / 8, WeightFunction.laplace().g(0), 1e-10);
        assertEquals(0.21651, WeightFunction.laplace().g(0), 5e-6);
    }

    @Test
    void populationMaximumIsAtZeroAndSymmetric() {
        for (WeightFunction g : new WeightFunction[] {WeightFunction.uniform(), WeightFunction.gaussian(),
                WeightFunction.laplace()}) {
            double g0 = g.g(0);
            for (double x = -3; x <= 3; x += 0.125) {
                if (x != 0) {
                    assertTrue(g.g(x) < g0, "g(" + x + ") = " + g.g(x) + " ≥ g(0) = " + g0);
                }
                assertEquals(g.g(x), g.g(-x), 1e-10);
                assertEquals(g.gPlus(x), g.gMinus(-x), 1e-10);
            }
        }
        // uniform: zero outside the support [−√3, √3]
        assertEquals(0.0, WeightFunction.uniform().g(1.8), 0.0);
        assertEquals(0.0, WeightFunction.uniform().g(-2.0), 0.0);
    }

    @Test
    void gaussianPopulationMatchesClosedForm() {
        // the univariate population g for N(0,1) is the multivariate Gaussian closed form of Nacson et al. (2023), App.
        // H.2
        WeightFunction g = WeightFunction.gaussian();
        for (double x = -2.5; x <= 2.5; x += 0.25) {
            assertEquals(GaussianRadonWeight.g(x), g.g(x), 1e-10, "x = " + x);
        }
    }

    @Test
    void empiricalMatchesDefinition() {
        Random rng = new Random(3);
        double[] xs = new double[15];
        for (int j = 0; j < xs.length; j++) {
            xs[j] = rng.nextGaussian();
        }
        WeightFunction g = WeightFunction.empirical(xs);
        for (double x = -3; x <= 3; x += 0.0625) {
            assertEquals(bruteForce(xs, x, true), g.gPlus(x), 1e-13);
            assertEquals(bruteForce(xs, x, false), g.gMinus(x), 1e-13);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : xs) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        // g vanishes at and beyond the extreme points
        assertEquals(0.0, g.g(min), 0.0);
        assertEquals(0.0, g.g(max), 0.0);
        assertEquals(0.0, g.g(min - 1), 0.0);
        assertEquals(0.0, g.g(max + 1), 0.0);
        assertTrue(g.g(0.5 * (min + max)) > 0);
    }

    /** P(X ≷ x)² E[±(X − x) | ·] sqrt(1 + E[X | ·]²) written out literally. */
    private static double bruteForce(double[] xs, double x, boolean plus) {
        int count = 0;
        double sumX = 0;
        for (double v : xs) {
            if (plus ? v > x : v < x) {
                count++;
                sumX += v;
            }
        }
        if (count == 0) {
            return 0;
        }
        double p = (double) count / xs.length;
        double condMean = sumX / count;
        double excess = plus ? condMean - x : x - condMean;
        return p * p * excess * Math.sqrt(1 + condMean * condMean);
    }

    @Test
    void largeNormalisedSampleApproachesPopulation() {
        // Mulayoff et al. (2021), Fig. 2: empirical g of a normalised sample follows the population curve; n = 200000
        // gives a sampling error of order 1/√n ≈ 2e-3, so 1e-2 is a safe tolerance.
        Random rng = new Random(7);
        int n = 200_000;
        double[] xs = new double[n];
        double mean = 0;
        for (int j = 0; j < n; j++) {
            xs[j] = rng.nextGaussian();
            mean += xs[j];
        }
        mean /= n;
        double var = 0;
        for (double x : xs) {
            var += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(var / n);
        for (int j = 0; j < n; j++) {
            xs[j] = (xs[j] - mean) / sd;
        }
        WeightFunction emp = WeightFunction.empirical(xs);
        for (double x : new double[] {-1.5, -0.5, 0, 0.5, 1.5}) {
            assertEquals(WeightFunction.gaussian().g(x), emp.g(x), 1e-2);
        }
    }

    @Test
    void rejectsBadSamples() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightFunction.empirical(1.0));
        assertTrue(e.getMessage().contains("at least two"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WeightFunction.empirical(1.0, Double.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> WeightFunction.empirical(InputSample.of(new double[][] {{1, 2}, {3, 4}})));
    }
}
