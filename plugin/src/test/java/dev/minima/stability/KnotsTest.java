package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Knots, slope jumps and the merged norms, including the f'' erratum of docs/theory.md §1/§6.
 *
 * <p>Tolerances: slopes by one-sided differences over 1e-4 on piecewise-linear functions are exact up to
 * rounding (~1e-12); norms are sums of a few products, compared to 1e-12.
 */
class KnotsTest {

    private static double slope(ShallowReluNetwork f, double x, double h) {
        return (f.evaluate(new double[] {x + h}) - f.evaluate(new double[] {x})) / h;
    }

    /**
     * Erratum: the slope jump of v σ(wx + b) at c = −b/w is v|w|, not v·w as Mulayoff et al. (2021), supplement (S41)
     * prints.
     */
    @Test
    void secondDerivativeCoefficientUsesAbsoluteWeight() {
        ShallowReluNetwork f = ShallowReluNetwork.univariate(new double[] {-2}, new double[] {1}, new double[] {3}, null);
        UnivariateKnots kn = UnivariateKnots.of(f);
        assertEquals(1, kn.count());
        assertEquals(0.5, kn.knots().get(0).position(), 1e-15);
        double jump = slope(f, 0.5 + 1e-3, 1e-4) - slope(f, 0.5 - 1e-3 - 1e-4, 1e-4);
        assertEquals(6.0, jump, 1e-9);
        assertEquals(6.0, kn.knots().get(0).slopeJump(), 1e-15); // v|w| = 3·2
        // the printed coefficient w·v = −6 has the wrong sign
        assertTrue(Math.abs(kn.knots().get(0).slopeJump() - (-2 * 3)) > 1);
    }

    /** Where the sign matters: f(x) = |x − c| = σ(x − c) + σ(c − x) has S = 2 g(c); w·v would give 0. */
    @Test
    void absoluteValueKinkIsNotCancelled() {
        double c = 0.2;
        ShallowReluNetwork f = ShallowReluNetwork.univariate(new double[] {1, -1}, new double[] {-c, c},
                new double[] {1, 1}, 0.0);
        InputSample s = InputSample.ofScalars(-1.5, -0.7, 0.1, 0.6, 1.3);
        WeightFunction g = WeightFunction.empirical(s);
        UnivariateKnots kn = UnivariateKnots.of(f);
        assertEquals(1, kn.count());
        assertEquals(2.0, kn.knots().get(0).slopeJump(), 1e-15);
        assertEquals(2 * g.g(c), kn.stabilityNorm(g), 1e-15);
        double printed = Math.abs(1 * 1 + (-1) * 1) * g.g(c); // Σ w_i v_i as printed
        assertEquals(0.0, printed, 0.0);
        assertTrue(kn.stabilityNorm(g) > 0.1);
        // the same through the Radon-domain merge (antipodal fold)
        MergedKnots m = MergedKnots.of(f);
        assertEquals(1, m.count());
        assertEquals(2.0, Math.abs(m.knots().get(0).coefficient()), 1e-15);
        assertEquals(kn.stabilityNorm(g), m.stabilityNorm(RadonWeightFunction.of(s)), 1e-15);
    }

    /** Coincident knots merge before the absolute value: opposite jumps cancel in S but not per neuron. */
    @Test
    void coincidentKnotsMerge() {
        // σ(x − 0.3) and −½σ(2x − 0.6) share the knot 0.3 and cancel exactly; a third neuron elsewhere
        ShallowReluNetwork f = ShallowReluNetwork.univariate(new double[] {1, 2, 1}, new double[] {-0.3, -0.6, 0.4},
                new double[] {1, -0.5, 2}, 1.0);
        InputSample s = InputSample.ofScalars(-1, -0.5, 0, 0.5, 1);
        WeightFunction g = WeightFunction.empirical(s);
        UnivariateKnots kn = UnivariateKnots.of(f);
        assertEquals(1, kn.count());
        assertEquals(2 * g.g(-0.4), kn.stabilityNorm(g), 1e-15);
        assertEquals(2 * g.g(0.3) + 2 * g.g(-0.4), kn.perNeuronNorm(g), 1e-15);
        assertEquals(kn.perNeuronNorm(g), NeuronStatistics.of(f, s).perNeuronNorm(), 1e-15);
    }

