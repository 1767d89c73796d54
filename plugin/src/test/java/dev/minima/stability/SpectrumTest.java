package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Lanczos path used for n &gt; 200 against the dense decomposition, and the flattest rescaling on it.
 *
 * <p>Tolerances: the top pair is converged to residual 1e-13·μ_max, so its eigenvalue matches dense to
 * ~1e-12 relative; the next ones to residual ~3e-7·μ_max, so eigenvalues (error ≲ residual²/gap or
 * ≤ residual) are compared at 1e-6 relative.
 */
class SpectrumTest {

    @Test
    void lanczosMatchesDense() {
        Random rng = new Random(6);
        int n = 260;
        ShallowReluNetwork net = Fixtures.randomNetwork(rng, 60, 8, true, true);
        HiddenResponse r = new HiddenResponse(net, InputSample.of(Fixtures.gaussianData(rng, n, 8)));
        double[][] k = r.gram(null, null);
        Spectrum dense = Spectrum.dense(k);
        Spectrum top = Spectrum.top(k, 6, null, 1e-13);
        assertTrue(!top.complete && top.size() == 6);
        assertEquals(dense.max(), top.max(), 1e-12 * dense.max());
        for (int m = 1; m < 6; m++) {
            assertEquals(dense.values[m], top.values[m], 1e-6 * dense.max());
        }
        double dot = 0;
        for (int j = 0; j < n; j++) {
            dot += dense.vectors[0][j] * top.vectors[0][j];
        }
        assertEquals(1.0, Math.abs(dot), 1e-9);
    }

    @Test
    void flattestRescalingOnTheLanczosPath() {
        Random rng = new Random(2);
        int n = 230;
        double[][] x = Fixtures.gaussianData(rng, n, 10);
        double[] y = new double[n];
        for (int j = 0; j < n; j++) {
            y[j] = Math.tanh(x[j][0] + x[j][1]);
        }
        ShallowReluNetwork net = Fixtures.interpolate(Fixtures.randomNetwork(rng, 240, 10, true, true), x, y);
        assertTrue(Fixtures.maxResidual(net, x, y) < 1e-6);
        InputSample s = InputSample.of(x);
        FlattestRescaling.Result res = FlattestRescaling.minimize(net, s, LossConvention.HALF_MSE);
        assertTrue(res.converged(), "gap " + res.relativeGap());
        assertEquals(res.lambda(), res.certificate(), 1e-8 * res.lambda());
        assertEquals(res.lambda(), GramSharpness.of(net.rescale(res.beta()), s, LossConvention.HALF_MSE).lambdaMax(),
                1e-10 * res.lambda());
    }
}
