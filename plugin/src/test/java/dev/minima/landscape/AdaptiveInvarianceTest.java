package dev.minima.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.SingleTorchThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The adaptive measures are invariant to the rescaling w₁ → αw₁, b₁ → αb₁, w₂ → w₂/α of a ReLU network (which leaves
 * the function, hence the loss, unchanged); the plain ones are not. And the gradients are exact under GC pressure.
 */
@ExtendWith(SingleTorchThread.class)
class AdaptiveInvarianceTest {

    private static final double ALPHA = 3;

    @Test
    void adaptiveMeasuresAreInvariantUnderLayerRescaling() {
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.classifier(m, 5, 30, 4, 6, 3)) {
            ParameterSpace space = obj.space();
            double loss = obj.value();
            double[][] before = measures(obj);
            rescale(space, m);
            assertEquals(loss, obj.value(), 1e-12, "the rescaling leaves the loss unchanged");
            double[][] after = measures(obj);
            for (int k = 0; k < 3; k++) {
                assertEquals(before[0][k], after[0][k], 1e-8 * Math.abs(before[0][k]), "adaptive measure " + k);
                assertTrue(before[0][k] > 1e-4, "adaptive measure " + k + " must be non-trivial: " + before[0][k]);
            }
            for (int k = 0; k < 2; k++) {
                double rel = Math.abs(after[1][k] - before[1][k]) / before[1][k];
                assertTrue(rel > 0.05, "plain measure " + k + " should change: " + before[1][k] + " vs " + after[1][k]);
            }
        }
    }

    /**
     * With {@code System.gc()} between every forward and backward pass, the worst-case ℓ2 ascent still reaches
     * ½ρ²λ_max on a quadratic (a freed Java-backed scalar in the graph would corrupt the gradient).
     */
    @Test
    void gradientsAreExactUnderGcPressure() {
        double[][] x = LandscapeFixtures.gaussian(11, 8, 5);
        double lmax = SymmetricEigen.of(LandscapeFixtures.hessian(x)).max();
        Evaluator.betweenForwardAndBackward = System::gc;
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.quadratic(m, x, new double[5], new double[5])) {
            SharpnessEstimate s = WorstCaseSharpness.builder().optRho(0.2).optSteps(150).optStepFraction(1).build()
                    .run(obj);
            assertEquals(0.5 * 0.04 * lmax, s.value(), 1e-6 * lmax, s.toString());
        } finally {
            Evaluator.betweenForwardAndBackward = () -> {};
        }
    }

    /** {adaptive worst ℓ2, adaptive worst ℓ∞, adaptive average}, {worst ℓ2, average}. */
    private static double[][] measures(Objective obj) {
        double aw2 = WorstCaseSharpness.builder().optRho(0.2).optAdaptive(true).optSteps(10).optSeed(1).build()
                .run(obj).value();
        double awi = WorstCaseSharpness.builder().optRho(0.05).optAdaptive(true).optNorm(PerturbationNorm.LINF)
                .optSteps(10).optSeed(1).build().run(obj).value();
        double aav = AverageCaseSharpness.builder().optSigma(0.2).optAdaptive(true).optSamples(20).optSeed(1).build()
                .run(obj).value();
        double w2 = WorstCaseSharpness.builder().optRho(0.2).optSteps(10).optSeed(1).build().run(obj).value();
        double av = AverageCaseSharpness.builder().optSigma(0.1).optSamples(20).optSeed(1).build().run(obj).value();
        return new double[][] {{aw2, awi, aav}, {w2, av}};
    }

    /** w₁, b₁ (the first two parameters) times α, w₂ divided by α. */
    private static void rescale(ParameterSpace space, NDManager m) {
        double[] v = Vectors.toDoubles(space.values(m));
        for (int i = 0; i < v.length; i++) {
            if (i < space.offset(2)) {
                v[i] *= ALPHA;
            } else if (i < space.offset(3)) {
                v[i] /= ALPHA;
            }
        }
        space.assign(Vectors.of(m, v, space.dataType()));
    }
}
