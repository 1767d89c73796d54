package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.minima.data.MnistLocalRepository;
import dev.minima.demos.support.Charts;
import dev.minima.demos.support.CsvTable;
import dev.minima.demos.support.RunDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What every command gets from {@link DemoCommand} and {@link MinimaDemos}: outputs that never describe other
 * files (staging, replacement at the end, a killed or failed rerun leaves the previous run intact), provenance in
 * {@code summary.json}, file modes that follow the umask, and one-line errors for a user's mistakes, raised
 * before any work.
 */
public class RunReliabilityTest {

    /** A command that writes the files it is told to, and can fail or hang half-way. */
    @Command(name = "fake-run")
    static final class FakeRun extends DemoCommand {

        @Option(names = "--files", split = ",")
        List<String> files = List.of("a.csv");

        @Option(names = "--content")
        String content = "1";

        @Option(names = "--fail")
        boolean fail;

        @Option(names = "--hang")
        boolean hang;

        @Option(names = "--input")
        Path input;

        @Override
        protected String name() {
            return "fake-run";
        }

        @Override
        protected Map<String, Object> execute(Path outDir) throws Exception {
            if (input != null) {
                recordInput("--input", input);
            }
            for (String f : files) {
                if (f.endsWith(".png")) {
                    var chart = Charts.lines("t", "x", "y", false, false);
                    Charts.add(chart, "s", new double[] {1, 2}, new double[] {1, 2}, false);
                    Charts.savePng(chart, outDir.resolve(f));
                } else if (f.startsWith("table")) {
                    try (CsvTable t = new CsvTable(outDir.resolve(f), List.of("v"))) {
                        t.row(content);
                    }
                } else {
                    writeAtomically(outDir.resolve(f), content + "\n");
                }
            }
            if (hang) {
                Files.writeString(outDir.resolve("started"), "");
                Thread.sleep(120_000);
            }
            if (fail) {
                throw new IllegalStateException("failed on purpose");
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("content", content);
            return m;
        }
    }

    /**
     * Runs the program with the fake command added (the entry point of the child JVM in the kill test).
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        CommandLine cl = MinimaDemos.commandLine();
        cl.addSubcommand(new FakeRun());
        System.exit(cl.execute(args));
    }

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = MinimaDemos.commandLine();
        cl.addSubcommand(new FakeRun());
        err.getBuffer().setLength(0);
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private static JsonObject summary(Path out) throws IOException {
        return JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
    }

    private static List<String> outputs(JsonObject summary) {
        List<String> names = new ArrayList<>();
        summary.getAsJsonArray(RunDirectory.OUTPUTS).forEach(e -> names.add(e.getAsString()));
        return names;
    }

    private static List<Path> staging(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(p -> p.getFileName().toString().startsWith(RunDirectory.STAGING_PREFIX)).toList();
        }
    }

    @Test
    void failedRerunLeavesThePreviousRunIntact(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, run("fake-run", "--files", "a.csv,b.csv", "--content", "old", "--out", out.toString()));
        assertEquals(List.of("a.csv", "b.csv", "summary.json"), outputs(summary(out)));
        assertEquals(1, run("fake-run", "--files", "a.csv", "--content", "new", "--fail", "--out", out.toString()));
        assertEquals("old", summary(out).get("content").getAsString());
        assertEquals("old\n", Files.readString(out.resolve("a.csv")));
        assertTrue(Files.exists(out.resolve("b.csv")));
        assertEquals(List.of(), staging(out), "a failed run removes its staging directory");
    }

    @Test
    void finishedRerunReplacesThePreviousRunsFilesOnly(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "the user's own file");
        assertEquals(0, run("fake-run", "--files", "a.csv,b.csv", "--content", "old", "--out", out.toString()));
        assertEquals(0, run("fake-run", "--files", "a.csv", "--content", "new", "--out", out.toString()));
        assertEquals("new\n", Files.readString(out.resolve("a.csv")));
        assertFalse(Files.exists(out.resolve("b.csv")), "b.csv belonged to the previous run only");
        assertTrue(Files.exists(out.resolve("notes.txt")), "files the program did not write stay");
        assertEquals(List.of("a.csv", "summary.json"), outputs(summary(out)));
        assertEquals(List.of(), staging(out));
    }

    /**
     * A rerun killed with SIGKILL after writing a new a.csv: the previous summary still describes the previous
     * files (its a.csv is untouched), the partial output sits only in a staging directory, and the next run
     * removes that directory.
     */
    @Test
    void killedRerunLeavesNoSummaryOfOtherFiles(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, run("fake-run", "--files", "a.csv", "--content", "old", "--out", out.toString()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                RunReliabilityTest.class.getName(), "fake-run", "--files", "a.csv", "--content", "new", "--hang",
                "--out", out.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (staging(out).stream().noneMatch(s -> Files.exists(s.resolve("started")))) {
                assertTrue(child.isAlive(), () -> "child ended early: " + log(dir));
                assertTrue(System.nanoTime() < deadline, () -> "child did not start: " + log(dir));
                Thread.sleep(50);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals("old", summary(out).get("content").getAsString());
        assertEquals("old\n", Files.readString(out.resolve("a.csv")));
        List<Path> left = staging(out);
        assertEquals(1, left.size(), "the killed run's staging directory marks it as unfinished");
        assertEquals("new\n", Files.readString(left.get(0).resolve("a.csv")));
        assertEquals(0, run("fake-run", "--files", "a.csv", "--content", "newer", "--out", out.toString()));
        assertEquals(List.of(), staging(out), "the next run removes the dead run's staging directory");
        assertEquals("newer", summary(out).get("content").getAsString());
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("child.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Every file a run writes gets 0666 minus the umask, like files written by any other program. */
    @Test
    void fileModesFollowTheUmask(@TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "umask").start();
        String umask = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertEquals(0, p.waitFor());
        int mask = Integer.parseInt(umask, 8);
        Set<PosixFilePermission> expected = PosixFilePermissions.fromString(rwx(0666 & ~mask));
        Path out = dir.resolve("out");
        assertEquals(0, run("fake-run", "--files", "a.csv,table.csv,chart.png", "--out", out.toString()), err::toString);
        for (String f : List.of("a.csv", "table.csv", "chart.png", "summary.json")) {
            assertEquals(PosixFilePermissions.toString(expected),
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(f))), f + " under umask " + umask);
        }
    }

    private static String rwx(int mode) {
        StringBuilder s = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int b = (mode >> shift) & 7;
            s.append((b & 4) != 0 ? 'r' : '-').append((b & 2) != 0 ? 'w' : '-').append((b & 1) != 0 ? 'x' : '-');
        }
        return s.toString();
    }

