package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.minima.demos.samxor.RunPlan.Phase;
import dev.minima.util.GarbageCollection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code sam-xor} demo on a tiny configuration (d = 6, n = 20, width 30, a few dozen epochs): every summary
 * field, and the inequalities the maths guarantees at <em>every</em> θ (not only at interpolation, which a short
 * run need not reach):
 *
 * <ul>
 *   <li>Tr ≥ trace_floor: for the two-layer ReLU nets ‖∇_θ f(x)‖² ≥ 2‖x'‖|f(x)| (Cauchy–Schwarz, Wen et al. 2023, eq. 3
 *       with f in place of y), for Sim-LN ‖∇_θ f(x)‖² ≥ min(1, (2/ε)‖x'‖|f(x)|);
 *   <li>scenarios I and II: Tr ≥ trace_lower_bound · (1 − √L), because on P_xor (|y| = 1, ‖x'‖ constant) the
 *       floor is trace_lower_bound · mean|f(x_i)| and mean|f| ≥ 1 − mean|f − y| ≥ 1 − √L (Jensen);
 *   <li>the closed-form trace equals the one recomputed from per-example gradients through DJL's autograd.
 * </ul>
 *
 * Tolerances: the trace and floor are computed in double precision from the same float32 weights, so Tr ≥
 * floor holds to rounding (1e-9 relative); L comes from a float32 DJL forward pass (relative error ~1e-6), so
 * the (1 − √L) bound gets 1e-4; the autograd trace is a float32 sum of 20 squared gradient norms, so 1e-4
 * relative is ample.
 */
class SamXorCommandTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private static final String[] TINY = {"--d", "6", "--n", "20", "--width", "30", "--test-size", "500",
        "--sam-epochs", "30", "--gd-epochs", "300", "--evals", "4", "--seed", "3"};

    private int run(Path dir, String... args) {
        CommandLine cl = MinimaDemos.commandLine();
        cl.setOverwrittenOptionsAllowed(true); // a test's own options override TINY's
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + TINY.length + 3];
        all[0] = "sam-xor";
        all[1] = "--out";
        all[2] = dir.toString();
        System.arraycopy(TINY, 0, all, 3, TINY.length);
        System.arraycopy(args, 0, all, 3 + TINY.length, args.length);
        return cl.execute(all);
    }

    private static JsonObject summary(Path dir) throws Exception {
        return JsonParser.parseString(Files.readString(dir.resolve("summary.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    private static final List<String> FIELDS = List.of("scenario", "method", "epochs", "steps", "train_loss", "trace",
            "trace_kind", "trace_autograd", "trace_lower_bound", "trace_floor", "test_accuracy", "phases", "cpu_seconds");

    @Test
    void tinyRunReportsEveryRunWithTheGuaranteedInequalities() throws Exception {
        Path dir = tmp.resolve("all");
        assertEquals(0, run(dir), err.toString());
        JsonObject s = summary(dir);
        JsonArray runs = s.getAsJsonArray("runs");
        assertEquals(6, runs.size());
        for (JsonElement e : runs) {
            JsonObject r = e.getAsJsonObject();
            for (String f : FIELDS) {
                assertTrue(r.has(f), "run lacks " + f + ": " + r);
            }
            String where = r.get("scenario").getAsString() + " " + r.get("method").getAsString() + ": " + r;
            String scenario = r.get("scenario").getAsString();
            boolean sam = r.get("method").getAsString().equals("1-SAM");
            double bound = r.get("trace_lower_bound").getAsDouble();
            // P_xor with d = 6: 4√d without bias, 4√(d+1) with, 2 for Sim-LN (exact on any sample: ‖x‖² = d, |y| = 1)
            double expected = switch (scenario) {
                case "I" -> 4 * Math.sqrt(6);
                case "II" -> 4 * Math.sqrt(7);
                default -> 2.0;
            };
            assertEquals(expected, bound, 1e-12, where);
            long epochs = r.get("epochs").getAsLong();
            assertEquals(sam ? 30 : 300, epochs, where);
            assertEquals(sam ? epochs * 20 : epochs, r.get("steps").getAsLong(), where);
            double loss = r.get("train_loss").getAsDouble();
            double trace = r.get("trace").getAsDouble();
            double acc = r.get("test_accuracy").getAsDouble();
            assertTrue(Double.isFinite(loss) && loss >= 0, where);
            assertTrue(acc >= 0 && acc <= 1, where);
            assertTrue(trace >= r.get("trace_floor").getAsDouble() * (1 - 1e-9), where);
            assertEquals(trace, r.get("trace_autograd").getAsDouble(), 1e-4 * trace, where);
            if (!scenario.equals("III")) {
                assertTrue(trace >= bound * (1 - Math.sqrt(loss)) * (1 - 1e-4), where);
            }
            assertTrue(!r.get("diverged").getAsBoolean(), where);
        }
        // points.csv: one row per evaluation of each run, with the same inequalities; 1-SAM (30 epochs, every 7)
        // is evaluated at 0, 1, 2, 5, 7, 14, 21, 28, 30, GD+WD (300, every 75) at 0, 1, 2, 5, 10, 20, 50, 75, …, 300
        List<String> lines = Files.readAllLines(dir.resolve("points.csv"));
        assertEquals("scenario,method,epoch,train_loss,trace,trace_floor,trace_lower_bound,test_accuracy,"
                + "first_layer_norm,cpu_seconds", lines.get(0));
        for (JsonElement e : runs) {
            JsonObject r = e.getAsJsonObject();
            assertEquals(r.get("method").getAsString().equals("1-SAM") ? 9 : 11, r.get("evaluations").getAsInt());
        }
        assertEquals(1 + 3 * (9 + 11), lines.size());
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",");
            double loss = Double.parseDouble(c[3]);
            double trace = Double.parseDouble(c[4]);
            double floor = Double.parseDouble(c[5]);
            double bound = Double.parseDouble(c[6]);
            double acc = Double.parseDouble(c[7]);
            assertTrue(trace >= floor * (1 - 1e-8), line); // CSV keeps 10 significant digits
            if (!c[0].equals("III")) {
                assertTrue(trace >= bound * (1 - Math.sqrt(loss)) * (1 - 1e-4), line);
            }
            assertTrue(acc >= 0 && acc <= 1 && Double.isFinite(loss), line);
        }
        for (String f : List.of("points.csv", "report.md", "trace-I.png", "accuracy-I.png", "loss-I.png", "trace-II.png",
                "accuracy-II.png", "loss-II.png", "trace-III.png", "accuracy-III.png", "loss-III.png")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("| paper's claim | paper's figure | this run | tolerance | verdict |"), report);
        assertTrue(report.contains("Sim-BN"), "the report judges scenario I's Sim-BN run");
        assertTrue(s.has("sim_bn") && s.getAsJsonObject("sim_bn").get("epochs").getAsLong() == 40, s.toString());
        assertTrue(s.getAsJsonObject("checks").has("II_sam_generalises_worse"));
    }

    /**
     * Same seed, same numbers — also with the garbage collector running continually on another thread, so that a
     * Java-owned scalar freed between a forward pass and its backward pass would change the trajectory.
     */
    /**
     * Collections the second run must see: each one is verified by {@link GarbageCollection#collect()}; the run
     * makes about 1,700 optimizer steps, so 10 collections land between many forward and backward passes under
     * any collector (G1 fits about 400 into the run on two loaded cores, ZGC's slower cycles about 30).
     */
    private static final int MIN_FORCED_COLLECTIONS = 10;

    @Test
    void sameSeedGivesTheSameRunsUnderGcPressure() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        assertEquals(0, run(a, "--scenarios", "II,III", "--sam-epochs", "12", "--gd-epochs", "60"), err.toString());
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong forced = new java.util.concurrent.atomic.AtomicLong();
        Thread gc = new Thread(() -> {
            while (!stop.get()) {
                // a collection the JVM counted, whatever the collector (ZGC counts cycles and pauses apart)
                GarbageCollection.collect();
                forced.incrementAndGet();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        gc.setDaemon(true);
        gc.start();
        try {
            assertEquals(0, run(b, "--scenarios", "II,III", "--sam-epochs", "12", "--gd-epochs", "60"), err.toString());
        } finally {
            stop.set(true);
            gc.join();
        }
        System.out.println("sam-xor under GC pressure: " + forced.get() + " forced collections");
        assertTrue(forced.get() >= MIN_FORCED_COLLECTIONS, "only " + forced.get() + " collections ran during the"
                + " second run");
        JsonArray ra = summary(a).getAsJsonArray("runs");
        JsonArray rb = summary(b).getAsJsonArray("runs");
        assertEquals(4, ra.size());
        for (int i = 0; i < ra.size(); i++) {
            for (String f : List.of("train_loss", "trace", "test_accuracy", "trace_autograd", "first_layer_norm")) {
                assertEquals(ra.get(i).getAsJsonObject().get(f).getAsDouble(),
                        rb.get(i).getAsJsonObject().get(f).getAsDouble(), 0.0, f + " of run " + i);
            }
        }
    }


    @Test
    void rejectsAnUnknownScenario() {
        int code = run(tmp.resolve("bad"), "--scenarios", "IV");
        assertTrue(code != 0);
        assertTrue(err.toString().contains("unknown scenario 'IV'"), err.toString());
    }

    @Test
    void scalesTable2PhasesToABudget() {
        List<Phase> table2 = List.of(new Phase(0.01f, 0.05, 200_000), new Phase(0.01f, 0.1, 400_000));
        List<Phase> quick = SamXorCommand.scale(table2, 1000);
        assertEquals(333, quick.get(0).epochs());
        assertEquals(667, quick.get(1).epochs());
        assertEquals(0.1, quick.get(1).rho());
        List<Phase> three = List.of(new Phase(0.01f, 0.1, 500), new Phase(0.01f, 0.5, 500), new Phase(0.01f, 1, 500));
        assertEquals(three, SamXorCommand.scale(three, 1500));
        List<Phase> tiny = SamXorCommand.scale(three, 4);
        assertEquals(4, tiny.stream().mapToLong(Phase::epochs).sum());
        assertTrue(tiny.stream().allMatch(p -> p.epochs() >= 1));
        assertThrows(IllegalArgumentException.class, () -> SamXorCommand.scale(three, 2));
    }
}