    @Test
    void multivariateMergeAndFold() {
        // neuron 1 = 2 × neuron 0 (same hyperplane), neuron 2 antipodal to neuron 0, neuron 3 elsewhere
        double[] w = {0.6, 0.8};
        ShallowReluNetwork f = ShallowReluNetwork.of(
                new double[][] {w, {1.2, 1.6}, {-0.3, -0.4}, {0, 1}},
                new double[] {0.5, 1.0, -0.25, 0.1}, new double[] {1, 1, 4, -1}, 0.0);
        MergedKnots m = MergedKnots.of(f);
        assertEquals(2, m.count());
        // a = v‖w‖: 1·1 + 1·2 + 4·0.5 = 5 on the first hyperplane, −1 on the second
        assertEquals(5.0, m.knots().get(0).coefficient(), 1e-14);
        assertEquals(-1.0, m.knots().get(1).coefficient(), 1e-14);
        assertEquals(6.0, m.radonNorm(), 1e-14);
        // folding moves −a'·w̄ into the linear part: f − Σ α σ(w̄ᵀx − b̄) is affine with that gradient
        double[] lin = m.linearGradient();
        double[] x0 = {0.1, -0.2};
        double[] x1 = {1.7, 0.4};
        double r0 = f.evaluate(x0) - knotPart(m, x0);
        double r1 = f.evaluate(x1) - knotPart(m, x1);
        double expect = lin[0] * (x1[0] - x0[0]) + lin[1] * (x1[1] - x0[1]);
        assertEquals(expect, r1 - r0, 1e-12);
        // per neuron ≥ merged; equal when no knots are shared
        Random rng = new Random(3);
        InputSample s = InputSample.of(Fixtures.gaussianData(rng, 20, 2));
        RadonWeightFunction g = RadonWeightFunction.of(s);
        // (here all folded coefficients share a sign, so the two agree up to rounding)
        assertEquals(NeuronStatistics.of(f, s).perNeuronNorm(), m.stabilityNorm(g), 1e-13);
        ShallowReluNetwork generic = Fixtures.randomNetwork(rng, 7, 2, true, true);
        assertEquals(NeuronStatistics.of(generic, s).perNeuronNorm(),
                MergedKnots.of(generic).stabilityNorm(g), 1e-13);
    }

    private static double knotPart(MergedKnots m, double[] x) {
        double s = 0;
        for (MergedKnots.Knot k : m.knots()) {
            double[] v = k.direction();
            s += k.coefficient() * Math.max(0, v[0] * x[0] + v[1] * x[1] - k.offset());
        }
        return s;
    }

    @Test
    void univariateNormIsTheRadonNormInOneDimension() {
        Random rng = new Random(9);
        for (int t = 0; t < 50; t++) {
            ShallowReluNetwork f = Fixtures.randomNetwork(rng, 8, 1, true, true);
            InputSample s = InputSample.of(Fixtures.gaussianData(rng, 10, 1));
            assertEquals(UnivariateKnots.of(f).stabilityNorm(WeightFunction.empirical(s)),
                    MergedKnots.of(f).stabilityNorm(RadonWeightFunction.of(s)), 1e-13);
            assertEquals(UnivariateKnots.of(f).perNeuronNorm(WeightFunction.empirical(s)),
                    NeuronStatistics.of(f, s).perNeuronNorm(), 1e-13);
        }
    }

    @Test
    void knotsOnDataAreDetected() {
        InputSample s = InputSample.ofScalars(-1, 0, 0.5, 2);
        ShallowReluNetwork off = ShallowReluNetwork.univariate(new double[] {1, -3}, new double[] {-0.25, 3.3},
                new double[] {1, 1}, 0.0);
        assertEquals(0, KnotsOnData.detect(off, s).count());
        // knots at 0.5 (two neurons) and 2 (one neuron, up to 1e-12)
        ShallowReluNetwork on = ShallowReluNetwork.univariate(new double[] {2, -1, 1, 1},
                new double[] {-1, 0.5, -2 + 1e-12, 7}, new double[] {1, 1, 1, 1}, 0.0);
        KnotsOnData.Result r = KnotsOnData.detect(on, s);
        assertEquals(2, r.count());
        assertEquals(3, r.incidences());
        assertEquals(2, r.maxPerPoint());
        assertEquals(1, KnotsOnData.detect(on, s, 0.0).count()); // exact only: the 1e-12 offset is missed
    }
}
