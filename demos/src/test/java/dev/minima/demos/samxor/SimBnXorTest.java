package dev.minima.demos.samxor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minima.data.XorData;
import dev.minima.demos.samxor.RunPlan.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Sim-BN network's hand-written gradient against central finite differences (the statistic s couples every
 * training input into each example's loss), its scale invariance, and the Figure 2 verdict helpers.
 */
class SimBnXorTest {

    private static double loss(SimBnXor net, double[][] x, int k, double y) {
        double f = net.predict(new double[][] {x[k]}, x)[0];
        return (f - y) * (f - y);
    }

    @Test
    void gradientMatchesFiniteDifferencesThroughTheTrainingSetStatistic() {
        XorData data = XorData.builder().setDimension(4).setSize(8).optSeed(3).build();
        double[][] x = new double[8][];
        for (int i = 0; i < 8; i++) {
            x[i] = data.x(i);
        }
        SimBnXor net = new SimBnXor(4, 6, 1, 11);
        int k = 2;
        double y = data.y(k);
        double[] g = net.gradient(x, k, y);
        double[] theta = net.flat();
        double h = 1e-6;
        double worst = 0;
        for (int p = 0; p < theta.length; p++) {
            double[] t = theta.clone();
            t[p] += h;
            net.set(t);
            double up = loss(net, x, k, y);
            t[p] -= 2 * h;
            net.set(t);
            double down = loss(net, x, k, y);
            worst = Math.max(worst, Math.abs((up - down) / (2 * h) - g[p]));
        }
        net.set(theta);
        // central differences: error O(h²·f''') plus rounding O(ε/h) ≈ 1e-10 at these scales
        assertTrue(worst < 1e-7, "max |FD − analytic| = " + worst);
        // the coupling term matters: dropping it (treating s as a constant) would change W₁'s gradient
        double norm = 0;
        for (double v : g) {
            norm += v * v;
        }
        assertTrue(norm > 1e-6);
    }

    @Test
    void theNetworkIsInvariantToScalingANeuronsFirstLayerRow() {
        XorData data = XorData.builder().setDimension(5).setSize(10).optSeed(1).build();
        double[][] x = new double[10][];
        for (int i = 0; i < 10; i++) {
            x[i] = data.x(i);
        }
        SimBnXor net = new SimBnXor(5, 7, 1, 2);
        double[] before = net.predict(x, x);
        for (int l = 0; l < 5; l++) {
            net.w1[3][l] *= 7.5;
        }
        net.b1[3] *= 7.5;
        double[] after = net.predict(x, x);
        // exact invariance up to BatchNorm's eps in s² = mean relu(h)² + 10⁻⁵: a relative effect of order
        // 10⁻⁵/s² ≈ 10⁻⁴ here (s² ≈ 0.1); without the scaling the outputs differ by far more
        for (int i = 0; i < 10; i++) {
            assertEquals(before[i], after[i], 2e-3 * Math.max(0.05, Math.abs(before[i])));
        }
    }

    @Test
    void verdictHelpersRecogniseThePapersNeuronsAndRejectOthers() {
        double[][] paper = {{18.581, -18.582, 0.02}, {-14.363, -14.363, 0.03}, {13.768, 13.771, 0.03},
            {-12.601, 12.601, 0.01}}; // Figure 2b
        SimBnXor.Result ok = new SimBnXor.Result(1, 0, 1, 1, paper, new double[] {42.47, 42.48}, 5.65, 0);
        assertTrue(SimBnXor.fourXorNeurons(ok));
        assertEquals(42.47 / 5.65, SimBnXor.columnRatio(ok), 1e-12);
        double[][] twoAlike = {{18.581, -18.582, 0.02}, {14.363, -14.363, 0.03}, {13.768, 13.771, 0.03},
            {-12.601, 12.601, 0.01}};
        assertFalse(SimBnXor.fourXorNeurons(new SimBnXor.Result(1, 0, 1, 1, twoAlike, new double[] {1, 1}, 1, 0)));
        double[][] noisy = {{18.581, -18.582, 5}, {-14.363, -14.363, 0.03}, {13.768, 13.771, 0.03},
            {-12.601, 12.601, 0.01}};
        assertFalse(SimBnXor.fourXorNeurons(new SimBnXor.Result(1, 0, 1, 1, noisy, new double[] {1, 1}, 1, 0)));
    }

    @Test
    void oneSamLowersTheTrainingLossOnATinyProblem() {
        XorData train = XorData.builder().setDimension(4).setSize(16).optSeed(5).build();
        XorData test = XorData.builder().setDimension(4).setSize(50).optSeed(6).build();
        SimBnXor net = new SimBnXor(4, 20, 0.3, 7);
        double[][] x = new double[16][];
        double start = 0;
        for (int i = 0; i < 16; i++) {
            x[i] = train.x(i);
        }
        double[] f0 = net.predict(x, x);
        for (int i = 0; i < 16; i++) {
            start += (f0[i] - train.y(i)) * (f0[i] - train.y(i)) / 16;
        }
        SimBnXor.Result r = net.train(train, test, List.of(new Phase(0.01f, 0.05, 200)), 9);
        assertEquals(200, r.epochs());
        assertTrue(r.trainLoss() < 0.1 * start, "loss " + start + " → " + r.trainLoss());
    }
}
