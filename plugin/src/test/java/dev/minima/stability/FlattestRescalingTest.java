package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The flattest rescaling of Mulayoff et al. (2021), supplement Sec. XI and its certificate (S88).
 *
 * <p>Tolerances: the minimiser stops at a relative duality gap of 1e-10; F itself is an eigenvalue of an
 * n×n matrix computed to ~1e-14 relative, so 1e-8 relative comfortably separates "certified" from
 * "not certified" (uncertified gaps are typically 1e-2 or larger).
 */
class FlattestRescalingTest {

    private static ShallowReluNetwork interpolant(Random rng, double[][] x, double[] y, int d) {
        ShallowReluNetwork first = d == 1
                ? Fixtures.univariateFirstLayer(rng, InputSample.of(x).scalars(), 20)
                : Fixtures.randomNetwork(rng, 30, d, true, true);
        return Fixtures.interpolate(first, x, y);
    }

    /** At an interpolating solution (k ≥ n, least-squares output layer) the minimised F equals (S88). */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
    void certificateEqualsMinimumAtInterpolatingSolution(int seed) {
        Random rng = new Random(seed);
        int d = seed % 2 == 0 ? 1 : 3;
        int n = 10;
        double[][] x = Fixtures.gaussianData(rng, n, d);
        double[] y = new double[n];
        for (int j = 0; j < n; j++) {
            y[j] = rng.nextGaussian();
        }
        ShallowReluNetwork net = interpolant(rng, x, y, d);
        // interpolation to ~1e-10 (least squares through an n×n eigen-decomposition)
        assertTrue(Fixtures.maxResidual(net, x, y) < 1e-8);
        InputSample s = InputSample.of(x);
        FlattestRescaling.Result r = FlattestRescaling.minimize(net, s, LossConvention.HALF_MSE);
        assertTrue(r.converged(), "gap " + r.relativeGap());
        assertEquals(r.lambda(), r.certificate(), 1e-8 * r.lambda());
        // the rescaled network really has that sharpness and implements the same function
        ShallowReluNetwork flat = net.rescale(r.beta());
        assertEquals(r.lambda(), GramSharpness.of(flat, s, LossConvention.HALF_MSE).lambdaMax(), 1e-10 * r.lambda());
        for (double[] p : Fixtures.gaussianData(rng, 20, d)) {
            assertEquals(net.evaluate(p), flat.evaluate(p), 1e-10 * (1 + Math.abs(net.evaluate(p))));
        }
        // ordering of Mulayoff et al. (2021), supplement Sec. XI: 1 + 2S ≤ λ_flattest ≤ λ(θ) and the sandwich upper
        // bound
        double lam = GramSharpness.of(net, s, LossConvention.HALF_MSE).lambdaMax();
        NeuronStatistics stats = NeuronStatistics.of(net, s);
        assertTrue(r.lambda() <= lam * (1 + 1e-10));
        assertTrue(r.lambda() <= (1 + 2 * stats.gHatSum()) * (1 + 1e-10));
        assertTrue(1 + 2 * stats.activeSideSum() <= r.lambda() * (1 + 1e-10));
        // the closed-form minimiser β* of Mulayoff et al. (2021), supplement (S87) for the top eigenvector u attains
        // (S88): uᵀK(β*)u = S88. (β* itself is ill-conditioned for neurons that barely affect λ, so the value is what
        // is compared.)
        double[] u = GramSharpness.of(flat, s, LossConvention.HALF_MSE).topSampleVector();
        double[] betaStar = FlattestRescaling.closedFormMinimiser(net, s, u);
        double[][] k = GramSharpness.of(net.rescale(betaStar), s, LossConvention.HALF_MSE).gram();
        double quad = 0;
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < n; l++) {
                quad += u[j] * k[j][l] * u[l];
            }
        }
        assertEquals(FlattestRescaling.certificate(net, s, u, LossConvention.HALF_MSE), quad, 1e-10 * quad);
    }

    /** The certificate does not depend on the rescaling, and MSE doubles every value. */
    @Test
    void certificateIsRescalingInvariantAndScalesWithLoss() {
        Random rng = new Random(11);
        double[][] x = Fixtures.gaussianData(rng, 8, 2);
        ShallowReluNetwork net = Fixtures.randomNetwork(rng, 6, 2, true, true);
        InputSample s = InputSample.of(x);
        double[] u = GramSharpness.of(net, s, LossConvention.HALF_MSE).topSampleVector();
        double[] beta = {0.3, 2.0, 1.0, 5.0, 0.7, 1.3};
        double a = FlattestRescaling.certificate(net, s, u, LossConvention.HALF_MSE);
        double b = FlattestRescaling.certificate(net.rescale(beta), s, u, LossConvention.HALF_MSE);
        assertEquals(a, b, 1e-12 * a);
        assertEquals(2 * a, FlattestRescaling.certificate(net, s, u, LossConvention.MSE), 1e-12 * a);
        FlattestRescaling.Result half = FlattestRescaling.minimize(net, s, LossConvention.HALF_MSE);
        FlattestRescaling.Result mse = FlattestRescaling.minimize(net, s, LossConvention.MSE);
        assertEquals(2 * half.lambda(), mse.lambda(), 1e-8 * mse.lambda());
    }

    /** The minimum over rescalings is the same from any starting rescaling (convexity in log β). */
    @Test
    void minimumDoesNotDependOnStartingImplementation() {
        Random rng = new Random(5);
        double[][] x = Fixtures.gaussianData(rng, 12, 4);
        ShallowReluNetwork net = Fixtures.randomNetwork(rng, 15, 4, true, true);
        InputSample s = InputSample.of(x);
        double[] beta = new double[15];
        for (int i = 0; i < beta.length; i++) {
            beta[i] = Math.exp(2 * rng.nextGaussian());
        }
        double a = FlattestRescaling.minimize(net, s, LossConvention.HALF_MSE).lambda();
        double b = FlattestRescaling.minimize(net.rescale(beta), s, LossConvention.HALF_MSE).lambda();
        assertEquals(a, b, 1e-8 * a);
    }

    @Test
    void deadAndSilentNeuronsAreLeftOut() {
        // neuron 1 is never active on x ∈ [0, 1]; neuron 2 has v = 0
        ShallowReluNetwork net = ShallowReluNetwork.univariate(
                new double[] {1, 1, -1}, new double[] {0.5, -5, 0.8}, new double[] {1, 3, 0}, 0.0);
        InputSample s = InputSample.ofScalars(0, 0.25, 0.5, 0.75, 1.0);
        FlattestRescaling.Result r = FlattestRescaling.minimize(net, s, LossConvention.HALF_MSE);
        double[] beta = r.beta();
        assertEquals(1.0, beta[1]);
        assertEquals(0.0, beta[2]);
        // only neuron 0 and the output bias remain: min over β of the 2-term problem is certified
        assertEquals(r.lambda(), r.certificate(), 1e-8 * r.lambda());
    }

    @Test
    void builderOptions() {
        Random rng = new Random(12);
        ShallowReluNetwork net = Fixtures.randomNetwork(rng, 10, 2, true, true);
        InputSample s = InputSample.of(Fixtures.gaussianData(rng, 15, 2));
        FlattestRescaling.Result one = FlattestRescaling.builder().optMaxIterations(1).build()
                .run(net, s, LossConvention.HALF_MSE);
        FlattestRescaling.Result loose = FlattestRescaling.builder().optTolerance(1e-3).build()
                .run(net, s, LossConvention.HALF_MSE);
        FlattestRescaling.Result tight = FlattestRescaling.minimize(net, s, LossConvention.HALF_MSE);
        assertTrue(one.iterations() <= 1);
        assertTrue(loose.relativeGap() <= 1e-3 && loose.iterations() <= tight.iterations());
        // every answer is an upper bound on the certified minimum
        assertTrue(one.lambda() >= tight.certificate() * (1 - 1e-12));
        assertThrows(IllegalArgumentException.class, () -> FlattestRescaling.builder().optTolerance(0));
        assertThrows(IllegalArgumentException.class, () -> FlattestRescaling.builder().optMaxIterations(0));
    }

    @Test
    void rejectsWrongSampleVector() {
        ShallowReluNetwork net = ShallowReluNetwork.univariate(new double[] {1}, new double[] {0}, new double[] {1}, 0.0);
        InputSample s = InputSample.ofScalars(-1, 1);
        assertThrows(IllegalArgumentException.class,
                () -> FlattestRescaling.certificate(net, s, new double[3], LossConvention.HALF_MSE));
        assertArrayEquals(new double[] {1.0}, FlattestRescaling.closedFormMinimiser(net,
                InputSample.ofScalars(-2, -1), new double[] {0.6, 0.8}));
    }
}
