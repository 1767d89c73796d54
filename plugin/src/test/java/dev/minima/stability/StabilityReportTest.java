package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one-call report: keys, consistency with the parts, ordering, verdicts, loss scaling, bad input.
 *
 * <p>Tolerances: the report recomputes the same quantities as the parts (1e-12 relative); orderings use
 * 1e-9 relative slack for the flattest minimiser's tolerance (1e-10 gap).
 */
class StabilityReportTest {

    static final List<String> KEYS = List.of("n", "d", "k", "stability_norm", "per_neuron_norm", "lambda_max_gram",
            "lower_bound_mean_grad", "lower_bound_chain", "lower_bound_norm", "bound", "flattest_lambda",
            "flattest_certificate", "ghat_upper", "knots_on_data", "verdict");

    private static ShallowReluNetwork solution(Random rng, double[][] x, int d) {
        double[] y = new double[x.length];
        for (int j = 0; j < y.length; j++) {
            y[j] = Math.sin(2 * x[j][0]);
        }
        ShallowReluNetwork first = d == 1
                ? Fixtures.univariateFirstLayer(rng, InputSample.of(x).scalars(), 10)
                : Fixtures.randomNetwork(rng, 25, d, true, true);
        return Fixtures.interpolate(first, x, y);
    }

    @Test
    void keysAndConsistency() {
        for (int d : new int[] {1, 3}) {
            Random rng = new Random(40 + d);
            double[][] x = Fixtures.gaussianData(rng, 10, d);
            ShallowReluNetwork net = solution(rng, x, d);
            InputSample s = InputSample.of(x);
            StabilityReport r = StabilityReport.of(net, x, OptionalDouble.of(0.01), LossConvention.HALF_MSE);
            Map<String, Object> m = r.toMap();
            assertEquals(KEYS, new ArrayList<>(m.keySet()));
            assertEquals(10, m.get("n"));
            assertEquals(d, m.get("d"));
            assertEquals(net.width(), m.get("k"));
            double norm = d == 1
                    ? UnivariateKnots.of(net).stabilityNorm(WeightFunction.empirical(s))
                    : MergedKnots.of(net).stabilityNorm(RadonWeightFunction.of(s));
            assertEquals(norm, r.stabilityNorm(), 1e-12 * (1 + norm));
            assertEquals(NeuronStatistics.of(net, s).perNeuronNorm(), r.perNeuronNorm(), 1e-12);
            assertEquals(GramSharpness.of(net, s, LossConvention.HALF_MSE).lambdaMax(), r.lambdaMaxGram(), 0.0);
            assertEquals(1 + 2 * norm, r.lowerBoundNorm(), 1e-12 * (1 + norm));
            assertEquals(1 / 0.01 - 0.5, r.bound(), 1e-12);
            // the orderings of StabilityReport's Javadoc
            double slack = 1 + 1e-9;
            assertTrue(r.lambdaMaxGram() * slack >= r.lowerBoundMeanGrad());
            assertTrue(r.lowerBoundMeanGrad() * slack >= r.lowerBoundChain());
            assertTrue(r.lowerBoundChain() * slack >= 1 + 2 * r.perNeuronNorm());
            assertTrue(1 + 2 * r.perNeuronNorm() * slack >= r.lowerBoundNorm());
            assertTrue(r.flattestLambda() * slack >= r.lowerBoundChain());
            assertTrue(r.flattestLambda() * slack >= r.flattestCertificate());
            assertTrue(r.flattestLambda() <= r.lambdaMaxGram() * slack);
            assertTrue(r.flattestLambda() <= r.ghatUpper() * slack);
            // at an interpolating solution the rescaling minimum is certified by (S88)
            assertEquals(r.flattestLambda(), r.flattestCertificate(), 1e-8 * r.flattestLambda());
            assertEquals(0, r.knotsOnData());
        }
    }

    @Test
    void verdictsFollowTheThresholds() {
        Random rng = new Random(3);
        double[][] x = Fixtures.gaussianData(rng, 10, 1);
        ShallowReluNetwork net = solution(rng, x, 1);
        StabilityReport base = StabilityReport.of(net, x, OptionalDouble.empty(), LossConvention.HALF_MSE);
        assertNull(base.bound());
        assertNull(base.verdict());
        assertTrue(base.toMap().containsKey("verdict"));
        double lam = base.lambdaMaxGram();
        double flat = base.flattestLambda();
        double lower = base.lowerBoundNorm();
        assertTrue(lam > flat * 1.01 && flat > lower * 1.01, lam + " " + flat + " " + lower);
        assertEquals("stable", verdict(net, x, 2 / lam * 0.99));
        assertEquals("stable_after_rescaling", verdict(net, x, 2 / Math.sqrt(lam * flat)));
        assertEquals("unstable", verdict(net, x, 2 / lower * 1.01));
        // with MSE every eigenvalue doubles, so the same verdicts come at half the step
        StabilityReport mse = StabilityReport.of(net, x, OptionalDouble.of(2 / lam * 0.99), LossConvention.MSE);
        assertEquals(2 * lam, mse.lambdaMaxGram(), 1e-12 * lam);
        assertEquals(base.stabilityNorm(), mse.stabilityNorm(), 0.0);
        assertEquals(2 * base.lowerBoundNorm(), mse.lowerBoundNorm(), 1e-12 * lam);
        assertTrue(!"stable".equals(mse.verdict()));
        assertEquals("stable", StabilityReport.of(net, x, OptionalDouble.of(1 / lam * 0.99), LossConvention.MSE)
                .verdict());
    }

    private static String verdict(ShallowReluNetwork net, double[][] x, double eta) {
        return StabilityReport.of(net, x, OptionalDouble.of(eta), LossConvention.HALF_MSE).verdict();
    }

    @Test
    void knotOnADataPointIsCounted() {
        double[][] x = {{-1}, {0}, {0.5}, {2}};
        ShallowReluNetwork net = ShallowReluNetwork.univariate(new double[] {1, -1}, new double[] {-0.5, 0.3},
                new double[] {1, 2}, 0.0);
        StabilityReport r = StabilityReport.of(net, x, OptionalDouble.of(0.1), LossConvention.HALF_MSE);
        assertEquals(1, r.knotsOnData());
    }

    @Test
    void rejectsBadInput() {
        ShallowReluNetwork net = ShallowReluNetwork.univariate(new double[] {1}, new double[] {0}, new double[] {1}, 0.0);
        double[][] x = {{-1}, {1}};
        ShallowReluNetworkTest.assertMessage(
                () -> StabilityReport.of(net, x, OptionalDouble.of(0), LossConvention.HALF_MSE), "positive");
        ShallowReluNetworkTest.assertMessage(
                () -> StabilityReport.of(net, x, OptionalDouble.of(-0.1), LossConvention.HALF_MSE), "positive");
        ShallowReluNetworkTest.assertMessage(
                () -> StabilityReport.of(net, new double[][] {{1}}, OptionalDouble.empty(), LossConvention.HALF_MSE),
                "at least two");
        ShallowReluNetworkTest.assertMessage(
                () -> StabilityReport.of(net, new double[][] {{1, 2}, {3, 4}}, OptionalDouble.empty(),
                        LossConvention.HALF_MSE), "one column per data column");
        ShallowReluNetworkTest.assertMessage(
                () -> StabilityReport.of(net, new double[][] {{1}, {Double.NaN}}, OptionalDouble.empty(),
                        LossConvention.HALF_MSE), "finite");
    }
}
