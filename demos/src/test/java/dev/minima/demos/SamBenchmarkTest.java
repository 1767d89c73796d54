package dev.minima.demos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs {@link SamBenchmark}, prints its figures and checks they are sane. Off by default (it takes 10–30 s);
 * to reproduce the reported figures: {@code mvn -B -q test -pl plugin -Dtest=SamBenchmarkTest -Dsam.bench=true
 * -Dsam.bench.rounds=20 -Dsam.bench.threads=1} (threads: libtorch intra-op threads for the MLP; 0 keeps the
 * default).
 */
class SamBenchmarkTest {

    /** Loose bounds only (a shared machine's load moves timings): 1.2 ≤ sam/sgd ≤ 4, every time positive. */
    @Test
    @EnabledIfSystemProperty(named = "sam.bench", matches = "true")
    void figuresAreSane() {
        Engine.getInstance();
        int threads = JniUtils.getNumThreads();
        int wanted = Integer.getInteger("sam.bench.threads", 0);
        if (wanted > 0) {
            JniUtils.setNumThreads(wanted);
        }
        try {
            int rounds = Integer.getInteger("sam.bench.rounds", 3);
            Map<String, Object> figures = SamBenchmark.run(Math.min(5, rounds), rounds, 0);
            System.out.println("SamBenchmark " + figures);
            double ratio = (Double) figures.get("sam_over_sgd");
            assertTrue(ratio >= 1.2 && ratio <= 4, "sam_over_sgd " + ratio);
            assertTrue((Double) figures.get("sgd_step_ms") > 0);
            assertTrue((Double) figures.get("one_sam_step_us") > 0);
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }
}
