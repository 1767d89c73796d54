package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Wen et al.'s (2023) Hessian trace and its flattest constructions (docs/theory.md §4).
 *
 * <p>Tolerances: closed form vs dense Φ are the same sums in another order (1e-12 relative); the printed
 * constants 22.2711 and 21.909 have 6 and 5 digits (5e-5, 5e-4); the finite-difference Hessian diagonal uses
 * central differences of the analytic gradient with h = 1e-5, exact for the quadratic-in-θ pieces up to
 * rounding ~1e-16/1e-5, summed over ~130 coordinates: 1e-6 relative.
 */
class HessianTraceTest {

    private static final int D = 30;
    private static final int N = 100;

    private static double[][] cube() {
        return TraceConstructions.xorInputs(N, D, 2023);
    }

    @Test
    void generalizingConstructionHasFlattestTrace() {
        double[][] x = cube();
        double[] y = TraceConstructions.xorLabels(x);
        ShallowReluNetwork net = TraceConstructions.generalizingXor(D);
        InputSample s = InputSample.of(x);
        assertEquals(0.0, Fixtures.maxResidual(net, x, y), 1e-12);
        double closed = HessianTrace.closedForm(net, s, LossConvention.MSE);
        assertEquals(22.2711, closed, 5e-5);
        assertEquals(TraceConstructions.biasFlattestTrace(D), closed, 1e-12);
        assertEquals(closed, HessianTrace.fromTangentFeatures(net, s, LossConvention.MSE), 1e-12 * closed);
        assertEquals(HessianTrace.interpolationLowerBound(s, y, true, LossConvention.MSE), closed, 1e-12 * closed);
        // and it generalises: f = x₁x₂ on fresh cube points
        double[][] test = TraceConstructions.xorInputs(500, D, 7);
        assertEquals(0.0, Fixtures.maxResidual(net, test, TraceConstructions.xorLabels(test)), 1e-12);
        // ½-MSE halves it
        assertEquals(closed / 2, HessianTrace.closedForm(net, s, LossConvention.HALF_MSE), 1e-12);
    }

    /**
     * Erratum (docs/theory.md §6): Wen et al. (2023), eq. (5) prints r = (d² + 1)^{1/4}, whose trace is 62.10, not
     * 22.27.
     */
    @Test
    void printedRadiusIsNotFlattest() {
        double[][] x = cube();
        InputSample s = InputSample.of(x);
        ShallowReluNetwork printed = TraceConstructions.generalizingXor(D, TraceConstructions.printedRadius(D));
        assertEquals(0.0, Fixtures.maxResidual(printed, x, TraceConstructions.xorLabels(x)), 1e-12);
        double tr = HessianTrace.closedForm(printed, s, LossConvention.MSE);
        assertEquals(62.10, tr, 5e-3);
        assertTrue(tr > HessianTrace.closedForm(TraceConstructions.generalizingXor(D), s, LossConvention.MSE) + 39);
        // 2((d + 1)/r² + r²) is minimised at r⁴ = d + 1
        for (double r : new double[] {0.8, 1.5, 2.0, 3.0}) {
            double t = HessianTrace.closedForm(TraceConstructions.generalizingXor(D, r), s, LossConvention.MSE);
            assertEquals(2 * ((D + 1) / (r * r) + r * r), t, 1e-12 * t);
            assertTrue(t >= TraceConstructions.biasFlattestTrace(D) - 1e-12);
        }
    }

    @Test
    void memorizingConstructionHasTheSameTraceButDoesNotGeneralise() {
        double[][] x = cube();
        double[] y = TraceConstructions.xorLabels(x);
        double eps = 1.0 / Math.sqrt(D); // below the cube margin 2/√d
        ShallowReluNetwork net = TraceConstructions.memorizing(x, y, eps);
        InputSample s = InputSample.of(x);
        assertEquals(N, net.width());
        assertEquals(0.0, Fixtures.maxResidual(net, x, y), 1e-12);
        double closed = HessianTrace.closedForm(net, s, LossConvention.MSE);
        assertEquals(22.2711, closed, 5e-5);
        assertEquals(closed, HessianTrace.fromTangentFeatures(net, s, LossConvention.MSE), 1e-12 * closed);
        // f = 0 off the training set: test error ≈ 1
        double[][] test = TraceConstructions.xorInputs(200, D, 99);
        int zeros = 0;
        for (double[] p : test) {
            if (net.evaluate(p) == 0.0) {
                zeros++;
            }
        }
        assertTrue(zeros >= 199, zeros + " of 200 fresh points map to 0");
        ShallowReluNetworkTest.assertMessage(() -> TraceConstructions.memorizing(x, y, 2 * Math.sqrt(D) + 1),
                "separation margin");
    }

    @Test
    void noBiasLowerBound() {
        double[][] x = cube();
        InputSample s = InputSample.of(x);
        assertEquals(21.909, TraceConstructions.noBiasLowerBound(D), 5e-4);
        assertEquals(TraceConstructions.noBiasLowerBound(D),
                HessianTrace.interpolationLowerBound(s, TraceConstructions.xorLabels(x), false, LossConvention.MSE),
                1e-12);
    }

