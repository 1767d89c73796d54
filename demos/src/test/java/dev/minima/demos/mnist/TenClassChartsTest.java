package dev.minima.demos.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenClassChartsTest {

    @TempDir
    Path tmp;

    /** Two series of 3 and 2 points give a header and 5 rows, in order, and a non-empty PNG. */
    @Test
    void writesOneRowPerMeasurementAndAChart() throws Exception {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("sgd", new double[][] {{0, 20, 40}, {1.5, 3.0, 6.0}});
        series.put("sam", new double[][] {{0, 20}, {1.5, 2.5}});
        TenClassCharts.write(series, 20, tmp);
        List<String> lines = Files.readAllLines(tmp.resolve("sharpness-10class.csv"));
        assertEquals(6, lines.size());
        assertEquals("optimizer,step,lambda_max", lines.get(0));
        assertTrue(lines.get(3).startsWith("sgd,40,6.0"), lines.get(3));
        assertTrue(lines.get(5).startsWith("sam,20,2.5"), lines.get(5));
        assertTrue(Files.size(tmp.resolve("sharpness-10class.png")) > 1000);
    }

    /** Accuracy is the fraction of rows whose arg-max is the label; probe indices are distinct, sorted, seeded. */
    @Test
    void accuracyAndProbeIndices() {
        float[] logits = new float[20];
        logits[3] = 1; // row 0 predicts 3
        logits[10 + 7] = 2; // row 1 predicts 7
        assertEquals(0.5, TenClassComparison.accuracy(logits, new int[] {3, 1}), 0);
        int[] a = TenClassComparison.probeIndices(100, 10, 4);
        assertEquals(10, a.length);
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i] > a[i - 1]);
        }
        assertTrue(java.util.Arrays.equals(a, TenClassComparison.probeIndices(100, 10, 4)));
        assertEquals(5, TenClassComparison.probeIndices(5, 10, 4).length);
    }
}
