package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShallowReluGradientDescentTest {

    /**
     * All units dead (w = 0, b = −1): f ≡ c, L = ½c² on targets 0, and GD is c_t = (1 − η)^t c₀. With η = ½, c₀ = 1
     * the loss is ½·4^−t, exactly representable: the first t with ½·4^−t ≤ 10⁻⁸ is 13.
     */
    @Test
    void stopsAtTheClosedFormStepOnAConstantNetwork() {
        int k = 3;
        double[] theta0 = {0, 0, 0, -1, -1, -1, 0.7, -0.2, 0.4, 1.0};
        ShallowReluLoss loss = ShallowReluLoss.univariate(new double[] {-1, 2}, new double[] {0, 0}, k);
        GradientDescentRun run = ShallowReluGradientDescent.builder().setStepSize(0.5).build().run(loss, theta0);
        assertTrue(run.converged());
        assertFalse(run.diverged());
        assertEquals(13, run.steps());
        assertEquals(0.5 * Math.pow(4, -13), run.loss(), 0);
        assertEquals(Math.pow(0.5, 13), run.theta()[3 * k], 0);
        assertArrayEquals(new double[] {0.7, -0.2, 0.4}, java.util.Arrays.copyOfRange(run.theta(), 2 * k, 3 * k), 0);
        assertEquals(0, run.traceSteps()[0]);
        assertEquals(13, run.traceSteps()[run.traceSteps().length - 1]);
        assertEquals(-1, run.switchStep());
    }

    /** The first step of a warm-up of W steps is η/W; a step switch at a level above L₀ fires at step 0. */
    @Test
    void warmupAndStepSwitchScaleTheFirstStep() {
        ShallowReluLoss loss = ShallowReluLoss.univariate(new double[] {-1, 0.3, 2}, new double[] {1, -1, 0.5}, 4);
        double[] theta0 = ShallowReluInit.pytorchDefault(4, 1, 1.0, 9);
        double[] g = new double[theta0.length];
        loss.lossAndGradient(theta0, g);
        double eta = 0.2;
        GradientDescentRun warm = ShallowReluGradientDescent.builder().setStepSize(eta).optWarmupSteps(8)
                .optLossThreshold(0).optMaxSteps(1).build().run(loss, theta0);
        GradientDescentRun switched = ShallowReluGradientDescent.builder().setStepSize(eta).optStepSwitch(1e9, 3)
                .optLossThreshold(0).optMaxSteps(1).build().run(loss, theta0);
        assertEquals(1, warm.steps());
        for (int i = 0; i < theta0.length; i++) {
            assertEquals(theta0[i] - eta / 8 * g[i], warm.theta()[i], 1e-15);
            assertEquals(theta0[i] - 3 * eta * g[i], switched.theta()[i], 1e-15);
        }
        assertEquals(0, switched.switchStep());
        assertEquals(3 * eta, switched.finalStepSize(), 1e-15);
        assertEquals(eta, warm.finalStepSize(), 0);
        assertFalse(warm.converged());
    }

    /** A small problem interpolates: L ≤ threshold, and at the end point the gradient is tiny. */
    @Test
    void convergesToAnInterpolatingMinimum() {
        ShallowReluLoss loss = ShallowReluLoss.univariate(new double[] {-1, -0.2, 0.4, 1}, new double[] {0.5, -0.3, 0.2, 1}, 20);
        double[] theta0 = ShallowReluInit.pytorchDefault(20, 1, 1.0, 4);
        GradientDescentRun run = ShallowReluGradientDescent.builder().setStepSize(0.05).optWarmupSteps(100)
                .optLossThreshold(1e-12).optMaxSteps(2_000_000).build().run(loss, theta0);
        assertTrue(run.converged(), run.toString());
        assertFalse(run.convergedInWarmup());
        assertEquals(loss.loss(run.theta()), run.loss(), 0);
        assertTrue(run.loss() <= 1e-12);
        double[] g = new double[theta0.length];
        loss.lossAndGradient(run.theta(), g);
        double norm = 0;
        for (double v : g) {
            norm += v * v;
        }
        // ‖∇L‖² ≤ 2·λ_max(K)·L by Cauchy–Schwarz on ∇L = (1/n)Φr; λ_max(K) < 100 here
        assertTrue(norm <= 2 * 100 * run.loss(), "‖∇L‖² = " + norm);
    }

    @Test
    void reportsDivergence() {
        ShallowReluLoss loss = ShallowReluLoss.univariate(new double[] {-1, 0.3, 2}, new double[] {1, -1, 0.5}, 4);
        double[] theta0 = ShallowReluInit.pytorchDefault(4, 1, 1.0, 9);
        GradientDescentRun run = ShallowReluGradientDescent.builder().setStepSize(50).build().run(loss, theta0);
        assertTrue(run.diverged(), run.toString());
        assertFalse(run.converged());
    }

    @Test
    void initDrawsPytorchsDefaultBounds() {
        int k = 50;
        int d = 4;
        double[] t = ShallowReluInit.pytorchDefault(k, d, 10, 1);
        assertEquals(k * d + 2 * k + 1, t.length);
        double maxHidden = 0;
        double maxOut = 0;
        for (int i = 0; i < t.length; i++) {
            if (i < k * d + k) {
                maxHidden = Math.max(maxHidden, Math.abs(t[i]));
            } else {
                maxOut = Math.max(maxOut, Math.abs(t[i]));
            }
        }
        assertTrue(maxHidden <= 10 / Math.sqrt(d) && maxHidden > 0.9 * 10 / Math.sqrt(d), "hidden " + maxHidden);
        assertTrue(maxOut <= 10 / Math.sqrt(k) && maxOut > 0.8 * 10 / Math.sqrt(k), "output " + maxOut);
        assertArrayEquals(t, ShallowReluInit.pytorchDefault(k, d, 10, 1), 0);
        assertThrows(IllegalStateException.class, () -> ShallowReluGradientDescent.builder().build());
        assertThrows(IllegalArgumentException.class, () -> ShallowReluGradientDescent.builder().setStepSize(-1));
    }
}
