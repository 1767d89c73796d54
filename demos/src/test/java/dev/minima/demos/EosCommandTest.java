package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EosCommandTest {

    @TempDir
    Path tmp;

    /**
     * A tiny eos run (200 images, 40 full-batch GD steps, monitor every 10): one run per η with threshold
     * exactly 2/η, ratio_final = η·λ_final/2 (the definition), a positive λ_max, a boolean sharpening flag, and
     * the per-η files on disk. Reaching the edge needs the default length and is not asserted here.
     */
    @Test
    void tinyRunWritesOneRecordPerStepSize() throws Exception {
        MnistDenoiseTest.assumeMnist();
        Path out = tmp.resolve("eos");
        JsonObject s = MnistDenoiseTest.run(out, "eos", "--subset", "200", "--steps", "40", "--every", "10",
                "--etas", "0.1,0.2", "--hidden", "32", "--threads", "1");
        JsonArray runs = s.getAsJsonArray("runs");
        assertEquals(2, runs.size());
        for (int i = 0; i < runs.size(); i++) {
            JsonObject r = runs.get(i).getAsJsonObject();
            double eta = r.get("eta").getAsDouble();
            assertEquals(2 / eta, r.get("threshold").getAsDouble(), 1e-12);
            double lmax = r.get("lmax_final").getAsDouble();
            assertTrue(lmax > 0, "lambda_max " + lmax);
            // the monitor reads η from DJL's float learning-rate tracker: float rounding, ~1e-8 relative
            assertEquals(eta * lmax / 2, r.get("ratio_final").getAsDouble(), 1e-6 * eta * lmax);
            assertTrue(r.get("sharpening_detected").isJsonPrimitive());
        }
        try (var files = Files.list(out)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().endsWith(".png")), "a chart is written");
        }
    }
}
