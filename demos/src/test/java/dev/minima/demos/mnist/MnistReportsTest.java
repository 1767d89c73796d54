package dev.minima.demos.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minima.demos.support.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every verdict of the MNIST demos' reports can fail: a measured-looking summary that agrees with every claim
 * gets "agrees", and for each claim a copy that violates it (and only it, where possible) gets "differs".
 */
class MnistReportsTest {

    private static final String AGREES = "agrees";
    private static final String DIFFERS = "**differs**";

    // ---------------------------------------------------------------- mnist-denoise (Mulayoff & Michaeli 2020)

    private static Map<String, Object> denoiseRun(String opt, double loss, double lmax, List<Double> gains) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("optimizer", opt);
        m.put("learning_rate", "sgd".equals(opt) ? 0.5 : 3e-4);
        m.put("init_seed", 0L);
        m.put("train_loss", loss);
        m.put("val_loss", loss * 1.02);
        m.put("baseline_ratio", loss / 0.0673);
        m.put("grad_norm", 0.002);
        m.put("grad_norm_epoch1", 0.05);
        m.put("loss_drop_last_quarter", 0.02);
        m.put("lmax", lmax);
        m.put("lmax_residual", 0.01);
        m.put("threshold", "sgd".equals(opt) ? 4.0 : null);
        m.put("gain_profile", gains);
        return m;
    }

    /** Table S1's own figures: every claim agrees. */
    private static Map<String, Object> denoiseSummary(Consumer<List<Map<String, Object>>> edit) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mode", "full");
        config.put("train", 50000);
        config.put("val", 10000);
        config.put("epochs", 40);
        config.put("steps_per_epoch", 500);
        config.put("inits", 1);
        config.put("depth", 6);
        config.put("batch", 100);
        config.put("sigma", 1.25);
        config.put("init", "he");
        config.put("loss", "mse");
        config.put("probe", 1000);
        config.put("gain_starts", 100);
        config.put("gain_iterations", 300);
        config.put("gain_radius", 36.0);
        config.put("plateau_ratio", 0.6);
        config.put("seed", 0);
        List<Map<String, Object>> runs = new ArrayList<>();
        runs.add(denoiseRun("sgd", 0.0269, 1.76, List.of(1.0, 1.1, 1.2, 1.2, 1.1, 1.0)));
        runs.add(denoiseRun("adam", 0.0274, 12.9, List.of(2.0, 3.0, 4.0, 5.0, 3.0, 2.0)));
        edit.accept(runs);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("config", config);
        s.put("baseline", Map.of("train", 0.0673, "val", 0.0670, "affine", 0.0397));
        s.put("runs", runs);
        return s;
    }

    @Test
    void denoiseReportListsDeadUnitsAndTheSharpnessTrace() {
        String md = DenoiseReport.build(denoiseSummary(runs -> {
            runs.get(0).put("dead_units", List.of(0.0, 0.07, 0.17, 0.25, 0.37));
            runs.get(0).put("trace", List.of(Map.of("step", 500, "train_loss_running", 0.07, "lmax", 2.05)));
        })).markdown();
        assertTrue(md.contains("0.00 0.07 0.17 0.25 0.37"), md);
        assertTrue(md.contains("step 500: loss 0.07000, lambda_max 2.050"), md);
    }

    /**
     * The report says whether the noise was drawn afresh every epoch (a departure from the paper it must state)
     * or once, and how long the run took, wall clock and CPU.
     */
    @Test
    @SuppressWarnings("unchecked")
    void denoiseReportStatesTheNoiseAndTheDuration() {
        Map<String, Object> s = denoiseSummary(runs -> {});
        String fixed = DenoiseReport.build(s).markdown();
        assertTrue(fixed.contains("Noise drawn once per image from the seed, as in the paper"), fixed);
        assertTrue(!fixed.contains("Duration:"), "no duration without seconds: " + fixed);
        ((Map<String, Object>) s.get("config")).put("fresh_noise", true);
        ((Map<String, Object>) s.get("config")).put("parallel", true);
        s.put("seconds", 300.4);
        s.put("cpu_seconds", 512.0);
        String fresh = DenoiseReport.build(s).markdown();
        assertTrue(fresh.contains("Noise drawn afresh every epoch (--fresh-noise), a departure from the paper"), fresh);
        assertTrue(fresh.contains("Duration: 300 s wall clock, 512 s CPU time; SGD and Adam trained at the same time"
                + " in two threads, 1 libtorch intra-op thread(s) per run."), fresh);
    }

    private static final String[] DENOISE_CLAIMS = {"SGD and Adam reach minima", "SGD (eta", "SGD's minima have",
        "Adam's minima have", "Adam's minimum is several", "Adam's intermediate gains", "Both reach a per-pixel"};

    @Test
    void denoiseReportAgreesWithThePapersOwnFigures() {
        Report r = DenoiseReport.build(denoiseSummary(runs -> {}));
        for (String c : DENOISE_CLAIMS) {
            assertEquals(AGREES, r.verdict(c), c + "\n" + r.markdown());
        }
    }

    @Test
    void denoiseReportSaysDiffersForEachViolatedClaim() {
        // still on the plateau: loss 0.9 x the mean-image loss
        assertEquals(DIFFERS, DenoiseReport.build(denoiseSummary(runs -> runs.get(0).put("baseline_ratio", 0.9)))
                .verdict("SGD and Adam reach minima"));
        // training loss off the plateau, validation loss on it: the noise of the training images was memorised
        assertEquals(DIFFERS, DenoiseReport.build(denoiseSummary(runs -> runs.get(1).put("val_loss", 0.0711)))
                .verdict("SGD and Adam reach minima"));
        // the old quick run as measured: SGD at 0.97 x the mean-image loss, gradient 0.020 -> 0.017; Adam at 0.59 x
        assertEquals(DIFFERS, DenoiseReport.build(denoiseSummary(runs -> {
            runs.get(0).putAll(Map.of("train_loss", 0.0652, "val_loss", 0.0670, "baseline_ratio", 0.0652 / 0.0673,
                    "grad_norm", 0.017, "grad_norm_epoch1", 0.020));
            runs.get(1).putAll(Map.of("train_loss", 0.0394, "val_loss", 0.0510, "baseline_ratio", 0.0394 / 0.0673,
                    "grad_norm", 0.026, "grad_norm_epoch1", 0.017));
        })).verdict("SGD and Adam reach minima"));
        // left the plateau but still falling fast: 30% over the last quarter of the epochs
        assertEquals(DIFFERS, DenoiseReport.build(denoiseSummary(runs -> runs.get(1).put("loss_drop_last_quarter",
                0.3))).verdict("SGD and Adam reach minima"));
        // SGD from He at eta = 1/2 on the way off the plateau (4,000 steps on 50,000 images: 0.88 x, still falling)
        assertEquals(DIFFERS, DenoiseReport.build(denoiseSummary(runs -> {
            runs.get(0).put("baseline_ratio", 0.88);
            runs.get(0).put("loss_drop_last_quarter", 0.08);
        })).verdict("SGD and Adam reach minima"));
        // SGD above 2/eta by more than the residual
        assertEquals(DIFFERS, DenoiseReport.build(denoiseSummary(runs -> runs.get(0).put("lmax", 4.2)))
                .verdict("SGD (eta"));
        // SGD's lambda_max 40% above Table S1, Adam's below 12.9 - 2 x 2.2
        assertEquals(DIFFERS, DenoiseReport.build(denoiseSummary(runs -> runs.get(0).put("lmax", 2.46)))
                .verdict("SGD's minima have"));
        assertEquals(DIFFERS, DenoiseReport.build(denoiseSummary(runs -> runs.get(1).put("lmax", 8.0)))
                .verdict("Adam's minima have"));
        // Adam only 1.4x sharper (the old quick run's ratio)
        Report weak = DenoiseReport.build(denoiseSummary(runs -> {
            runs.get(0).put("lmax", 2.05);
            runs.get(1).put("lmax", 2.87);
        }));
        assertEquals(DIFFERS, weak.verdict("Adam's minimum is several"));
        // Adam's gains below SGD's at most layers
        assertEquals(DIFFERS, DenoiseReport.build(denoiseSummary(runs -> runs.get(1).put("gain_profile",
                List.of(0.5, 0.5, 0.5, 0.5, 3.0, 3.0)))).verdict("Adam's intermediate gains"));
        // losses far from 0.027
        assertEquals(DIFFERS, DenoiseReport.build(denoiseSummary(runs -> runs.get(0).put("train_loss", 0.0652)))
                .verdict("Both reach a per-pixel"));
    }

    @Test
    void denoiseTableAveragesOverInitialisations() {
        List<Map<String, Object>> runs = new ArrayList<>();
        runs.add(denoiseRun("sgd", 0.027, 1.7, List.of()));
        runs.add(denoiseRun("sgd", 0.027, 1.9, List.of()));
        runs.add(denoiseRun("adam", 0.027, 10.0, List.of()));
        @SuppressWarnings("unchecked")
        Map<String, Object> sgd = (Map<String, Object>) DenoiseReport.table(runs).get("sgd");
        assertEquals(1.8, (Double) sgd.get("lmax_mean"), 1e-12);
        assertEquals(Math.sqrt(0.02), (Double) sgd.get("lmax_sd"), 1e-12); // sample s.d. of {1.7, 1.9}
        @SuppressWarnings("unchecked")
        Map<String, Object> adam = (Map<String, Object>) DenoiseReport.table(runs).get("adam");
        assertEquals(0.0, (Double) adam.get("lmax_sd"), 0);
    }

    // ---------------------------------------------------------------- mnist-classify 0 vs 1 (Nacson et al. 2023)

    /** eta, lambda_max (Hessian and Gram), S_theta, flattest lambda and its lower bound, accuracy. */
    private static StepSizeRun grid(double eta, double lmax, double s, double flattest, double acc) {
        return new StepSizeRun(eta, 100, true, false, 1e-5, lmax, 0.01, lmax, s, 1.0, 0.1, flattest,
                flattest * 0.999, acc, 1.0);
    }

    private static List<StepSizeRun> goodGrid() {
        return new ArrayList<>(List.of(grid(0.01, 195, 20, 50, 0.90), grid(0.03, 64, 12, 30, 0.93),
                grid(0.1, 19, 5, 13, 0.97)));
    }

    private static Report classify(List<StepSizeRun> runs) {
        Report r = new Report("t");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mode", "full");
        ClassifyReport.binary(r, config, runs);
        return r;
    }

    @Test
    void classifyReportAgreesAndEachClaimCanFail() {
        Report ok = classify(goodGrid());
        for (String c : new String[] {"Every minimum SGD", "lambda_max lies on", "1 + 2 S_theta is close",
            "The stability norm falls", "Validation accuracy"}) {
            assertEquals(AGREES, ok.verdict(c), c + "\n" + ok.markdown());
        }
        assertEquals("holds", ok.verdict("1 + 2 S_theta and the certified"));
        assertEquals("holds", ok.verdict("1 + 2 S_theta <= lambda_max"));

        List<StepSizeRun> above = goodGrid();
        above.set(2, grid(0.1, 21, 5, 13, 0.97)); // 21 > 2/0.1 = 20
        assertEquals(DIFFERS, classify(above).verdict("Every minimum SGD"));
        List<StepSizeRun> low = goodGrid();
        low.set(1, grid(0.03, 40, 12, 30, 0.93)); // 40 / 66.7 = 0.6 < 0.8
        assertEquals(DIFFERS, classify(low).verdict("lambda_max lies on"));
        List<StepSizeRun> loose = goodGrid();
        loose.set(0, grid(0.01, 195, 20, 100, 0.90)); // flattest 100 vs 1 + 2S = 41: ratio 2.4
        assertEquals(DIFFERS, classify(loose).verdict("1 + 2 S_theta is close"));
        List<StepSizeRun> rough = goodGrid();
        rough.set(2, grid(0.1, 19, 8, 18, 0.97)); // S: 20, 12, 8 falls; make it rise
        rough.set(1, grid(0.03, 64, 6, 14, 0.93));
        assertEquals(DIFFERS, classify(rough).verdict("The stability norm falls"));
        List<StepSizeRun> worse = goodGrid();
        worse.set(2, grid(0.1, 19, 5, 13, 0.85));
        assertEquals(DIFFERS, classify(worse).verdict("Validation accuracy"));
        // a chain that cannot hold: 1 + 2S above the flattest lambda found
        List<StepSizeRun> broken = goodGrid();
        broken.set(2, grid(0.1, 19, 8, 13, 0.97));
        assertEquals("**fails**", classify(broken).verdict("1 + 2 S_theta and the certified"));
    }

    // ---------------------------------------------------------------- 10-class SGD vs SAM

    private static TenClassRun ten(String name, double acc, double lmax, double monitorMax) {
        return new TenClassRun(name, 0.5, "sam".equals(name) ? 0.05 : 0, 5, 2345, 0.05, 0.99, acc, lmax, 0.001, 30,
                20, 1, 30, 10, monitorMax);
    }

    private static Report tenClass(TenClassRun sgd, TenClassRun sam) {
        Report r = new Report("t");
        TenClassComparison.Settings s = new TenClassComparison.Settings(60000, 1000, 256, 128, 0.5, 0.05, 5, 60,
                1e-3, 30, 50, 0);
        TenClassReport.compare(r, s, "quick", sgd, sam);
        return r;
    }

    @Test
    void tenClassReportAgreesAndEachClaimCanFail() {
        Report ok = tenClass(ten("sgd", 0.9775, 1.45, 3.9), ten("sam", 0.9768, 1.10, 3.0));
        for (String c : new String[] {"Both networks are trained", "SAM ends at a flatter", "SAM's test accuracy",
            "SGD's sharpness stays"}) {
            assertEquals(AGREES, ok.verdict(c), c + "\n" + ok.markdown());
        }
        assertEquals(DIFFERS, tenClass(ten("sgd", 0.9158, 1.45, 3.9), ten("sam", 0.9217, 1.10, 3.0))
                .verdict("Both networks are trained"));
        assertEquals(DIFFERS, tenClass(ten("sgd", 0.9775, 1.45, 3.9), ten("sam", 0.9768, 1.50, 3.0))
                .verdict("SAM ends at a flatter"));
        // 2 s.e. of the difference at 97.7% on 10,000 images is about 0.42 points: 1 point worse differs
        assertEquals(DIFFERS, tenClass(ten("sgd", 0.9775, 1.45, 3.9), ten("sam", 0.9675, 1.10, 3.0))
                .verdict("SAM's test accuracy"));
        assertEquals(DIFFERS, tenClass(ten("sgd", 0.9775, 1.45, 4.5), ten("sam", 0.9768, 1.10, 3.0))
                .verdict("SGD's sharpness stays"));
    }
}