    @Test
    void summaryRecordsProvenance(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "abc");
        Path out = dir.resolve("out");
        assertEquals(0, run("fake-run", "--input", input.toString(), "--out", out.toString()), err::toString);
        JsonObject p = summary(out).getAsJsonObject("provenance");
        JsonArray cl = p.getAsJsonArray("command_line");
        assertEquals("minima-demos", cl.get(0).getAsString());
        assertEquals("fake-run", cl.get(1).getAsString());
        JsonObject in = p.getAsJsonArray("inputs").get(0).getAsJsonObject();
        assertEquals(input.toAbsolutePath().toString(), in.get("path").getAsString());
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1)
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", in.get("sha256").getAsString());
        JsonObject v = p.getAsJsonObject("versions");
        assertEquals("0.35.1", v.get("djl").getAsString());
        assertTrue(v.get("libtorch").getAsString().startsWith("2.7.1"), v.toString());
        assertNotNull(v.get("minima").getAsString());
        assertTrue(p.get("wall_seconds").getAsDouble() >= 0);
        assertTrue(p.has("threads"));
    }

    @Test
    void errorsAreOneLineWithoutVerbose(@TempDir Path dir) {
        Path out = dir.resolve("out");
        assertEquals(1, run("deep-linear", "--dim", "0", "--out", out.toString()));
        assertEquals("error: --dim must be at least 1, got 0", err.toString().strip());
        assertFalse(Files.exists(out), "nothing is written for a rejected option");

        assertEquals(1, run("deep-linear", "--dim", "0", "--verbose", "--out", out.toString()));
        assertTrue(err.toString().startsWith("error: --dim must be at least 1, got 0"));
        assertTrue(err.toString().contains("\tat dev.minima."), "--verbose prints the stack trace");

        assertEquals(1, run("fake-run", "--fail", "--out", out.toString()));
        String internal = err.toString().strip();
        assertFalse(internal.contains("\n"), internal);
        assertTrue(internal.startsWith("error: IllegalStateException: failed on purpose (an internal error;"), internal);

        assertEquals(2, run("deep-linear", "--dim", "x"));
        String parse = err.toString().strip();
        assertFalse(parse.contains("\n"), parse);
        assertTrue(parse.startsWith("error: Invalid value for option '--dim'"), parse);
    }

    @Test
    void outThatIsAFileIsRejected(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertEquals(1, run("fake-run", "--out", file.toString()));
        assertEquals("error: --out " + file + " is a file, not a directory; name a directory (it is created if"
                + " missing)", err.toString().strip());
    }

    /** Bad values are rejected before any data is read or any training runs (each fails in well under a second). */
    @Test
    void badOptionsFailBeforeAnyWork(@TempDir Path dir) {
        String[][] cases = {
            {"--etas = 1.0E308 overflows float32", "eos", "--etas=1e308"},
            {"--images must be at most 10000", "bench", "--images", "20000"},
            {"--10class-lr must be a finite number, got NaN", "mnist-classify", "--10class-lr", "NaN"},
            {"--adam-betas must lie in [0, 1), got 1.5", "mnist-denoise", "--adam-betas=1.5,2"},
            {"--dim must be at least 1", "deep-linear", "--dim", "0"},
            {"--threads must be at least 1", "sam-xor", "--threads", "0"},
            {"--eta must be positive", "norms", "--eta=-0.1", "--weights", "w.json", "--data", "x.csv"},
        };
        for (String[] c : cases) {
            Path out = dir.resolve(c[1]);
            List<String> args = new ArrayList<>(List.of(c).subList(1, c.length));
            args.addAll(List.of("--out", out.toString()));
            long t0 = System.nanoTime();
            assertEquals(1, run(args.toArray(String[]::new)), c[1] + ": " + err);
            double seconds = (System.nanoTime() - t0) / 1e9;
            String line = err.toString().strip();
            assertTrue(line.startsWith("error: ") && line.contains(c[0]) && !line.contains("\n"), c[1] + ": " + line);
            assertFalse(Files.exists(out), c[1] + " created its output directory");
            assertTrue(seconds < 5, c[1] + " took " + seconds + " s to reject its option");
        }
    }

    /** A data directory the user named is never replaced by a download. */
    @Test
    void namedEmptyDataDirectorySaysToFetch(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(1, run("mnist-info", "--data", empty.toString(), "--out", dir.resolve("out").toString()));
        assertEquals("error: no MNIST copy in " + MnistLocalRepository.resolveDataDir(empty) + "; run `java -jar"
                + " demos/target/minima-demos.jar fetch-mnist --data " + MnistLocalRepository.resolveDataDir(empty)
                + "` first", err.toString().strip());
    }
}
