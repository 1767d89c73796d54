package dev.minima.demos;

import dev.minima.demos.support.CsvTable;
import dev.minima.demos.support.ModeOption;
import dev.minima.demos.support.Progress;
import dev.minima.demos.support.Report;
import dev.minima.demos.support.ThreadsOption;
import dev.minima.demos.sweeps.StepSizeGrid;
import dev.minima.demos.sweeps.SweepCharts;
import dev.minima.demos.sweeps.SweepClaims;
import dev.minima.demos.sweeps.SweepData;
import dev.minima.demos.sweeps.SweepMeasure;
import dev.minima.demos.sweeps.SweepPoint;
import dev.minima.demos.sweeps.SweepRunner;
import dev.minima.demos.sweeps.UnivariateFigures;
import dev.minima.demos.sweeps.UnivariateFigures.Solution;
import dev.minima.stability.GradientDescentRun;
import dev.minima.stability.ShallowReluGradientDescent;
import dev.minima.stability.ShallowReluInit;
import dev.minima.stability.ShallowReluLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Mulayoff, Michaeli &amp; Soudry (2021): full-batch GD on a univariate one-hidden-layer ReLU network over a log grid of step sizes
 * (Mulayoff et al. (2021), Sec. 5, Fig. 3 and supplement Sec. I) and the step-switch experiment (Mulayoff et al. (2021), Fig. 1). Each end point
 * is measured in function space (S = ∫|f''|g, the bound 1/η − 1/2, the flattest rescaling and its certificate)
 * and in parameter space (Gram λ_max, and the DJL Hessian's λ_max by Lanczos as an independent check).
 */
@Command(name = "univariate-sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Step-size sweep and step switch on a univariate shallow ReLU net (Mulayoff, Michaeli & Soudry 2021).")
public final class UnivariateSweepCommand extends DemoCommand {

    @Mixin
    ModeOption mode = new ModeOption();

    @Option(names = "--n", description = "Training points (default: ${DEFAULT-VALUE}).")
    int n = 10;

    @Option(names = "--width", description = "Hidden neurons k (default: ${DEFAULT-VALUE}).")
    int width = 80;

    @Option(names = "--etas", description = "Number of step sizes (quick 16, full 200).")
    Integer etas;

    @Option(names = "--eta-min", description = "Smallest step size (quick 0.002, full 1e-4).")
    Double etaMin;

    @Option(names = "--eta-max", description = "Largest step size (quick 1.0, full 0.5).")
    Double etaMax;

    @Option(names = "--warmup", description = "Linear warm-up iterations (quick 2e4, full 5e5).")
    Long warmup;

    @Option(names = "--max-steps", description = "Step cap per run (quick 2e6, full 5e7).")
    Long maxSteps;

    @Option(names = "--loss-threshold", description = "Stop when L ≤ this (default: ${DEFAULT-VALUE}).")
    double lossThreshold = 1e-8;

    @Option(names = "--y-scale", description = "Targets uniform on ±this (default: ${DEFAULT-VALUE}).")
    double yScale = 0.25;

    @Option(names = "--init-scale", description = "Factor on PyTorch's default init (default: ${DEFAULT-VALUE}; a"
            + " large init gives the paper's monotone sharpness curve, Mulayoff et al. (2021), supplement Sec. I).")
    double initScale = 5;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--switch-eta", description = "Base step of the step-switch runs (quick 0.002, full 1e-4).")
    Double switchEta;

    @Option(names = "--switch-factor", description = "Step multiplier at the switch (default: ${DEFAULT-VALUE}).")
    double switchFactor = 3;

    @Option(names = "--switch-loss", description = "Switch the first time L falls below this (default: "
            + "${DEFAULT-VALUE}, as in Mulayoff et al. (2021), supplement Sec. I).")
    double switchLoss = 0.1;

    @Option(names = "--switch-max-steps", description = "Step cap of the step-switch runs (quick 2e6, full 3e8).")
    Long switchMaxSteps;

    @Option(names = "--no-switch", description = "Skip the step-switch experiment.")
    boolean noSwitch;

    @Option(names = "--functions", description = "Solutions drawn in the function charts (default: ${DEFAULT-VALUE}).")
    int functions = 4;

    @Override
    protected String name() {
        return "univariate-sweep";
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        int count = mode.pick(etas, 16, 200);
        double lo = mode.pick(etaMin, 0.002, 1e-4);
        double hi = mode.pick(etaMax, 1.0, 0.5);
        long warm = mode.pick(warmup, 20_000L, 500_000L);
        long cap = mode.pick(maxSteps, 2_000_000L, 50_000_000L);
        double swEta = mode.pick(switchEta, 0.002, 1e-4);
        long swCap = mode.pick(switchMaxSteps, 2_000_000L, 300_000_000L);
        if (n < 2) {
            throw new IllegalArgumentException("--n must be at least 2 (the weight function needs two points), got " + n);
        }

        SplittableRandom root = new SplittableRandom(seed);
        long dataSeed = root.nextLong();
        long initSeed = root.nextLong();
        long lanczosSeed = root.nextLong();
        SweepData data = SweepData.univariate(n, yScale, dataSeed);
        ShallowReluLoss loss = ShallowReluLoss.of(data.x(), data.y(), width);
        double[] theta0 = ShallowReluInit.pytorchDefault(width, 1, initScale, initSeed);
        try (CsvTable t = new CsvTable(outDir.resolve("data.csv"), List.of("x", "y"))) {
            for (int j = 0; j < n; j++) {
                t.row(data.x()[j][0], data.y()[j]);
            }
        }

        double lambdaInit = SweepMeasure.gramSharpness(theta0, loss);
        double[] grid = StepSizeGrid.logSpaced(lo, hi, count);
        List<ShallowReluGradientDescent> trainers = new ArrayList<>();
        for (double eta : grid) {
            trainers.add(ShallowReluGradientDescent.builder().setStepSize(eta).optWarmupSteps(warm)
                    .optLossThreshold(lossThreshold).optMaxSteps(cap).build());
        }
        if (!noSwitch) { // Mulayoff et al. (2021), supplement Sec. I, Fig. 1: same init, constant step vs ×factor once L < level; no warm-up
            trainers.add(ShallowReluGradientDescent.builder().setStepSize(swEta).optLossThreshold(lossThreshold)
                    .optMaxSteps(swCap).build());
            trainers.add(ShallowReluGradientDescent.builder().setStepSize(swEta).optLossThreshold(lossThreshold)
                    .optMaxSteps(swCap).optStepSwitch(switchLoss, switchFactor).build());
        }
        logger.info("univariate sweep: n = {}, k = {}, {} step sizes in [{}, {}], warm-up {}, cap {}, L ≤ {}, {} threads.threads()",
                n, width, count, lo, hi, warm, cap, lossThreshold, threads.threads());

        SweepPoint[] points = new SweepPoint[count];
        GradientDescentRun[] runs = new GradientDescentRun[trainers.size()];
        SweepPoint[] switchPoints = new SweepPoint[2];
        Progress progress = new Progress("univariate-sweep", trainers.size());
        try (CsvTable csv = new CsvTable(outDir.resolve("runs.csv"), SweepPoint.csvHeader())) {
            SweepRunner.run(loss, theta0, trainers, threads.threads(), (i, run, seconds) -> {
                runs[i] = run;
                if (i < count) {
                    points[i] = SweepMeasure.of(run, run.stepSize(), loss, lanczosSeed, seconds);
                    csv.row(points[i].csvRow());
                } else {
                    switchPoints[i - count] = SweepMeasure.of(run, run.finalStepSize(), loss, lanczosSeed, seconds);
                }
                progress.step();
            });
        } finally {
            progress.end();
        }

        SweepClaims claims = new SweepClaims(Arrays.asList(points));
        List<SweepPoint> usable = claims.usable();
        SweepCharts.sharpness("Sharpness of GD solutions vs step size (univariate, n = " + n + ", k = " + width + ")",
                claims.points(), usable, outDir.resolve("sharpness.png"));
        UnivariateFigures figures = new UnivariateFigures(data);
        List<Solution> shown = chosenSolutions(points, runs, loss);
        figures.functions("GD solutions for several step sizes", shown, outDir.resolve("functions.png"),
                outDir.resolve("functions.csv"));
        figures.curvature("|f''| of the GD solutions against the weight function g", shown,
                outDir.resolve("curvature.png"), outDir.resolve("knots.csv"));

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("command", name());
        summary.put("mode", mode.label());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("seed", seed);
        config.put("n", n);
        config.put("width", width);
        config.put("etas", count);
        config.put("eta_min", lo);
        config.put("eta_max", hi);
        config.put("warmup", warm);
        config.put("max_steps", cap);
        config.put("loss_threshold", lossThreshold);
        config.put("y_scale", yScale);
        config.put("init_scale", initScale);
        config.put("threads", threads.threads());
        summary.put("config", config);
        summary.put("lmax_init", lambdaInit);
        summary.put("expected_edge_eta", 2 / lambdaInit);
        summary.put("x", data.x1());
        summary.put("y", data.y());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SweepPoint p : claims.points()) {
            rows.add(p.toMap());
        }
        summary.put("runs", rows);
        summary.put("checks", claims.toMap());

        Report report = new Report("Univariate step-size sweep (Mulayoff, Michaeli & Soudry (2021))");
        report.intro(String.format(Locale.ROOT, "Mode: %s. n = %d points, x stratified uniform on [−1, 1], y uniform on"
                + " ±%.3g (seeded, --seed %d); k = %d neurons; ½-MSE; full-batch GD in float64 from one PyTorch-default"
                + " init ×%.3g; %d step sizes log-spaced in [%.3g, %.3g]; linear warm-up over %d iterations; stop at"
                + " L ≤ %.1e or after %d steps.", mode.full() ? "full (paper scale)" : "quick", n, yScale, seed, width,
                initScale, count, lo, hi, warm, lossThreshold, cap));
        claims.addTo(report, "200 step sizes in [1e-4, 0.5]: 2 converged during warm-up, 15 never reached a global"
                + " minimum, 183 (91.5%) plotted (Mulayoff et al. (2021), supp. Sec. I)", 183 / 200.0,
                "Mulayoff et al. (2021), Fig. 3(c)");
        claims.addCertificate(report);
        if (!noSwitch) {
            summary.put("step_switch", stepSwitch(report, swEta, switchPoints, runs[count], runs[count + 1], loss,
                    figures, outDir));
        }
        report.note(String.format(Locale.ROOT, "λ_max(ΦᵀΦ/n) at the initial point is %.4g: GD runs with η below"
                + " 2/λ_init = %.3g need not reach the edge (the init-dependent threshold of Mulayoff et al. (2021), supp. Sec. I).", lambdaInit,
                2 / lambdaInit));
        if (!noSwitch && runs[count + 1].switchStep() >= 0) {
            report.note(String.format(Locale.ROOT, "The step switch fired at iteration %d, the first time L < %.3g"
                    + " (the paper's rule); from this init the loss falls below that level early, then plateaus.",
                    runs[count + 1].switchStep(), switchLoss));
        }
        report.note("The paper does not give its data distribution; this demo draws one x per cell of [−1, 1] so that"
                + " no two inputs nearly coincide (which needs very steep interpolants and far more steps).");
        report.note("Runs that stop at the step cap or converge during the warm-up are excluded from the claims and"
                + " charts, as the paper excludes them; runs.csv lists every run.");
        if (!mode.full()) {
            report.note("Quick mode uses larger step sizes, a shorter warm-up and a lower step cap than the paper;"
                    + " run with --full for the paper's 200 step sizes in [1e-4, 0.5].");
        }
        report.note("Gram λ = λ_max(ΦᵀΦ/n) from the stability package; DJL λ = Lanczos on the exact Hessian (double"
                + " backprop through the autograd bridge) of a float64 DJL block holding the same weights.");
        report.write(outDir.resolve("report.md"));
        summary.put("disagreements", report.disagreements());
        List<String> files = new ArrayList<>(List.of("runs.csv", "data.csv", "functions.csv", "knots.csv",
                "sharpness.png", "functions.png", "curvature.png", "report.md"));
        if (!noSwitch) {
            files.addAll(List.of("switch.csv", "switch-functions.csv", "switch-functions.png", "switch-loss.png"));
        }
        summary.put("files", files);
        logger.info("{} usable runs of {}; report: {} claims differ", usable.size(), count, report.disagreements());
        return summary;
    }

    /** Up to {@code functions} usable solutions spread over the η range (all finite ones if none is usable). */
    private List<Solution> chosenSolutions(SweepPoint[] points, GradientDescentRun[] runs, ShallowReluLoss loss) {
        List<Integer> pool = new ArrayList<>();
        for (int i = 0; i < points.length; i++) {
            if (points[i].usable()) {
                pool.add(i);
            }
        }
        if (pool.isEmpty()) {
            for (int i = 0; i < points.length; i++) {
                if (!points[i].diverged()) {
                    pool.add(i);
                }
            }
        }
        List<Solution> out = new ArrayList<>();
        int m = Math.min(functions, pool.size());
        for (int s = 0; s < m; s++) {
            int idx = pool.get(m == 1 ? 0 : (int) Math.round(s * (pool.size() - 1.0) / (m - 1.0)));
            out.add(new Solution(UnivariateFigures.label(points[idx].eta()),
                    loss.network(runs[idx].theta())));
        }
        return out;
    }

    private Map<String, Object> stepSwitch(Report report, double eta, SweepPoint[] p, GradientDescentRun constant,
            GradientDescentRun switched, ShallowReluLoss loss, UnivariateFigures figures, Path outDir) {
        String a = "constant " + UnivariateFigures.label(eta);
        String b = String.format(Locale.ROOT, "×%.3g once L < %.3g", switchFactor, switchLoss);
        List<Solution> both = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            if (!p[r].diverged()) {
                both.add(new Solution(r == 0 ? a : b, loss.network((r == 0 ? constant : switched).theta())));
            }
        }
        figures.functions("Step switch: constant step vs step ×" + switchFactor + " near the minimum", both,
                outDir.resolve("switch-functions.png"), outDir.resolve("switch-functions.csv"));
        UnivariateFigures.lossCurves("Step switch: training loss", List.of(a, b),
                List.of(constant.traceSteps(), switched.traceSteps()),
                List.of(constant.traceLoss(), switched.traceLoss()), outDir.resolve("switch-loss.png"));
        try (CsvTable t = new CsvTable(outDir.resolve("switch.csv"), List.of("run", "step", "loss"))) {
            for (int r = 0; r < 2; r++) {
                GradientDescentRun run = r == 0 ? constant : switched;
                long[] s = run.traceSteps();
                double[] l = run.traceLoss();
                for (int i = 0; i < s.length; i++) {
                    t.row(r == 0 ? "constant" : "switched", s[i], l[i]);
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eta", eta);
        m.put("factor", switchFactor);
        m.put("switch_loss", switchLoss);
        m.put("switch_step", switched.switchStep());
        m.put("constant", switchMap(p[0], constant));
        m.put("switched", switchMap(p[1], switched));
        boolean smoother = SweepClaims.addStepSwitch(report, p[0], p[1], eta, switched.finalStepSize(),
                switched.switchStep());
        m.put("smoother_after_switch", smoother);
        return m;
    }

    private static Map<String, Object> switchMap(SweepPoint p, GradientDescentRun run) {
        Map<String, Object> m = new LinkedHashMap<>(p.toMap());
        m.put("final_eta", run.finalStepSize());
        return m;
    }
}
