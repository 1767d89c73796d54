package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.minima.data.MnistLocalRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace part of {@code bench} on a few images: the exact reference and the estimators' curves. */
class BenchTraceTest {

    @Test
    void reportsExactReferenceAndCurves(@TempDir Path tmp) throws Exception {
        Path data = MnistLocalRepository.resolveDataDir(null);
        assumeTrue(MnistLocalRepository.inspect(data).isVerified(), "needs the real MNIST files in " + data);
        Path out = tmp.resolve("bench");
        int code = MinimaDemos.commandLine().execute("bench", "--skip-curvature", "--skip-dataset", "--skip-sam",
                "--skip-monitor", "--trace-images", "8", "--trace-seeds", "3", "--trace-max-products", "6",
                "--trace-top-k", "1", "--data", data.toString(), "--out", out.toString());
        assertEquals(0, code);
        JsonObject s = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        assertEquals(0.0, s.get("trace_reference_se").getAsDouble());
        JsonObject init = s.getAsJsonObject("trace_init");
        double trace = init.get("trace_exact").getAsDouble();
        assertTrue(trace > 0, "the trace of a softmax cross-entropy Hessian of a ReLU MLP is tr(GGN) > 0");
        assertTrue(init.get("trace_float32_rel_diff").getAsDouble() < 1e-4);
        // the predicted Hutchinson budget is 2·0.6745²·10⁴·‖H‖_F²/tr²
        double frob2 = init.get("frobenius2").getAsDouble();
        assertEquals(2 * 0.6745 * 0.6745 * 1e4 * frob2 / (trace * trace),
                init.get("hutchinson_products_1pct_predicted").getAsDouble(), 1e-9 * frob2 / (trace * trace) * 1e4);
        assertTrue(init.get("top_k_frobenius2_share").getAsDouble() <= 1 + 1e-6);
        JsonObject products = s.getAsJsonObject("trace_products_1pct").getAsJsonObject("init");
        assertEquals(List.of("hutchinson", "hutchpp", "xtrace"), List.copyOf(products.keySet()));
        List<String> curve = Files.readAllLines(out.resolve("trace_curve.csv"));
        assertEquals(String.join(",", TraceBenchmark.curveHeader()), curve.get(0));
        assertTrue(curve.size() >= 1 + 3, "at least one budget per estimator: " + curve);
    }
}
