package dev.minima.linear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearRegressionTargetTest {

    @Test
    void recoversTAndTheMinimumLoss() {
        SplittableRandom random = new SplittableRandom(4);
        double[][] x = RandomMatrices.gaussian(30, 3, random).get2DData();
        double[][] t = RandomMatrices.gaussian(2, 3, random).get2DData();
        double[][] noise = LinearTestData.orthogonalNoise(x, 2, 0.5, random);
        double[][] y = LinearTestData.targets(x, t, noise);
        LinearRegressionTarget target = LinearRegressionTarget.of(x, y);
        assertTrue(DeepLinearMinimaTest.distance(target.t(), t) < 1e-12, "noise orthogonal to X leaves T unchanged");
        // ℓ* = Ê‖y − Tx‖² = Ê‖e‖²
        double expected = 0;
        for (double[] e : noise) {
            expected += Dense.dot(e, e) / x.length;
        }
        assertEquals(expected, target.minimumLoss(), 1e-12);
        assertEquals(30, target.size());
        assertEquals(3, target.inputDim());
        assertEquals(2, target.outputDim());
        assertEquals(LinearTestData.multiply(LinearTestData.transpose(x), x)[1][2] / 30, target.sigmaX()[1][2], 1e-14);
    }

    @Test
    void whiteningGivesIdentityMomentsAndTheSameFunction() {
        SplittableRandom random = new SplittableRandom(5);
        double[][] x = LinearTestData.multiply(RandomMatrices.gaussian(40, 3, random).get2DData(), RandomMatrices.gaussian(3, 3, random).get2DData());
        double[][] y = RandomMatrices.gaussian(40, 2, random).get2DData();
        LinearRegressionTarget target = LinearRegressionTarget.of(x, y);
        double[][] xw = target.whiten(x);
        LinearRegressionTarget direct = LinearRegressionTarget.of(xw, y);
        LinearRegressionTarget whitened = target.whitened();
        assertTrue(DeepLinearMinimaTest.distance(direct.sigmaX(), LinearTestData.identity(3)) < 1e-12);
        assertTrue(DeepLinearMinimaTest.distance(whitened.t(), direct.t()) < 1e-11);
        assertTrue(DeepLinearMinimaTest.distance(whitened.t(),
                LinearTestData.multiply(target.t(), target.sigmaXSqrt())) < 1e-11, "T̃ = T Σ_x^{1/2}");
        assertEquals(target.minimumLoss(), whitened.minimumLoss(), 1e-12);
        assertEquals(1.0, whitened.isotropicScale(1e-12), 1e-15);
        assertTrue(Double.isNaN(target.isotropicScale(1e-9)));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = target.whiten(LinearTestData.array(manager, x));
            double[] got = w.toDoubleArray();
            for (int i = 0; i < 40; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(xw[i][j], got[i * 3 + j], 1e-13);
                }
            }
            LinearRegressionTarget fromArrays = LinearRegressionTarget.of(LinearTestData.array(manager, x),
                    LinearTestData.array(manager, y));
            assertTrue(DeepLinearMinimaTest.distance(fromArrays.t(), target.t()) < 1e-14);
        }
    }

    @Test
    void rejectsBadInputWithTheFix() {
        SplittableRandom random = new SplittableRandom(6);
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> LinearRegressionTarget.of(new double[][] {{1, 2}}, new double[][] {{1}}));
        assertTrue(one.getMessage().contains("at least two"), one.getMessage());
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> LinearRegressionTarget.of(RandomMatrices.gaussian(5, 2, random).get2DData(), RandomMatrices.gaussian(4, 1, random).get2DData()));
        assertTrue(rows.getMessage().contains("same number"), rows.getMessage());
        // fewer examples than features: Σ_x singular
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
                () -> LinearRegressionTarget.of(RandomMatrices.gaussian(2, 3, random).get2DData(), RandomMatrices.gaussian(2, 1, random).get2DData()));
        assertTrue(few.getMessage().contains("singular") && few.getMessage().contains("Add examples"),
                few.getMessage());
        // a duplicated feature: Σ_x singular however many examples
        double[][] x = RandomMatrices.gaussian(20, 2, random).get2DData();
        double[][] dup = new double[20][3];
        for (int i = 0; i < 20; i++) {
            dup[i] = new double[] {x[i][0], x[i][1], 2 * x[i][0]};
        }
        assertThrows(IllegalArgumentException.class, () -> LinearRegressionTarget.of(dup, RandomMatrices.gaussian(20, 1,
                random).get2DData()));
        double[][] nan = RandomMatrices.gaussian(5, 2, random).get2DData();
        nan[3][1] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> LinearRegressionTarget.of(nan, RandomMatrices.gaussian(5, 1,
                random).get2DData()));
        LinearRegressionTarget ok = LinearRegressionTarget.of(RandomMatrices.gaussian(5, 2, random).get2DData(),
                RandomMatrices.gaussian(5, 1, random).get2DData());
        assertThrows(IllegalArgumentException.class, () -> ok.whiten(new double[][] {{1, 2, 3}}));
    }
}
