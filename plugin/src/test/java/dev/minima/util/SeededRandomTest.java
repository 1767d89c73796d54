package dev.minima.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeededRandomTest {

    @Test
    void sameSeedSameNumbers() {
        assertArrayEquals(SeededRandom.permutation(50, new SplittableRandom(3)),
                SeededRandom.permutation(50, new SplittableRandom(3)));
        assertArrayEquals(SeededRandom.sample(50, 7, new SplittableRandom(3)),
                SeededRandom.sample(50, 7, new SplittableRandom(3)));
        assertArrayEquals(SeededRandom.gaussians(new SplittableRandom(3), 11),
                SeededRandom.gaussians(new SplittableRandom(3), 11));
        assertEquals(SeededRandom.gaussian(new SplittableRandom(3)), SeededRandom.gaussian(new SplittableRandom(3)));
        assertFalse(Arrays.equals(SeededRandom.permutation(50, new SplittableRandom(3)),
                SeededRandom.permutation(50, new SplittableRandom(4))));
    }

    /** The draw order is the contract: one normal from two uniforms (cosine), a pair from two (cosine, sine). */
    @Test
    void drawOrderIsBoxMullerOnTwoUniforms() {
        SplittableRandom a = new SplittableRandom(9);
        SplittableRandom b = new SplittableRandom(9);
        double g = SeededRandom.gaussian(a);
        double u1 = 1 - b.nextDouble();
        double u2 = b.nextDouble();
        assertEquals(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2), g, 0);
        assertEquals(b.nextLong(), a.nextLong(), "gaussian(random) draws exactly two uniforms");

        double[] pair = SeededRandom.gaussians(new SplittableRandom(9), 3);
        SplittableRandom c = new SplittableRandom(9);
        double r = Math.sqrt(-2 * Math.log(1 - c.nextDouble()));
        double t = 2 * Math.PI * c.nextDouble();
        assertEquals(r * Math.cos(t), pair[0], 0);
        assertEquals(r * Math.sin(t), pair[1], 0);
        assertEquals(SeededRandom.gaussian(c), pair[2], 0, "an odd last entry is the cosine of a fresh pair");
    }

    @Test
    void permutationsAreValidAndUniform() {
        SplittableRandom random = new SplittableRandom(1);
        for (int n = 0; n < 40; n++) {
            int[] p = SeededRandom.permutation(n, random);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i]);
            }
        }
        // all 6 orders of 3 items equally likely: frequency 1/6 ± 5 binomial standard errors sqrt(p(1−p)/N)
        int draws = 60_000;
        Map<String, Integer> counts = new HashMap<>();
        for (int k = 0; k < draws; k++) {
            counts.merge(Arrays.toString(SeededRandom.permutation(3, random)), 1, Integer::sum);
        }
        assertEquals(6, counts.size());
        double se = Math.sqrt((1.0 / 6) * (5.0 / 6) / draws);
        for (int c : counts.values()) {
            assertEquals(1.0 / 6, (double) c / draws, 5 * se);
        }
        // java.util.Random works too (any RandomGenerator)
        int[] q = {0, 1, 2, 3, 4};
        SeededRandom.shuffle(q, new Random(5));
        assertEquals(10, Arrays.stream(q).sum());
    }

    @Test
    void samplesAreDistinctSortedAndUniform() {
        SplittableRandom random = new SplittableRandom(2);
        int n = 10;
        int k = 3;
        int draws = 50_000;
        int[] hits = new int[n];
        for (int t = 0; t < draws; t++) {
            int[] s = SeededRandom.sample(n, k, random);
            assertEquals(k, s.length);
            for (int i = 0; i < k; i++) {
                assertTrue(s[i] >= 0 && s[i] < n);
                if (i > 0) {
                    assertTrue(s[i] > s[i - 1], "sorted and distinct");
                }
                hits[s[i]]++;
            }
        }
        // each index is chosen with probability k/n; 5 binomial standard errors
        double p = (double) k / n;
        for (int h : hits) {
            assertEquals(p, (double) h / draws, 5 * Math.sqrt(p * (1 - p) / draws));
        }
        assertArrayEquals(new int[] {0, 1, 2, 3}, SeededRandom.sample(4, 4, random));
        assertThrows(IllegalArgumentException.class, () -> SeededRandom.sample(3, 4, random));
    }

    /**
     * N(0, 1) moments from N = 200,000 draws: the sample mean has standard error 1/√N = 0.0022 and the sample
     * variance √(2/N) = 0.0032 (the fourth moment of a normal is 3); 5 standard errors each. The pair's cosine
     * and sine halves are uncorrelated: correlation within 5/√(N/2).
     */
    @Test
    void gaussianMomentsMatchTheStandardNormal() {
        int n = 200_000;
        double[] single = new double[n];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            single[i] = SeededRandom.gaussian(random);
        }
        double[] paired = SeededRandom.gaussians(new SplittableRandom(8), n);
        for (double[] v : new double[][] {single, paired}) {
            double mean = Arrays.stream(v).average().orElseThrow();
            double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (n - 1);
            assertEquals(0, mean, 5 / Math.sqrt(n));
            assertEquals(1, var, 5 * Math.sqrt(2.0 / n));
        }
        double cross = 0;
        for (int i = 0; i + 1 < n; i += 2) {
            cross += paired[i] * paired[i + 1];
        }
        assertEquals(0, cross / (n / 2), 5 / Math.sqrt(n / 2.0));
    }

    @Test
    void numericHelpers() {
        assertEquals(2, Numerics.median(new double[] {3, 1, 2}), 0);
        assertEquals(2.5, Numerics.median(new double[] {4, 1, 3, 2}), 0);
        assertTrue(Double.isNaN(Numerics.median(new double[0])));
        double[] g = Numerics.logSpaced(1e-3, 10, 5);
        assertArrayEquals(new double[] {1e-3, 1e-2, 1e-1, 1, 10}, g, 1e-12);
        assertArrayEquals(new double[] {0.5}, Numerics.logSpaced(0.5, 2, 1), 0);
        assertThrows(IllegalArgumentException.class, () -> Numerics.logSpaced(0, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> Numerics.logSpaced(1, 2, 0));
    }
}
