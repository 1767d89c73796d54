package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Function-space quantities are invariant under per-neuron rescaling (Mulayoff et al. 2021, supplement eq. S81) and
 * permutation of neurons, while the implementation's sharpness changes (docs/theory.md §2).
 *
 * <p>Tolerance 1e-11 relative: rescaling by factors up to e^4 multiplies and divides, costing a few ulps
 * per term.
 */
class InvarianceTest {

    @Test
    void normsAreInvariantWhileSharpnessChanges() {
        Random rng = new Random(123);
        for (int t = 0; t < 60; t++) {
            int d = 1 + t % 3;
            int k = 3 + rng.nextInt(6);
            ShallowReluNetwork net = Fixtures.randomNetwork(rng, k, d, true, true);
            InputSample s = InputSample.of(Fixtures.gaussianData(rng, 9, d));
            double[] beta = new double[k];
            int[] perm = new int[k];
            for (int i = 0; i < k; i++) {
                beta[i] = Math.exp(2 * rng.nextGaussian());
                perm[i] = i;
            }
            dev.minima.util.SeededRandom.shuffle(perm, rng);
            ShallowReluNetwork other = net.rescale(beta).permute(perm);
            RadonWeightFunction g = RadonWeightFunction.of(s);
            NeuronStatistics a = NeuronStatistics.of(net, s);
            NeuronStatistics b = NeuronStatistics.of(other, s);
            assertEquals(a.perNeuronNorm(), b.perNeuronNorm(), 1e-11 * (1 + a.perNeuronNorm()));
            assertEquals(a.activeSideSum(), b.activeSideSum(), 1e-11 * (1 + a.activeSideSum()));
            assertEquals(a.gHatSum(), b.gHatSum(), 1e-11 * (1 + a.gHatSum()));
            double ma = MergedKnots.of(net).stabilityNorm(g);
            assertEquals(ma, MergedKnots.of(other).stabilityNorm(g), 1e-11 * (1 + ma));
            assertEquals(MergedKnots.of(net).radonNorm(), MergedKnots.of(other).radonNorm(), 1e-11 * (1 + ma));
            if (d == 1) {
                WeightFunction w = WeightFunction.empirical(s);
                double ua = UnivariateKnots.of(net).stabilityNorm(w);
                assertEquals(ua, UnivariateKnots.of(other).stabilityNorm(w), 1e-11 * (1 + ua));
            }
            double la = GramSharpness.of(net, s, LossConvention.HALF_MSE).lambdaMax();
            double lb = GramSharpness.of(other, s, LossConvention.HALF_MSE).lambdaMax();
            assertTrue(Math.abs(la - lb) > 1e-2 * la, "sharpness should change under rescaling: " + la + " vs " + lb);
            // the permutation alone changes nothing, sharpness included
            double lp = GramSharpness.of(net.permute(perm), s, LossConvention.HALF_MSE).lambdaMax();
            assertEquals(la, lp, 1e-11 * la);
        }
    }
}
