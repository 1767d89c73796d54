package dev.minima.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.minima.curvature.Objective;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.SingleTorchThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sharpness measures on quadratics L = ½(θ − c)ᵀA(θ − c), where each has a closed form (float64, so the
 * tolerances are set by the ascent's convergence and the Monte Carlo error, not by rounding).
 */
@ExtendWith(SingleTorchThread.class)
class SharpnessClosedFormTest {

    /** Worst-case ℓ2 at the minimum: max_{‖δ‖≤ρ} ½δᵀAδ = ½ρ²λ_max(A), reached at ρ·v₁. */
    @Test
    void worstCaseL2IsHalfRhoSquaredLambdaMax() {
        double[][] x = LandscapeFixtures.gaussian(1, 12, 6);
        double[][] a = LandscapeFixtures.hessian(x);
        double lmax = SymmetricEigen.of(a).max();
        double rho = 0.3;
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.quadratic(m, x, new double[6], new double[6])) {
            SharpnessEstimate s = WorstCaseSharpness.builder().optRho(rho).optSteps(200).optStepFraction(1)
                    .optSeed(3).build().run(obj);
            assertEquals(0.5 * rho * rho * lmax, s.value(), 1e-6 * lmax, s.toString());
            assertEquals(rho, s.perturbationL2(), 1e-9, "the maximiser lies on the sphere");
            assertEquals(0, s.baseLoss(), 1e-15);
        }
    }

    /** Worst-case ℓ∞ at the minimum of a diagonal PSD A: the corners give ½ρ² Σ a_i. */
    @Test
    void worstCaseLinfOnDiagonalIsHalfRhoSquaredTrace() {
        double[] diag = {3, 1, 0.5, 0.25, 0};
        double rho = 0.2;
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.quadratic(m, LandscapeFixtures.diagonal(diag), new double[5],
                        new double[5])) {
            SharpnessEstimate s = WorstCaseSharpness.builder().optRho(rho).optNorm(PerturbationNorm.LINF)
                    .optSteps(5).optSeed(4).build().run(obj);
            assertEquals(0.5 * rho * rho * 4.75, s.value(), 1e-12, s.toString());
            assertEquals(rho, s.perturbationLinf(), 1e-12);
        }
    }

    /**
     * Adaptive worst case at a minimum c ≠ 0: δ = |c| ⊙ γ, ‖γ‖ ≤ ρ, so the value is ½ρ²λ_max(TAT) with T = diag|c|
     * (ℓ2), and ½ρ² Σ a_i c_i² on a diagonal A (ℓ∞).
     */
    @Test
    void adaptiveWorstCaseMatchesTheScaledQuadratic() {
        double[][] x = LandscapeFixtures.gaussian(2, 10, 4);
        double[][] a = LandscapeFixtures.hessian(x);
        double[] c = {2, -0.5, 1, 0.1};
        double[][] tat = new double[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                tat[i][j] = Math.abs(c[i]) * a[i][j] * Math.abs(c[j]);
            }
        }
        double expected = 0.5 * 0.01 * SymmetricEigen.of(tat).max();
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.quadratic(m, x, c, c)) {
            SharpnessEstimate s = WorstCaseSharpness.builder().optRho(0.1).optAdaptive(true).optSteps(300)
                    .optStepFraction(1).optSeed(5).build().run(obj);
            assertEquals(expected, s.value(), 1e-6 * expected, s.toString());
        }
        double[] diag = {2, 1, 0.5};
        double[] cd = {1, -3, 0.5};
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.quadratic(m, LandscapeFixtures.diagonal(diag), cd, cd)) {
            SharpnessEstimate s = WorstCaseSharpness.builder().optRho(0.1).optNorm(PerturbationNorm.LINF)
                    .optAdaptive(true).optSteps(5).build().run(obj);
            double sum = 2 * 1 + 1 * 9 + 0.5 * 0.25;
            assertEquals(0.5 * 0.01 * sum, s.value(), 1e-12, s.toString());
            assertEquals(0.1 * 3, s.perturbationLinf(), 1e-12, "the box is scaled by |c|");
        }
    }

    /**
     * Average case: E ½δᵀAδ = ½σ² tr(A) for δ ~ N(0, σ²I), and ½σ² Σ A_ii θ_i² in the adaptive form. Away from the
     * minimum too (the antithetic pairs cancel the linear term exactly on a quadratic). The sample spread of ½δᵀAδ
     * has variance ½σ⁴ tr(A²), so the reported standard error must be near σ²√(tr(A²)/2)/√N.
     */
    @Test
    void averageCaseIsHalfSigmaSquaredTrace() {
        double[][] x = LandscapeFixtures.gaussian(3, 15, 5);
        double[][] a = LandscapeFixtures.hessian(x);
        double tr = 0;
        double tr2 = 0;
        for (int i = 0; i < 5; i++) {
            tr += a[i][i];
            for (int j = 0; j < 5; j++) {
                tr2 += a[i][j] * a[j][i];
            }
        }
        double sigma = 0.05;
        int n = 400;
        double[] c = {1, 2, -1, 0.5, -2};
        double[] away = {0.3, 2.5, -1, 0, -2};
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.quadratic(m, x, c, away)) {
            SharpnessEstimate s = AverageCaseSharpness.builder().optSigma(sigma).optSamples(n).optSeed(6).build()
                    .run(obj);
            double expected = 0.5 * sigma * sigma * tr;
            double se = sigma * sigma * Math.sqrt(tr2 / 2) / Math.sqrt(n);
            assertEquals(expected, s.value(), 4 * se, s.toString());
            assertEquals(se, s.standardError(), 0.25 * se, "standard error");
            double weighted = 0;
            for (int i = 0; i < 5; i++) {
                weighted += a[i][i] * away[i] * away[i];
            }
            SharpnessEstimate ad = AverageCaseSharpness.builder().optSigma(sigma).optSamples(n).optAdaptive(true)
                    .optSeed(7).build().run(obj);
            double exp2 = 0.5 * sigma * sigma * weighted;
            assertEquals(exp2, ad.value(), 4 * ad.standardError(), ad.toString());
            assertTrue(ad.standardError() < 0.2 * exp2, "the estimate must be informative: " + ad);
        }
    }
}
