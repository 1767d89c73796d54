package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code norms} subcommand on a small W.json / X.csv. */
class NormsCommandTest {

    private static final List<String> KEYS = List.of("n", "d", "k", "stability_norm", "per_neuron_norm",
            "lambda_max_gram", "lower_bound_mean_grad", "lower_bound_chain", "lower_bound_norm", "bound",
            "flattest_lambda", "flattest_certificate", "ghat_upper", "knots_on_data", "verdict");

    @Test
    void writesSummaryWithReportKeys(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("W.json");
        Path x = dir.resolve("X.csv");
        Files.writeString(w, "{\"W1\": [[1.0], [-1.0], [2.0]], \"b1\": [0.3, 0.2, -1.1], \"w2\": [0.5, -0.7, 0.2],"
                + " \"b2\": 0.1}");
        Files.writeString(x, "-1.0\n-0.4\n0.1\n0.7\n1.3\n");
        Path out = dir.resolve("out");
        int code = MinimaDemos.commandLine().execute("norms", "--weights", w.toString(), "--data", x.toString(),
                "--eta", "0.5", "--loss", "mse", "--out", out.toString());
        assertEquals(0, code);
        JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        List<String> keys = new ArrayList<>(KEYS);
        keys.addAll(List.of("provenance", "outputs"));
        assertEquals(keys, new ArrayList<>(summary.keySet()));
        // the inputs, by path and SHA-256
        JsonObject weights = summary.getAsJsonObject("provenance").getAsJsonArray("inputs").get(0).getAsJsonObject();
        assertEquals("--weights", weights.get("option").getAsString());
        assertEquals(dev.minima.data.MnistLocalRepository.sha256(w), weights.get("sha256").getAsString());
        assertEquals(5, summary.get("n").getAsInt());
        assertEquals(1, summary.get("d").getAsInt());
        assertEquals(3, summary.get("k").getAsInt());
        // bound = 1/(Cη) − 1/2 with C = 2 for mse
        assertEquals(0.5, summary.get("bound").getAsDouble(), 1e-12);
        assertTrue(summary.get("lambda_max_gram").getAsDouble() >= summary.get("lower_bound_norm").getAsDouble());
        assertTrue(summary.get("verdict").isJsonPrimitive());
    }

    @Test
    void withoutEtaBoundAndVerdictAreNull(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("W.json");
        Path x = dir.resolve("X.csv");
        Files.writeString(w, "{\"W1\": [[1.0, 0.5], [-1.0, 2.0]], \"b1\": null, \"w2\": [0.5, -0.7], \"b2\": null}");
        Files.writeString(x, "-1.0,0.2\n-0.4,1\n0.1,-2\n");
        Path out = dir.resolve("out");
        int code = MinimaDemos.commandLine().execute("norms", "--weights", w.toString(), "--data", x.toString(),
                "--out", out.toString());
        assertEquals(0, code);
        JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        assertTrue(summary.get("bound").isJsonNull());
        assertTrue(summary.get("verdict").isJsonNull());
        assertEquals(2, summary.get("d").getAsInt());
    }

    @Test
    void malformedFilesFail(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("W.json");
        Path x = dir.resolve("X.csv");
        Files.writeString(w, "{\"W1\": [[1.0]], \"w2\": [1.0, 2.0]}");
        Files.writeString(x, "1\n2\n");
        int code = MinimaDemos.commandLine().execute("norms", "--weights", w.toString(), "--data", x.toString(),
                "--out", dir.resolve("out").toString());
        assertNotEquals(0, code);
        assertTrue(!Files.exists(dir.resolve("out").resolve("summary.json")));
    }
}
