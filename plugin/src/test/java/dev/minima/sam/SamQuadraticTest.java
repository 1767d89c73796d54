package dev.minima.sam;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import dev.minima.TestModels;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.loss.Losses;
import org.junit.jupiter.api.Test;

/**
 * On a quadratic with known Hessian the SAM and USAM trajectories have closed forms. A linear model f(x) = wᵀx
 * with MSE has L(w) = (1/n)‖Xw − y‖² = (w − w*)ᵀ(A/2)(w − w*) + c with A = (2/n)XᵀX = ∇²L and w* the least
 * squares solution, so ∇L(w) = A(w − w*) and
 *
 * <ul>
 *   <li>SAM: w_{t+1} = w_t − η A(w_t + ρ A(w_t − w*)/‖A(w_t − w*)‖ − w*);
 *   <li>USAM: w_{t+1} = w_t − η(A + ρA²)(w_t − w*), which contracts to w* when η(λ + ρλ²) &lt; 2 for every
 *       eigenvalue λ of A.
 * </ul>
 */
class SamQuadraticTest {

    private static final int D = 3;
    private static final int N = 8;
    private static final float LR = 0.05f;

    /** 10 SAM steps in DJL follow the closed form to 1e-12 relative (float64 rounding of the recursions). */
    @Test
    void samTrajectoryMatchesClosedForm() {
        runTrajectory(SharpnessAware.Variant.SAM, 0.2, 10, 1e-12);
    }

    /** 10 USAM steps follow the closed form; 400 more converge to the fixed point w* (to 1e-9). */
    @Test
    void usamTrajectoryMatchesClosedFormAndReachesTheMinimum() {
        runTrajectory(SharpnessAware.Variant.USAM, 0.2, 10, 1e-12);
    }

    private static void runTrajectory(SharpnessAware.Variant variant, double rho, int steps, double tol) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("quad")) {
            SequentialBlock block = new SequentialBlock().add(Linear.builder().setUnits(1).optBias(false).build());
            Engine.getInstance().setRandomSeed(3);
            block.initialize(m, DataType.FLOAT64, new Shape(1, D));
            NDArray xa = TestModels.normal(m, 11, N, D, DataType.FLOAT64);
            NDArray ya = TestModels.normal(m, 12, N, 1, DataType.FLOAT64);
            double[][] x = SamStepTest.rows(xa);
            double[] y = ya.toDoubleArray();
            double[][] a = new double[D][D];
            double[] xty = new double[D];
            for (double[] row : x) {
                for (int i = 0; i < D; i++) {
                    for (int j = 0; j < D; j++) {
                        a[i][j] += 2.0 * row[i] * row[j] / N;
                    }
                }
            }
            for (int k = 0; k < N; k++) {
                for (int i = 0; i < D; i++) {
                    xty[i] += 2.0 * x[k][i] * y[k] / N;
                }
            }
            SymmetricEigen eig = SymmetricEigen.of(a);
            double[] wStar = solve(eig, xty); // A w* = (2/n) Xᵀy
            double lambdaMax = eig.max();
            if (variant == SharpnessAware.Variant.USAM) {
                assertTrue(LR * (lambdaMax + rho * lambdaMax * lambdaMax) < 2, "the test needs a stable USAM step");
            }
            double[] w = SamFixtures.values(block);
            SamStep sam = SamStep.of(SharpnessAware.builder().optVariant(variant).optRho(rho).build());
            try (Trainer trainer = SamFixtures.trainer(model, block, Losses.mse(), SamFixtures.sgd(LR));
                    Batch batch = SamFixtures.batch(m, xa, ya)) {
                for (int t = 0; t < steps; t++) {
                    w = closedFormStep(variant, a, wStar, w, rho, LR);
                    sam.step(trainer, batch);
                    double err = SamFixtures.maxRelativeError(w, SamFixtures.values(block));
                    assertTrue(err < tol, variant + " step " + t + ": relative error " + err);
                }
                if (variant == SharpnessAware.Variant.USAM) {
                    for (int t = 0; t < 400; t++) {
                        sam.step(trainer, batch);
                    }
                    double err = SamFixtures.maxRelativeError(wStar, SamFixtures.values(block));
                    assertTrue(err < 1e-9, "USAM should converge to w*, relative error " + err);
                }
            }
        }
    }

    static double[] closedFormStep(SharpnessAware.Variant variant, double[][] a, double[] wStar, double[] w,
            double rho, float lr) {
        double[] r = SamFixtures.add(w, wStar, -1); // w − w*
        double[] ar = mul(a, r);
        double[] g;
        if (variant == SharpnessAware.Variant.SAM) {
            double[] shifted = SamFixtures.add(r, ar, rho / SamFixtures.norm(ar)); // w + ε − w*
            g = mul(a, shifted);
        } else {
            g = SamFixtures.add(ar, mul(a, ar), rho); // (A + ρA²)(w − w*)
        }
        return SamFixtures.add(w, g, -(double) lr);
    }

    private static double[] mul(double[][] a, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v.length; j++) {
                out[i] += a[i][j] * v[j];
            }
        }
        return out;
    }

    private static double[] solve(SymmetricEigen eig, double[] b) {
        double[] x = new double[b.length];
        for (int k = 0; k < b.length; k++) {
            double[] v = eig.vector(k);
            double c = 0;
            for (int i = 0; i < b.length; i++) {
                c += v[i] * b[i];
            }
            c /= eig.values()[k];
            for (int i = 0; i < b.length; i++) {
                x[i] += c * v[i];
            }
        }
        return x;
    }
}
