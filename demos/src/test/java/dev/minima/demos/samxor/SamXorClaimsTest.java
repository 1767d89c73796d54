package dev.minima.demos.samxor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minima.demos.samxor.RunPlan.Phase;
import dev.minima.demos.support.Report;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every verdict of {@code sam-xor}'s report can fail: runs that behave as Wen, Ma &amp; Li (2023) describe agree,
 * and a run that violates one claim makes that claim "differ".
 */
class SamXorClaimsTest {

    private static final int TEST = 2000;
    private static final double D = 30;

    private static RunResult run(Scenario s, Method m, double flattest, long epochs, double... traceAccuracy) {
        RunPlan plan = new RunPlan(s, m, List.of(new Phase(0.01f, m == Method.ONE_SAM ? 0.05 : 0, epochs)),
                m == Method.GD_WD ? 0.05f : 0f, m == Method.GD_WD ? 100 : 1, 0, 1, Math.max(1, epochs / 4));
        java.util.ArrayList<EvalPoint> points = new java.util.ArrayList<>();
        int k = traceAccuracy.length / 2;
        for (int i = 0; i < k; i++) {
            points.add(new EvalPoint(i * epochs / Math.max(1, k - 1), i == k - 1 ? 1e-6 : 0.5, traceAccuracy[2 * i],
                    0, traceAccuracy[2 * i + 1], 10, i));
        }
        return new RunResult(plan, points, flattest, traceAccuracy[2 * (k - 1)], false, epochs * 100, 1, 1);
    }

    /** Runs as the paper reports them: I and III generalise at the flattest trace, II's 1-SAM is flat but worse. */
    private static Map<Scenario, Map<Method, RunResult>> paperLike() {
        double fI = 4 * Math.sqrt(D);
        double fII = 4 * Math.sqrt(D + 1);
        Map<Scenario, Map<Method, RunResult>> m = new EnumMap<>(Scenario.class);
        m.put(Scenario.I, new EnumMap<>(Map.of(
                Method.ONE_SAM, run(Scenario.I, Method.ONE_SAM, fI, 1000, 60, 0.5, 30, 0.9, 1.05 * fI, 1.0),
                Method.GD_WD, run(Scenario.I, Method.GD_WD, fI, 1000, 60, 0.5, 90, 0.9, 70, 1.0))));
        m.put(Scenario.II, new EnumMap<>(Map.of(
                Method.ONE_SAM, run(Scenario.II, Method.ONE_SAM, fII, 8000, 60, 0.5, 30, 0.95, 23, 0.9, fII, 0.8),
                Method.GD_WD, run(Scenario.II, Method.GD_WD, fII, 8000, 60, 0.5, 80, 0.9, 70, 1.0))));
        m.put(Scenario.III, new EnumMap<>(Map.of(
                Method.ONE_SAM, run(Scenario.III, Method.ONE_SAM, 2, 1500, 20, 0.5, 3, 0.9, 2.02, 0.99))));
        return m;
    }

    private static Report report(Map<Scenario, Map<Method, RunResult>> runs) {
        Report r = new Report("t");
        new SamXorClaims(runs, TEST).addTo(r);
        return r;
    }

    private static Report with(Scenario s, Method m, RunResult replacement) {
        Map<Scenario, Map<Method, RunResult>> runs = paperLike();
        runs.get(s).put(m, replacement);
        return report(runs);
    }

    @Test
    void runsAsThePaperDescribesAgreeThroughout() {
        Report r = report(paperLike());
        assertEquals(0, r.disagreements(), r.markdown());
    }

    @Test
    void scenarioOneClaimsCanFail() {
        double fI = 4 * Math.sqrt(D);
        // 31.99 is the trace of an under-trained quick run: 46% above 4√d
        Report r = with(Scenario.I, Method.ONE_SAM, run(Scenario.I, Method.ONE_SAM, fI, 600, 60, 0.5, 31.99, 1.0));
        assertEquals("**differs**", r.verdict("Scenario I (Fig. 1, Theorem 3.1)"), r.markdown());
        r = with(Scenario.I, Method.ONE_SAM, run(Scenario.I, Method.ONE_SAM, fI, 600, 60, 0.5, fI, 0.9));
        assertEquals("**differs**", r.verdict("Scenario I (Fig. 1): 1-SAM"), r.markdown());
        r = with(Scenario.I, Method.GD_WD, run(Scenario.I, Method.GD_WD, fI, 600, 60, 0.5, 70, 0.93));
        assertEquals("**differs**", r.verdict("Scenario I (Fig. 1): GD+WD"), r.markdown());
        r = with(Scenario.I, Method.GD_WD, run(Scenario.I, Method.GD_WD, fI, 600, 60, 0.5, 70, 1.0));
        assertEquals("**differs**", r.verdict("Scenario I (Fig. 1 caption)"), r.markdown());
    }