    /**
     * The closed form is the full Hessian trace at any θ (not only at interpolation): central differences
     * of the analytic loss gradient of L = (1/n)Σ(f − y)² with non-zero residuals.
     */
    @Test
    void closedFormIsTheFullHessianTraceAwayFromInterpolation() {
        Random rng = new Random(5);
        double[][] x = Fixtures.gaussianData(rng, 12, 4);
        double[] y = new double[x.length];
        for (int j = 0; j < y.length; j++) {
            y[j] = rng.nextGaussian();
        }
        for (boolean ob : new boolean[] {true, false}) {
            ShallowReluNetwork net = Fixtures.randomNetwork(rng, 6, 4, true, ob);
            double[] theta = net.parameters();
            double h = 1e-5;
            double trace = 0;
            for (int p = 0; p < theta.length; p++) {
                double[] tp = theta.clone();
                double[] tm = theta.clone();
                tp[p] += h;
                tm[p] -= h;
                trace += (lossGradient(net.withParameters(tp), x, y)[p] - lossGradient(net.withParameters(tm), x, y)[p])
                        / (2 * h);
            }
            double closed = HessianTrace.closedForm(net, InputSample.of(x), LossConvention.MSE);
            assertTrue(Fixtures.maxResidual(net, x, y) > 0.1);
            assertEquals(closed, trace, 1e-6 * closed);
        }
    }

    /** ∇_θ (1/n)Σ(f − y)² = (2/n)Σ (f − y) ∇_θ f. */
    private static double[] lossGradient(ShallowReluNetwork net, double[][] x, double[] y) {
        double[] g = new double[net.parameterCount()];
        for (int j = 0; j < x.length; j++) {
            double r = net.evaluate(x[j]) - y[j];
            double[] gf = net.parameterGradient(x[j]);
            for (int p = 0; p < g.length; p++) {
                g[p] += 2 * r * gf[p] / x.length;
            }
        }
        return g;
    }

    @Test
    void simLayerNormConstructionsHaveTraceTwo() {
        double[][] x = cube();
        double[] y = TraceConstructions.xorLabels(x);
        InputSample s = InputSample.of(x);
        double eps = 0.5;
        SimLayerNormNetwork gen = SimLayerNormNetwork.generalizingXor(D, eps);
        SimLayerNormNetwork mem = SimLayerNormNetwork.memorizingXor(x, y, eps, 0.5);
        for (SimLayerNormNetwork net : new SimLayerNormNetwork[] {gen, mem}) {
            for (int j = 0; j < x.length; j++) {
                assertEquals(y[j], net.evaluate(x[j]), 1e-12);
            }
            assertEquals(2.0, net.trace(s, LossConvention.MSE), 1e-12);
        }
        assertEquals(2.0, SimLayerNormNetwork.traceLowerBound(s, y, eps, LossConvention.MSE), 1e-12);
        double[][] test = TraceConstructions.xorInputs(100, D, 31);
        for (double[] p : test) {
            assertEquals(p[0] * p[1], gen.evaluate(p), 1e-12);
        }
        // gradient of the Sim-LN model by central differences, on both branches of max(‖a‖, ε)
        Random rng = new Random(8);
        double[][] w1 = new double[5][3];
        double[] b1 = new double[5];
        double[] w2 = new double[5];
        for (int i = 0; i < 5; i++) {
            for (int l = 0; l < 3; l++) {
                w1[i][l] = rng.nextGaussian();
            }
            b1[i] = rng.nextGaussian();
            w2[i] = rng.nextGaussian();
        }
        for (double floor : new double[] {1e-3, 50}) {
            SimLayerNormNetwork net = SimLayerNormNetwork.of(w1, b1, w2, floor);
            double[] xp = {0.3, -0.8, 1.1};
            double[] g = net.parameterGradient(xp);
            double hh = 1e-6;
            for (int p = 0; p < g.length; p++) {
                double fd = (perturbed(w1, b1, w2, floor, p, hh).evaluate(xp)
                        - perturbed(w1, b1, w2, floor, p, -hh).evaluate(xp)) / (2 * hh);
                assertEquals(fd, g[p], 1e-6 * (1 + Math.abs(fd)), "θ_" + p + " ε=" + floor);
            }
        }
    }

    private static SimLayerNormNetwork perturbed(double[][] w1, double[] b1, double[] w2, double eps, int p, double h) {
        double[][] a = new double[w1.length][];
        for (int i = 0; i < w1.length; i++) {
            a[i] = w1[i].clone();
        }
        double[] b = b1.clone();
        double[] c = w2.clone();
        int k = w1.length;
        int d = w1[0].length;
        if (p < k * d) {
            a[p / d][p % d] += h;
        } else if (p < k * d + k) {
            b[p - k * d] += h;
        } else {
            c[p - k * d - k] += h;
        }
        return SimLayerNormNetwork.of(a, b, c, eps);
    }
}
