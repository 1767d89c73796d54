package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code deep-linear} on a small configuration: every claim of its report agrees (Theorem 1 as a lower bound and
 * as attained, the paper's search reaching the closed form, Lemma 1), and the searches' end points sit within
 * 0.1% above Theorem 1's 2m σ_max(T)^{2(1−1/m)} and never below it.
 */
class DeepLinearCommandTest {

    @TempDir
    Path tmp;

    @Test
    void smallRunAgreesWithTheoremOneAndTheSearchReachesIt() throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cl = MinimaDemos.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        Path dir = tmp.resolve("dl");
        int code = cl.execute("deep-linear", "--out", dir.toString(), "--seed", "3", "--dim", "3", "--depth", "3",
                "--minima", "2", "--examples", "16", "--searches", "1", "--search-proposals", "40000");
        assertEquals(0, code, err.toString());
        JsonObject s = JsonParser.parseString(Files.readString(dir.resolve("summary.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        String report = Files.readString(dir.resolve("report.md"));
        assertEquals(0, s.get("disagreements").getAsLong(), report);
        assertEquals(0, s.get("failedChecks").getAsLong(), report);
        double closed = s.get("flattestSharpnessClosedForm").getAsDouble();
        assertEquals(1, s.getAsJsonArray("searches").size());
        for (var e : s.getAsJsonArray("searches")) {
            double lam = e.getAsJsonObject().get("lambdaMax").getAsDouble();
            assertTrue(lam >= closed * (1 - 1e-9) && lam <= closed * 1.001, lam + " vs " + closed);
        }
        assertTrue(Files.size(dir.resolve("search.png")) > 0);
        assertTrue(report.contains("| paper's claim | paper's figure | this run | tolerance | verdict |"), report);
    }

    @Test
    void rejectsANegativeSearchCount() {
        StringWriter err = new StringWriter();
        CommandLine cl = MinimaDemos.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("deep-linear", "--out", tmp.resolve("bad").toString(), "--searches", "-1");
        assertTrue(code != 0);
        assertTrue(err.toString().contains("--searches"), err.toString());
    }
}
