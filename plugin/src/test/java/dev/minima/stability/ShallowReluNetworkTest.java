package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The double-precision network: evaluation, gradients, rescaling, permutation, validation.
 *
 * <p>Tolerances: central differences with step 1e-6 have truncation error 0 for a piecewise-linear f away
 * from kinks (and the random points are far from kinks with overwhelming probability) and rounding error
 * ~1e-16/1e-6 = 1e-10 relative, hence 1e-7.
 */
class ShallowReluNetworkTest {

    @Test
    void evaluatesTheFormula() {
        ShallowReluNetwork net = ShallowReluNetwork.of(
                new double[][] {{1, -1}, {2, 0.5}}, new double[] {0.5, -1}, new double[] {3, -2}, 0.25);
        double[] x = {0.3, 0.9};
        double expect = 3 * Math.max(0, 0.3 - 0.9 + 0.5) - 2 * Math.max(0, 0.6 + 0.45 - 1) + 0.25;
        assertEquals(expect, net.evaluate(x), 1e-15);
        assertEquals(2 * 2 + 2 + 2 + 1, net.parameterCount());
        assertArrayEquals(new double[] {1, -1, 2, 0.5, 0.5, -1, 3, -2, 0.25}, net.parameters(), 0.0);
        assertEquals(net, net.withParameters(net.parameters()));
        assertEquals(Math.sqrt(1.25), net.hiddenBiasNorm(), 1e-15);
        assertEquals(3.0, net.maxAbsParameter(), 0.0);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Random rng = new Random(1);
        for (boolean hb : new boolean[] {true, false}) {
            for (boolean ob : new boolean[] {true, false}) {
                ShallowReluNetwork net = Fixtures.randomNetwork(rng, 5, 3, hb, ob);
                double[] x = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
                double[] theta = net.parameters();
                double[] g = net.parameterGradient(x);
                double h = 1e-6;
                for (int p = 0; p < theta.length; p++) {
                    double[] tp = theta.clone();
                    double[] tm = theta.clone();
                    tp[p] += h;
                    tm[p] -= h;
                    double fd = (net.withParameters(tp).evaluate(x) - net.withParameters(tm).evaluate(x)) / (2 * h);
                    assertEquals(fd, g[p], 1e-7 * (1 + Math.abs(fd)), "θ_" + p);
                }
                double[] gx = net.inputGradient(x);
                for (int l = 0; l < 3; l++) {
                    double[] xp = x.clone();
                    double[] xm = x.clone();
                    xp[l] += h;
                    xm[l] -= h;
                    double fd = (net.evaluate(xp) - net.evaluate(xm)) / (2 * h);
                    assertEquals(fd, gx[l], 1e-7 * (1 + Math.abs(fd)));
                }
            }
        }
    }

    @Test
    void rescalingAndPermutationKeepTheFunction() {
        Random rng = new Random(2);
        ShallowReluNetwork net = Fixtures.randomNetwork(rng, 6, 2, true, true);
        double[] beta = {0.1, 0.5, 1, 2, 10, 3.3};
        int[] perm = {5, 3, 1, 0, 2, 4};
        ShallowReluNetwork r = net.rescale(beta);
        ShallowReluNetwork p = net.permute(perm);
        for (int t = 0; t < 50; t++) {
            double[] x = {3 * rng.nextGaussian(), 3 * rng.nextGaussian()};
            double f = net.evaluate(x);
            assertEquals(f, r.evaluate(x), 1e-12 * (1 + Math.abs(f)));
            assertEquals(f, p.evaluate(x), 1e-12 * (1 + Math.abs(f)));
        }
        assertEquals(net.outputWeight(4) / 10, r.outputWeight(4), 1e-15);
        assertArrayEquals(net.neuronWeights(5), p.neuronWeights(0), 0.0);
    }

    @Test
    void rejectsBadInput() {
        assertMessage(() -> ShallowReluNetwork.of(new double[0][], null, new double[0], null), "at least one neuron");
        assertMessage(() -> ShallowReluNetwork.of(new double[][] {{}}, null, new double[] {1}, null), "d must be at least 1");
        assertMessage(() -> ShallowReluNetwork.of(new double[][] {{1, 2}, {3}}, null, new double[] {1, 1}, null),
                "row 1 has 1 entries");
        assertMessage(() -> ShallowReluNetwork.of(new double[][] {{1}}, new double[] {1, 2}, new double[] {1}, null),
                "b1 has length 2");
        assertMessage(() -> ShallowReluNetwork.of(new double[][] {{1}, {2}}, null, new double[] {1}, null),
                "one output weight per hidden neuron");
        assertMessage(() -> ShallowReluNetwork.of(new double[][] {{Double.NaN}}, null, new double[] {1}, null),
                "W1[0][0] is NaN");
        assertMessage(() -> ShallowReluNetwork.of(new double[][] {{1}}, null, new double[] {1}, Double.POSITIVE_INFINITY),
                "b2 is Infinity");
        ShallowReluNetwork net = ShallowReluNetwork.univariate(new double[] {1, 2}, null, new double[] {1, 1}, null);
        assertMessage(() -> net.rescale(new double[] {1, 0}), "positive");
        assertMessage(() -> net.rescale(new double[] {1}), "one factor per neuron");
        assertMessage(() -> net.permute(new int[] {0, 0}), "not a permutation");
        assertMessage(() -> net.evaluate(new double[] {1, 2}), "expects d = 1");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable ex, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ex);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
