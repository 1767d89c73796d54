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
     * lower_bound = 1 + 2 stability_norm exactly; with --skip-10class the 10-class keys (sgd, sam) are absent.
     */
    @Test
    void tinyGridWritesRunsWithTheirInvariants() throws Exception {
        MnistDenoiseTest.assumeMnist();
        Path out = tmp.resolve("classify");
        JsonObject s = MnistDenoiseTest.run(out, "mnist-classify", "--train-size", "64", "--val-per-class", "50",
                "--hidden", "20", "--etas", "0.01,0.02", "--max-epochs", "3", "--warmup-epochs", "1", "--patience", "1", "--threshold",
                "1e-3", "--lanczos", "30", "--skip-10class");
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
            double flattest = r.get("flattest_lambda").getAsDouble();
            // Lemma 3 and the trained weights being one rescaling: 1 + 2S <= flattest <= Gram lambda_max
            assertTrue(bound <= flattest * (1 + 1e-6) && flattest <= r.get("lmax_gram").getAsDouble() * (1 + 1e-6),
                    bound + " <= " + flattest + " <= " + r.get("lmax_gram"));
            assertTrue(r.get("bias_norm").getAsDouble() > 0, "x10 init gives non-zero hidden biases");
            double acc = r.get("val_accuracy").getAsDouble();
            assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
            assertTrue(r.get("epochs").getAsInt() >= 1 && r.get("epochs").getAsInt() <= 3);
        }
        assertFalse(s.has("sgd"), "the 10-class SGD/SAM part was skipped");
        assertFalse(s.has("sam"));
        for (String f : new String[] {"runs.csv", "training.csv", "sharpness.png", "accuracy.png", "report.md"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("lambda_max <= 2/eta"), report);
    }

    /**
     * The 10-class part alone on 500 images for 1 epoch (4 steps of batch 128), probe 100: both runs report the
     * same lr, epochs and steps (same SGD, same data), rho = 0 for SGD and 0.05 for SAM, accuracies in [0, 1],
     * lambda_max > 0 with a residual below it, and lambda_max <= trace (H is near positive semi-definite and
     * trace = sum of eigenvalues; allowed 4 standard errors). threshold = 2/lr exactly.
     */
    @Test
    void tinyTenClassComparisonWritesSgdAndSam() throws Exception {
        MnistDenoiseTest.assumeMnist();
        Path out = tmp.resolve("classify10");
        JsonObject s = MnistDenoiseTest.run(out, "mnist-classify", "--skip-binary", "--10class-train", "500",
                "--10class-epochs", "1", "--10class-lr", "0.1", "--10class-probe", "100", "--10class-trace-samples", "10", "--lanczos", "30");
        assertFalse(s.has("runs"), "the binary grid was skipped");
        for (String name : new String[] {"sgd", "sam"}) {
            JsonObject r = s.getAsJsonObject(name);
            assertEquals(name, r.get("optimizer").getAsString());
            assertEquals(0.1, r.get("lr").getAsDouble(), 1e-12);
            assertEquals(20, r.get("threshold").getAsDouble(), 1e-9);
            assertEquals("sam".equals(name) ? 0.05 : 0, r.get("rho").getAsDouble(), 0);
            assertEquals(1, r.get("epochs").getAsInt());
            assertEquals(4, r.get("steps").getAsInt(), "ceil(500 / 128) steps");
            for (String key : new String[] {"test_accuracy", "train_accuracy"}) {
                double acc = r.get(key).getAsDouble();
                assertTrue(acc >= 0 && acc <= 1, key + " " + acc);
            }
            double lmax = r.get("lmax_final").getAsDouble();
            assertTrue(lmax > 0 && Double.isFinite(lmax), "lmax " + lmax);
            assertTrue(r.get("lmax_residual").getAsDouble() < lmax, "residual below the estimate");
            double trace = r.get("trace_final").getAsDouble();
            double se = r.get("trace_stderr").getAsDouble();
            assertTrue(Double.isFinite(trace) && Double.isFinite(se) && se >= 0, "trace " + trace + " +/- " + se);
            assertTrue(trace + 4 * se >= lmax, "trace " + trace + " +/- " + se + " below lambda_max " + lmax);
            assertEquals(10, r.get("trace_samples").getAsInt());
            assertTrue(Double.isFinite(r.get("train_loss").getAsDouble()));
        }
        assertTrue(Files.size(out.resolve("training-10class.csv")) > 0);
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("SAM ends at a flatter minimum"), report);
    }
}
