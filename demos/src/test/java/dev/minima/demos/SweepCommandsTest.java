package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs both sweeps on tiny configurations and checks the summary against the theory: in every run that
 * converged after the warm-up, S ≤ 1/η − 1/2 (Theorem 1), 1 + 2S ≤ λ_Gram (Lemma 4 / Lemma 3), 1 + 2S ≤ flattest
 * λ ≤ λ_Gram, λ_Gram ≤ (2/η)(1 + 2%) (linear stability; GD stops at L ≤ threshold while still settling), and the
 * Gram λ equals the DJL Hessian's λ within the Weyl bound (1/n) Σ|r_j| √(1 + ‖x_j‖²) plus the Lanczos residual.
 */
class SweepCommandsTest {

    @TempDir
    Path tmp;

    private final DemoRun cli = new DemoRun();

    private static final List<String> FIELDS = List.of("eta", "loss", "lmax", "lmax_lanczos", "threshold",
            "lower_bound", "flattest_lambda", "flattest_certificate", "stability_norm", "bound", "converged");

    /** Checks every run's fields and the invariants; returns the number of usable runs. */
    private static int checkRuns(JsonArray runs, double lossThreshold) {
        int usable = 0;
        for (JsonElement e : runs) {
            JsonObject r = e.getAsJsonObject();
            for (String f : FIELDS) {
                assertTrue(r.has(f), "run lacks " + f + ": " + r);
            }
            double eta = r.get("eta").getAsDouble();
            assertEquals(2 / eta, r.get("threshold").getAsDouble(), 1e-12 * (2 / eta));
            assertEquals(1 / eta - 0.5, r.get("bound").getAsDouble(), 1e-12 * (1 / eta));
            if (!r.get("converged").getAsBoolean() || r.get("converged_in_warmup").getAsBoolean()) {
                continue;
            }
            usable++;
            double loss = r.get("loss").getAsDouble();
            double s = r.get("stability_norm").getAsDouble();
            double lower = r.get("lower_bound").getAsDouble();
            double lmax = r.get("lmax").getAsDouble();
            double flat = r.get("flattest_lambda").getAsDouble();
            double lanczos = r.get("lmax_lanczos").getAsDouble();
            String where = "η = " + eta + ": " + r;
            assertTrue(loss <= lossThreshold, where);
            assertEquals(1 + 2 * s, lower, 1e-12 * lower, where);
            assertTrue(s <= r.get("bound").getAsDouble(), "Theorem 1 " + where);
            // relative slack 1e-9: rounding in the Gram eigenvalue and the flattest search's stopping tolerance
            assertTrue(lower <= lmax * (1 + 1e-9), "1 + 2S ≤ λ " + where);
            assertTrue(lower <= flat * (1 + 1e-9), "1 + 2S ≤ flattest " + where);
            assertTrue(flat <= lmax * (1 + 1e-9), "flattest ≤ λ " + where);
            assertTrue(lmax <= 2 / eta * 1.02, "λ ≤ 2/η " + where);
            double gap = Math.abs(lmax - lanczos);
            double allowed = r.get("weyl_bound").getAsDouble() + r.get("lanczos_residual").getAsDouble() + 1e-9 * lmax;
            assertTrue(gap <= allowed, "Gram vs Lanczos gap " + gap + " > " + allowed + " " + where);
        }
        return usable;
    }

    @Test
    void univariateSweepOnATinyConfiguration() throws Exception {
        Path dir = tmp.resolve("uni");
        int code = cli.run("univariate-sweep", "--out", dir.toString(), "--seed", "1", "--n", "6", "--width", "16",
                "--etas", "4", "--eta-min", "0.05", "--eta-max", "0.4", "--warmup", "500", "--max-steps", "300000",
                "--init-scale", "1", "--switch-eta", "0.05", "--switch-loss", "1e-3", "--switch-max-steps", "300000",
                "--functions", "2", "--threads", "2");
        assertEquals(0, code, cli.err.toString());
        JsonObject s = DemoRun.summary(dir);
        JsonArray runs = s.getAsJsonArray("runs");
        assertEquals(4, runs.size());
        int usable = checkRuns(runs, 1e-8);
        assertTrue(usable >= 2, "at least two of four tiny runs should converge: " + runs);
        JsonObject sw = s.getAsJsonObject("step_switch");
        assertTrue(sw.has("constant") && sw.has("switched") && sw.has("smoother_after_switch"), sw.toString());
        assertTrue(sw.get("switch_step").getAsLong() > 0, sw.toString());
        assertEquals(0.15, sw.getAsJsonObject("switched").get("final_eta").getAsDouble(), 1e-12);
        assertEquals(0.05, sw.getAsJsonObject("constant").get("final_eta").getAsDouble(), 0);
        for (String f : List.of("runs.csv", "data.csv", "knots.csv", "functions.csv", "switch.csv", "sharpness.png",
                "functions.png", "curvature.png", "switch-functions.png", "switch-loss.png", "report.md")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        // one CSV row per run plus the header
        assertEquals(5, Files.readAllLines(dir.resolve("runs.csv")).size());
        assertTrue(Files.readString(dir.resolve("report.md")).contains("| paper's claim | paper's figure | this run | tolerance | verdict |"));
        assertFalse(s.getAsJsonObject("checks").get("bound_violations").getAsLong() > 0);
    }

    @Test
    void multivariateSweepOnATinyConfiguration() throws Exception {
        Path dir = tmp.resolve("multi");
        int code = cli.run("multivariate-sweep", "--out", dir.toString(), "--seed", "2", "--n", "20", "--dim", "3",
                "--width", "12", "--etas", "3", "--eta-min", "0.02", "--eta-max", "0.1", "--warmup", "1000",
                "--max-steps", "300000", "--init-scale", "3", "--threads", "2");
        assertEquals(0, code, cli.err.toString());
        JsonObject s = DemoRun.summary(dir);
        JsonArray runs = s.getAsJsonArray("runs");
        assertEquals(3, runs.size());
        int usable = checkRuns(runs, 1e-8);
        assertTrue(usable >= 2, "at least two of three tiny runs should converge: " + runs);
        for (JsonElement e : runs) {
            assertTrue(e.getAsJsonObject().has("bias_norm"));
        }
        for (String f : List.of("runs.csv", "sharpness.png", "bias-norm.png", "report.md")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
    }

    @Test
    void rejectsAnEmptyStepRange() {
        int code = cli.run("univariate-sweep", "--out", tmp.resolve("bad").toString(), "--eta-min", "0.5", "--eta-max",
                "0.1", "--no-switch");
        assertTrue(code != 0);
        assertTrue(cli.err.toString().contains("--eta-min"), cli.err.toString());
    }
}
