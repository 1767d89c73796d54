package dev.minima.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class XorDataTest {

    /** Hypercube points are ±1 and the label is x₁x₂ (or x₁x₂x₃ with 3 parity bits); the seed fixes them. */
    @Test
    void hypercubeLabelsAreParities() {
        XorData xor = XorData.builder().setDimension(6).setSize(200).optSeed(3).build();
        int positives = 0;
        for (int i = 0; i < xor.size(); i++) {
            double[] x = xor.x(i);
            for (double v : x) {
                assertTrue(v == 1.0 || v == -1.0);
            }
            assertEquals(x[0] * x[1], xor.y(i));
            positives += xor.y(i) > 0 ? 1 : 0;
        }
        // Binomial(200, 1/2): 5 standard deviations is ±35
        assertTrue(Math.abs(positives - 100) < 36, "positives " + positives);
        XorData again = XorData.builder().setDimension(6).setSize(200).optSeed(3).build();
        XorData other = XorData.builder().setDimension(6).setSize(200).optSeed(4).build();
        assertArrayEquals(xor.x(17), again.x(17));
        boolean differs = false;
        for (int i = 0; i < 200; i++) {
            differs |= !java.util.Arrays.equals(xor.x(i), other.x(i));
        }
        assertTrue(differs);
        XorData parity3 = XorData.builder().setDimension(6).setSize(50).optParityBits(3).optSeed(3).build();
        for (int i = 0; i < parity3.size(); i++) {
            double[] x = parity3.x(i);
            assertEquals(x[0] * x[1] * x[2], parity3.y(i));
        }
    }

    /**
     * Ball points lie within radius √d and the label is |x₁| − |x₂|. For the uniform law in a d-ball of radius R,
     * E‖x‖² = R² d/(d + 2) = d²/(d + 2); the sample mean over 4000 points is within 5 standard errors.
     */
    @Test
    void ballIsUniformWithinRadiusSqrtD() {
        int d = 10;
        int n = 4000;
        XorData ball = XorData.builder().setDimension(d).setSize(n).optDistribution(XorData.Distribution.BALL)
                .optSeed(5).build();
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            double[] x = ball.x(i);
            double r2 = 0;
            for (double v : x) {
                r2 += v * v;
            }
            assertTrue(r2 <= d * (1 + 1e-12));
            assertEquals(Math.abs(x[0]) - Math.abs(x[1]), ball.y(i));
            sum += r2;
            sumSq += r2 * r2;
        }
        double mean = sum / n;
        double se = Math.sqrt((sumSq / n - mean * mean) / n);
        double expected = (double) d * d / (d + 2);
        assertEquals(expected, mean, 5 * se);
    }

    /**
     * The DJL dataset holds (n, d) inputs and (n, 1) labels; the seeded shuffle visits every index once per
     * epoch, changes order between epochs and repeats with the same seed.
     */
    @Test
    void datasetsBatchAndShuffleReproducibly() throws Exception {
        XorData xor = XorData.builder().setDimension(4).setSize(10).optSeed(1).build();
        try (NDManager m = NDManager.newBaseManager()) {
            ArrayDataset seq = xor.toDataset(m, DataType.FLOAT32, 4);
            List<Integer> sizes = new ArrayList<>();
            for (Batch b : seq.getData(m)) {
                try (b) {
                    sizes.add(b.getSize());
                    assertEquals(new Shape(b.getSize(), 4), b.getData().head().getShape());
                    assertEquals(new Shape(b.getSize(), 1), b.getLabels().head().getShape());
                }
            }
            assertEquals(List.of(4, 4, 2), sizes);
            List<Float> e1 = firstCoordinates(xor.toDataset(m, DataType.FLOAT32, 1, 9L), m, 2);
            List<Float> e2 = firstCoordinates(xor.toDataset(m, DataType.FLOAT32, 1, 9L), m, 2);
            assertEquals(e1, e2);
            assertNotEquals(e1.subList(0, 10), e1.subList(10, 20));
            long[] order = SeededShuffle.permutation(10, new java.util.SplittableRandom(2));
            Set<Long> seen = new HashSet<>();
            for (long i : order) {
                seen.add(i);
            }
            assertEquals(10, seen.size());
        }
        assertThrows(IllegalArgumentException.class, () -> XorData.builder().setDimension(1).setSize(5).build());
        assertThrows(IllegalArgumentException.class, () -> XorData.builder().setDimension(3).setSize(0).build());
    }

    /** Labels of the points in visiting order (with ±1 labels and distinct points the order shows). */
    private static List<Float> firstCoordinates(ArrayDataset ds, NDManager m, int epochs) throws Exception {
        List<Float> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            for (Batch b : ds.getData(m)) {
                try (b) {
                    float[] x = b.getData().head().toFloatArray();
                    out.add(x[0] + 2 * x[1] + 4 * x[2] + 8 * x[3]);
                }
            }
        }
        return out;
    }
}
