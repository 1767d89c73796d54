package dev.minima.demos.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class NoisyMnistTest {

    private static final int PIXELS = 784;
    private static final double SIGMA = 1.25;

    /**
     * 60 synthetic images; noise redrawn on the first 50 (N = 39,200 values). The residual input − clean must be
     * N(0, σ²): its mean within 5 standard errors σ/√N = 0.0063 of 0, its variance within 5 standard errors
     * σ²·√(2/N) = 0.0112 of σ² = 1.5625. The same seed gives the same draw bit for bit; another seed an independent
     * one: the mean product of the two residuals, over σ², within 5/√N = 0.025 of 0.
     */
    @Test
    void redrawnInputsAreTheCleanImagesPlusFreshNoiseOfStandardDeviationSigma() {
        int size = 60;
        int n = 50;
        float[] clean = new float[size * PIXELS];
        for (int i = 0; i < clean.length; i++) {
            clean[i] = (i % 7) / 7f;
        }
        NoisyMnist pairs = new NoisyMnist(clean, clean, size, PIXELS, SIGMA);
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] a = pairs.redrawnInputs(manager, DataType.FLOAT32, n, 11).toFloatArray();
            float[] again = pairs.redrawnInputs(manager, DataType.FLOAT32, n, 11).toFloatArray();
            float[] b = pairs.redrawnInputs(manager, DataType.FLOAT32, n, 12).toFloatArray();
            assertEquals(n * PIXELS, a.length);
            assertArrayEquals(a, again, "same seed, same draw");
            int count = a.length;
            double mean = 0;
            double sq = 0;
            double cross = 0;
            for (int i = 0; i < count; i++) {
                double ra = a[i] - clean[i];
                double rb = b[i] - clean[i];
                mean += ra;
                sq += ra * ra;
                cross += ra * rb;
            }
            mean /= count;
            double var = sq / count - mean * mean;
            double se = 1 / Math.sqrt(count);
            assertEquals(0, mean, 5 * SIGMA * se, "noise mean");
            assertEquals(SIGMA * SIGMA, var, 5 * SIGMA * SIGMA * Math.sqrt(2.0) * se, "noise variance");
            assertEquals(0, cross / count / (SIGMA * SIGMA), 5 * se, "two seeds draw independent noise");
            assertThrows(IllegalArgumentException.class, () -> pairs.redrawnInputs(manager, DataType.FLOAT32, 0, 1));
            assertThrows(IllegalArgumentException.class,
                    () -> pairs.redrawnInputs(manager, DataType.FLOAT32, size + 1, 1));
        }
    }
}
