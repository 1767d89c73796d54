package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.minima.data.MnistLocalRepository;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MnistDenoiseTest {

    @TempDir
    Path tmp;

    static void assumeMnist() throws Exception {
        Path dir = MnistLocalRepository.resolveDataDir(null);
        assumeTrue(MnistLocalRepository.inspect(dir).isVerified(), () -> "needs the MNIST files in " + dir
                + "; run `java -jar demos/target/minima-demos.jar fetch-mnist` first");
    }

    static JsonObject run(Path out, String... args) throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cl = MinimaDemos.commandLine();
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--out";
        all[args.length + 1] = out.toString();
        assertEquals(0, cl.execute(all), err.toString());
        return JsonParser.parseString(Files.readString(out.resolve("summary.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    /**
     * A depth-2 denoiser on 200 images for one epoch: both optimizer objects carry finite losses, a positive
     * λ_max (a Hessian of a squared loss is PSD near a minimum, and Lanczos' top Ritz value is its largest
     * eigenvalue estimate), one gain per layer, SGD's threshold 2/η = 4 and no threshold for Adam. A 2 x 2
     * depth/step grid (one epoch, every cell counted as converged) gives one row per cell with threshold 2/η.
     */
    @Test
    void tinyRunWritesEveryOutputWithSaneNumbers() throws Exception {
        assumeMnist();
        Path out = tmp.resolve("denoise");
        JsonObject s = run(out, "mnist-denoise", "--train", "200", "--val", "100", "--epochs", "1", "--depth", "2",
                "--batch", "50", "--probe", "100", "--lanczos", "12", "--gain-starts", "3", "--gain-iterations", "3",
                "--grid", "--grid-depths", "1,2", "--grid-etas", "0.5,1", "--grid-epochs", "1", "--grid-loss", "10",
                "--trace-every", "1", "--trace-probe", "20", "--trace-lanczos", "3", "--sgd-lr", "0.5");
        for (String opt : new String[] {"sgd", "adam"}) {
            assertTrue(s.has(opt), "summary has " + opt);
            JsonObject o = s.getAsJsonObject(opt);
            for (String key : new String[] {"train_loss", "val_loss", "lmax", "lmax_residual"}) {
                double v = o.get(key).getAsDouble();
                assertTrue(Double.isFinite(v) && v >= 0, opt + "." + key + " = " + v);
            }
            assertTrue(o.get("lmax").getAsDouble() > 0, opt + " lmax");
            assertTrue(o.get("lmax_residual").getAsDouble() < o.get("lmax").getAsDouble(), opt + " residual");
            JsonArray gains = o.getAsJsonArray("gain_profile");
            assertEquals(2, gains.size(), "one gain per layer");
            gains.forEach(g -> assertTrue(g.getAsDouble() > 0 && Double.isFinite(g.getAsDouble()), "gain " + g));
            JsonArray dead = o.getAsJsonArray("dead_units");
            assertEquals(1, dead.size(), "one hidden layer at depth 2");
            assertTrue(dead.get(0).getAsDouble() >= 0 && dead.get(0).getAsDouble() <= 1, "a fraction: " + dead);
            JsonArray trace = o.getAsJsonArray("trace");
            assertEquals(1, trace.size(), "one epoch: the trace holds the final point only");
            assertEquals(4, trace.get(0).getAsJsonObject().get("step").getAsLong(), "200 images / batch 50");
            assertEquals(o.get("learning_rate").getAsDouble(), "sgd".equals(opt) ? 0.5 : 3e-4, 0);
            // the same input's gain, evaluated twice in float32 (relative rounding about 1e-7)
            double top = o.getAsJsonArray("gain_profile").get(1).getAsDouble();
            assertEquals(top, o.getAsJsonArray("top_signal_gains").get(1).getAsDouble(), 1e-6 * top,
                    "the end-to-end maximiser has the largest last-layer gain");
        }
        assertEquals(4.0, s.getAsJsonObject("sgd").get("threshold").getAsDouble(), 0);
        assertTrue(s.getAsJsonObject("adam").get("threshold").isJsonNull());
        JsonArray grid = s.getAsJsonArray("grid");
        assertEquals(4, grid.size(), "2 depths x 2 step sizes");
        grid.forEach(e -> {
            JsonObject cell = e.getAsJsonObject();
            assertEquals(2 / cell.get("eta").getAsDouble(), cell.get("threshold").getAsDouble(), 1e-12);
            assertTrue(cell.get("converged").getAsBoolean(), "loss below 10 after one epoch: " + cell);
            assertTrue(cell.get("lmax").getAsDouble() > 0, "converged cells carry lambda_max: " + cell);
        });
        assertEquals("identity", s.getAsJsonObject("config").get("init").getAsString(), "quick mode's default");
        for (String f : new String[] {"training.csv", "trace.csv", "gains.csv", "loss.png", "gains.png", "report.md", "grid.csv",
            "grid.png", "grid-min.png"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(3, Files.readAllLines(out.resolve("training.csv")).size(), "header + one epoch per optimizer");
        BufferedImage digits = ImageIO.read(out.resolve("denoised.png").toFile());
        assertTrue(digits.getWidth() > 8 * 28 * 3 && digits.getHeight() > 4 * 28 * 3, "4 rows of 8 digits, x3");
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("| paper's claim | paper's figure | this run | tolerance | verdict |"), report);
        assertTrue(report.contains("2/eta"), report);
    }

    /**
     * SGD and Adam trained in two threads (--parallel) give bit for bit the figures of the same runs one after the
     * other: each run has its own model, seeds and thread-local autograd state, and libtorch computes with one
     * thread per run. With the noise drawn afresh (the quick default) the first epoch trains on the fixed first
     * draw, so its losses equal those of --no-fresh-noise, and the second epoch's differ.
     */
    @Test
    void parallelRunsEqualSequentialOnesAndFreshNoiseChangesOnlyLaterEpochs() throws Exception {
        assumeMnist();
        String[] tiny = {"mnist-denoise", "--train", "200", "--val", "100", "--epochs", "2", "--adam-epochs", "2",
            "--depth", "2", "--batch", "50", "--probe", "50", "--lanczos", "5", "--gain-starts", "1",
            "--gain-iterations", "2"};
        JsonObject parallel = run(tmp.resolve("parallel"), concat(tiny, "--parallel"));
        JsonObject sequential = run(tmp.resolve("sequential"), concat(tiny, "--no-parallel"));
        JsonObject fixed = run(tmp.resolve("fixed"), concat(tiny, "--no-fresh-noise"));
        assertTrue(parallel.getAsJsonObject("config").get("parallel").getAsBoolean());
        assertTrue(parallel.getAsJsonObject("config").get("fresh_noise").getAsBoolean(), "quick mode's default");
        for (String opt : new String[] {"sgd", "adam"}) {
            JsonObject p = parallel.getAsJsonObject(opt);
            JsonObject q = sequential.getAsJsonObject(opt);
            for (String key : new String[] {"train_loss", "val_loss", "grad_norm", "lmax", "gain_profile"}) {
                assertEquals(q.get(key), p.get(key), opt + "." + key);
            }
        }
        List<String> fresh = lossColumns(tmp.resolve("parallel").resolve("training.csv"));
        List<String> once = lossColumns(tmp.resolve("fixed").resolve("training.csv"));
        for (String opt : new String[] {"sgd", "adam"}) {
            assertEquals(row(once, opt, 1), row(fresh, opt, 1), opt + " epoch 1: the same first draw");
            assertNotEquals(row(once, opt, 2), row(fresh, opt, 2), opt + " epoch 2: new noise");
        }
    }

    /**
     * --full keeps the paper's fixed noise, gives Adam as many epochs as SGD and trains the two in parallel; with
     * Table S1's step 1/2 SGD's threshold 2/η is 4.
     */
    @Test
    void fullModeKeepsTheNoiseFixedAndTheEpochsEqual() throws Exception {
        assumeMnist();
        JsonObject s = run(tmp.resolve("full"), "mnist-denoise", "--full", "--train", "200", "--val", "100", "--epochs",
                "2", "--inits", "1", "--depth", "2", "--batch", "50", "--probe", "50", "--lanczos", "5", "--trace-probe",
                "20", "--trace-lanczos", "3", "--gain-starts", "1", "--gain-iterations", "2");
        JsonObject config = s.getAsJsonObject("config");
        assertTrue(!config.get("fresh_noise").getAsBoolean(), "full mode: noise drawn once");
        assertTrue(config.get("parallel").getAsBoolean());
        assertEquals(2, config.get("adam_epochs").getAsInt(), "Adam's epochs default to --epochs in full mode");
        assertEquals("he", config.get("init").getAsString());
        assertEquals(4.0, s.getAsJsonObject("sgd").get("threshold").getAsDouble(), 0);
        assertEquals(2, s.getAsJsonObject("adam").get("epochs").getAsInt());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** training.csv rows without the seconds column: init, optimizer, epoch, step, running loss, val loss. */
    private static List<String> lossColumns(Path csv) throws java.io.IOException {
        return Files.readAllLines(csv).stream().skip(1).map(l -> l.substring(0, l.lastIndexOf(',')))
                .collect(Collectors.toList());
    }

    private static String row(List<String> rows, String opt, int epoch) {
        return rows.stream().filter(r -> r.split(",")[1].equals(opt) && r.split(",")[2].equals(
                Integer.toString(epoch))).findFirst().orElseThrow();
    }

    /**
     * Images that vary in pixel 0 only, 0 and 1 in turn (variance 1/4): with σ = 1 the Wiener filter keeps a
     * fraction 0.25 / 1.25 of that pixel's noisy deviation and its expected loss is σ² λ / (λ + σ²) / 784 = 0.2 / 784.
     * The mean-image loss is λ / 784 = 0.25 / 784.
     */
    @Test
    void affineDenoiserLossIsTheWienerFiltersClosedForm() {
        int n = 10;
        float[] clean = new float[n * 784];
        for (int j = 0; j < n; j++) {
            clean[j * 784] = j % 2;
            clean[j * 784 + 5] = 0.3f; // constant pixels add nothing
        }
        assertEquals(0.2 / 784, MnistDenoise.affineDenoiserLoss(clean, n, 1.0), 1e-12);
        assertEquals(0.25 / 784, MnistDenoise.meanImageLoss(clean, n, 0)[0], 1e-9);
        // no noise: the filter is the identity and loses nothing
        assertEquals(0.0, MnistDenoise.affineDenoiserLoss(clean, n, 0.0), 1e-12);
    }

    @Test
    void lastQuarterDropComparesTheEpochAtThreeQuartersWithTheLast() {
        assertEquals((0.6 - 0.5) / 0.6, MnistDenoise.lastQuarterDrop(java.util.List.of(1.0, 0.8, 0.6, 0.5)), 1e-12);
        // 15 epochs: from epoch 11 to epoch 15
        java.util.List<Double> l = new java.util.ArrayList<>();
        for (int e = 1; e <= 15; e++) {
            l.add(1.0 / e);
        }
        assertEquals((1.0 / 11 - 1.0 / 15) / (1.0 / 11), MnistDenoise.lastQuarterDrop(l), 1e-12);
        assertTrue(Double.isNaN(MnistDenoise.lastQuarterDrop(java.util.List.of(0.5))));
    }

    @Test
    void badOptionsFailWithTheFix() throws Exception {
        assumeMnist();
        StringWriter err = new StringWriter();
        CommandLine cl = MinimaDemos.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("mnist-denoise", "--train", "10", "--batch", "100", "--out", tmp.toString());
        assertTrue(code != 0);
        assertTrue(err.toString().contains("smaller than one batch"), err.toString());
    }
}
