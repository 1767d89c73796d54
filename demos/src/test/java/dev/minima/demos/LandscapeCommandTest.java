package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LandscapeCommandTest {

    @TempDir
    Path tmp;

    private static final String[] TINY = {"--probe", "64", "--points-1d", "5", "--points-2d", "3", "--top-k", "2",
        "--lanczos", "15", "--slq-probes", "1", "--slq-steps", "8", "--trace-samples", "4", "--ascent-steps", "2",
        "--samples", "2"};

    /**
     * mnist-classify's tiny 10-class part saves both MLPs; landscape --params loads them bit for bit (its test
     * accuracies equal mnist-classify's) and writes every figure: the centre of each slice is the probe loss, every
     * measure has a verdict, the 2-D CSV has 3 × 3 points, all charts exist.
     */
    @Test
    void loadsMnistClassifyParametersAndDrawsEverything() throws Exception {
        MnistDenoiseTest.assumeMnist();
        Path classify = tmp.resolve("classify");
        JsonObject c = MnistDenoiseTest.run(classify, "mnist-classify", "--skip-binary", "--10class-train", "300",
                "--10class-epochs", "1", "--10class-hidden", "12", "--10class-probe", "50",
                "--10class-trace-samples", "4", "--lanczos", "10");
        Path out = tmp.resolve("landscape");
        String[] args = concat(new String[] {"landscape", "--params", classify.toString(), "--hidden", "12",
            "--train", "300"}, TINY);
        JsonObject s = MnistDenoiseTest.run(out, args);
        for (String m : List.of("sgd", "sam")) {
            JsonObject r = s.getAsJsonObject(m);
            assertEquals(c.getAsJsonObject(m).get("test_accuracy").getAsDouble(),
                    r.get("test_accuracy").getAsDouble(), 0, m + ": the loaded weights are the saved ones");
            assertEquals(c.getAsJsonObject(m).get("train_loss").getAsDouble(), r.get("train_loss").getAsDouble(),
                    1e-5, m);
            double probeLoss = r.get("probe_loss").getAsDouble();
            List<String> lines = Files.readAllLines(out.resolve("surface-" + m + "-1d-random.csv"));
            assertEquals(1 + 5, lines.size());
            assertEquals(probeLoss, Double.parseDouble(lines.get(3).split(",")[1]), 1e-5 * probeLoss,
                    "the middle of the 1-D slice is θ");
            assertEquals(1 + 9, Files.readAllLines(out.resolve("surface-" + m + "-2d-eigen.csv")).size());
            assertEquals(6, r.getAsJsonObject("sharpness").size(), "six sharpness measures");
            double top = r.getAsJsonArray("top_eigenvalues").get(0).getAsDouble();
            assertTrue(top > 0, "lambda_max " + top);
        }
        assertNotEquals(s.getAsJsonObject("sgd").get("probe_loss").getAsDouble(),
                s.getAsJsonObject("sam").get("probe_loss").getAsDouble(), "two different models");
        assertEquals(11, s.getAsJsonObject("flatter").size(), "lambda_max, trace, six sharpness measures, three slice measures");
        for (String f : List.of("slice-1d-random.png", "slice-1d-eigen.png", "surface-2d-random.png",
                "surface-2d-eigen.png", "spectral-density.png", "layers.png", "sharpness.png", "sharpness.csv",
                "layers-sgd.csv", "spectral-density-sam.csv")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("Which measures rank SAM flatter than SGD"), report);
    }

    /** Training from scratch on a tiny set runs end to end; bad settings are refused with a message. */
    @Test
    void trainsTinyModelsAndRefusesBadSettings() throws Exception {
        MnistDenoiseTest.assumeMnist();
        Path out = tmp.resolve("trained");
        JsonObject s = MnistDenoiseTest.run(out, concat(new String[] {"landscape", "--train", "256", "--epochs", "1",
            "--hidden", "8", "--batch", "64"}, TINY));
        assertEquals("trained", s.getAsJsonObject("sgd").get("source").getAsString());
        assertTrue(s.getAsJsonObject("sam").get("train_seconds").getAsDouble() > 0);
        for (String[] bad : new String[][] {{"--points-2d", "1"}, {"--rho-l2", "0"}, {"--sigma", "-1"}}) {
            StringWriter err = new StringWriter();
            CommandLine cl = MinimaDemos.commandLine();
            cl.setErr(new PrintWriter(err, true));
            String message;
            try {
                int code = cl.execute(concat(new String[] {"landscape", "--train", "256", "--out",
                    tmp.resolve("bad").toString()}, bad));
                assertNotEquals(0, code, "bad settings must fail: " + String.join(" ", bad));
                message = err.toString();
            } catch (IllegalArgumentException e) { // without an error handler picocli rethrows
                message = e.getMessage();
            }
            assertTrue(message.contains("at least 2 points") || message.contains("positive"), message);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = new String[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
