package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistClassifyTest {

    @TempDir
    Path tmp;

    /**
     * Two step sizes on 64 images for at most 3 epochs: every run carries eta, threshold = 2/eta exactly,
     * a positive lambda_max with a smaller residual, a bias norm and an accuracy in [0, 1]; the stability
     * chain holds at any θ, so 1 + 2 S_theta <= lambda_max(Gauss-Newton) (up to float rounding) and
     * lower_bound = 1 + 2 stability_norm exactly; the 10-class keys (sgd, sam) are absent until that part exists.
     */
    @Test
    void tinyGridWritesRunsWithTheirInvariants() throws Exception {
        MnistDenoiseTest.assumeMnist();
        Path out = tmp.resolve("classify");
        JsonObject s = MnistDenoiseTest.run(out, "mnist-classify", "--train-size", "64", "--val-per-class", "50",
                "--hidden", "20", "--etas", "0.01,0.02", "--max-epochs", "3", "--warmup-epochs", "1", "--patience", "1", "--threshold",
                "1e-3", "--lanczos", "30");
        JsonArray runs = s.getAsJsonArray("runs");
        assertEquals(2, runs.size());
        double[] etas = {0.01, 0.02};
        for (int i = 0; i < 2; i++) {
            JsonObject r = runs.get(i).getAsJsonObject();
            for (String key : new String[] {"eta", "epochs", "converged", "train_loss", "lmax", "lmax_residual",
                "lmax_gram", "threshold", "lower_bound", "stability_norm", "bias_norm", "knot_offset_norm",
                "val_accuracy"}) {
                assertTrue(r.has(key), "run has " + key);
            }
            assertEquals(etas[i], r.get("eta").getAsDouble(), 0);
            assertEquals(2 / etas[i], r.get("threshold").getAsDouble(), 1e-12);
            assertFalse(r.get("diverged").getAsBoolean());
            double lmax = r.get("lmax").getAsDouble();
            assertTrue(lmax > 0 && Double.isFinite(lmax), "lmax " + lmax);
            assertTrue(r.get("lmax_residual").getAsDouble() < lmax, "residual below the estimate");
            assertTrue(Double.isFinite(r.get("train_loss").getAsDouble()));
            double norm = r.get("stability_norm").getAsDouble();
            double bound = r.get("lower_bound").getAsDouble();
            assertTrue(norm >= 0, "S_theta " + norm);
            assertEquals(1 + 2 * norm, bound, 1e-9 * bound);
            assertTrue(bound <= r.get("lmax_gram").getAsDouble() * (1 + 1e-9), bound + " > Gram lambda_max");
            assertTrue(r.get("bias_norm").getAsDouble() > 0, "x10 init gives non-zero hidden biases");
            double acc = r.get("val_accuracy").getAsDouble();
            assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
            assertTrue(r.get("epochs").getAsInt() >= 1 && r.get("epochs").getAsInt() <= 3);
        }
        assertFalse(s.has("sgd"), "the 10-class SGD/SAM part is not there yet");
        assertFalse(s.has("sam"));
        for (String f : new String[] {"runs.csv", "training.csv", "sharpness.png", "accuracy.png", "report.md"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("lambda_max <= 2/eta"), report);
    }
}