    @Test
    void scenarioTwoClaimsCanFail() {
        double fII = 4 * Math.sqrt(D + 1);
        Report r = with(Scenario.II, Method.ONE_SAM,
                run(Scenario.II, Method.ONE_SAM, fII, 8000, 60, 0.5, 30, 0.95, 40, 0.9, 30, 0.8));
        assertEquals("**differs**", r.verdict("Scenario II (Fig. 4): 1-SAM on 2-MLP-Bias reaches"), r.markdown());
        // as accurate as GD+WD (within 3 SE): not "worse"
        r = with(Scenario.II, Method.ONE_SAM,
                run(Scenario.II, Method.ONE_SAM, fII, 8000, 60, 0.5, 30, 0.99, 23, 1.0, fII, 0.999));
        assertEquals("**differs**", r.verdict("Scenario II (Fig. 4): 1-SAM's flatter minimum"), r.markdown());
        // sharper than GD+WD
        r = with(Scenario.II, Method.GD_WD, run(Scenario.II, Method.GD_WD, fII, 8000, 60, 0.5, 20, 0.9, 20, 1.0));
        assertEquals("**differs**", r.verdict("Scenario II (Fig. 4): the minimum reached by 1-SAM"), r.markdown());
        // no decline: the best accuracy is the last one
        r = with(Scenario.II, Method.ONE_SAM,
                run(Scenario.II, Method.ONE_SAM, fII, 8000, 60, 0.5, 30, 0.7, 23, 0.75, fII, 0.8));
        assertEquals("**differs**", r.verdict("Scenario II (Fig. 4): 1-SAM's test accuracy starts"), r.markdown());
    }

    @Test
    void scenarioThreeClaimsCanFail() {
        Report r = with(Scenario.III, Method.ONE_SAM,
                run(Scenario.III, Method.ONE_SAM, 2, 1500, 20, 0.5, 3, 0.6, 2.02, 0.62));
        assertEquals("**differs**", r.verdict("Scenario III (Fig. 6): 1-SAM"), r.markdown());
        r = with(Scenario.III, Method.ONE_SAM, run(Scenario.III, Method.ONE_SAM, 2, 1500, 20, 0.5, 3, 0.9, 2.5, 0.99));
        assertEquals("**differs**", r.verdict("Scenario III (Prop. 5.2"), r.markdown());
    }

    @Test
    void simBnClaimsCanFail() {
        double[][] paper = {{18.581, -18.582, 0.02}, {-14.363, -14.363, 0.03}, {13.768, 13.771, 0.03},
            {-12.601, 12.601, 0.01}};
        Report ok = new Report("t");
        SamXorClaims.addSimBn(ok, new SimBnXor.Result(200_000, 1e-6, 0.99, 22, paper, new double[] {42.47, 42.48},
                5.65, 1), TEST);
        assertEquals(0, ok.disagreements(), ok.markdown());
        double[][] diffuse = {{0.18, 0.2, 0.7}, {-0.12, 0.03, 0.69}, {-0.17, -0.01, 0.68}, {-0.14, -0.1, 0.67}};
        Report bad = new Report("t");
        SamXorClaims.addSimBn(bad, new SimBnXor.Result(40, 0.9, 0.51, 0.5, diffuse, new double[] {2.4, 2.4}, 2.4, 1),
                TEST);
        assertEquals("**differs**", bad.verdict("Scenario I, Sim-BN (Fig. 2a)"), bad.markdown());
        assertEquals("**differs**", bad.verdict("Scenario I, Sim-BN (Fig. 2b)"), bad.markdown());
        assertEquals("**differs**", bad.verdict("Scenario I, Sim-BN (Sec. 3.2)"), bad.markdown());
    }
}
