package dev.minima.demos;

import ai.djl.training.dataset.Dataset;
import dev.minima.data.MnistArrays;
import dev.minima.demos.mnist.BinaryMnist;
import dev.minima.demos.mnist.ClassifyCharts;
import dev.minima.demos.mnist.ClassifyReport;
import dev.minima.demos.mnist.StepSizeGrid;
import dev.minima.demos.mnist.StepSizeRun;
import dev.minima.demos.mnist.TenClassComparison;
import dev.minima.demos.mnist.TenClassReport;
import dev.minima.demos.mnist.TenClassRun;
import dev.minima.demos.support.Checks;
import dev.minima.demos.support.CsvTable;
import dev.minima.demos.support.MnistDataOption;
import dev.minima.demos.support.ModeOption;
import dev.minima.demos.support.Report;
import dev.minima.demos.support.ThreadsOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mnist-classify}: Nacson et al.'s (2023) MNIST experiment (Sec. 6, Fig. 5). A one-hidden-layer ReLU network (k =
 * 200, output bias) is trained by SGD (batch 16, ½-MSE) on 512 images of the digits 0 (y = +1) and 1 (y = −1)
 * for a grid of step sizes; each minimum's sharpness is set against 2/η and the stability-norm bound 1 + 2S_θ,
 * and its validation accuracy against η.
 *
 * <p>The command runs a list of parts, each adding its keys to {@code summary.json} and its claims to {@code
 * report.md}: the 0-vs-1 step-size grid ({@code config}, {@code runs}; skipped with {@code --skip-binary}) and
 * the 10-class SGD-vs-SAM comparison ({@link TenClassComparison}: {@code config_10class}, {@code sgd}, {@code
 * sam}; skipped with {@code --skip-10class}).
 */
@Command(
        name = "mnist-classify",
        mixinStandardHelpOptions = true,
        description = {
            "Nacson et al. (2023), stable minima of shallow ReLU nets: MNIST 0-vs-1, SGD over a grid of step sizes; lambda_max"
                    + " vs 2/eta and 1 + 2 S_theta, bias norm and validation accuracy vs eta; then 10-class SGD vs SAM"
                    + " with the sharpness monitor attached."
        })
public final class MnistClassify extends DemoCommand {

    /** One experiment of the command: adds its keys to the summary and its claims to the report. */
    interface Part {
        /**
         * @param outDir the output directory
         * @param summary the summary to add keys to
         * @param report the report to add claims to
         * @throws Exception on failure
         */
        void run(Path outDir, Map<String, Object> summary, Report report) throws Exception;
    }

    @Mixin
    ModeOption mode = new ModeOption();

    @Mixin
    MnistDataOption data = new MnistDataOption();

    @Option(names = "--etas", paramLabel = "ETA,...", split = ",", description = "Step sizes (quick: 0.005,0.01,0.03,"
            + "0.1; full: 12 log-spaced in [1e-3, 0.2]).")
    double[] etas;

    @Option(names = "--train-size", paramLabel = "N", description = "Training images, half per class (default:"
            + " ${DEFAULT-VALUE}).")
    int trainSize = 512;

    @Option(names = "--val-per-class", paramLabel = "N", description = "Validation images per class (default:"
            + " ${DEFAULT-VALUE}).")
    int valPerClass = 4000;

    @Option(names = "--hidden", paramLabel = "K", description = "Hidden neurons (default: ${DEFAULT-VALUE}).")
    int hidden = 200;

    @Option(names = "--batch", paramLabel = "B", description = "SGD batch size (default: ${DEFAULT-VALUE}).")
    int batch = 16;

    @Option(names = "--init-scale", paramLabel = "S", description = "Factor on PyTorch's default initialisation"
            + " (paper: about 10; default: ${DEFAULT-VALUE}).")
    double initScale = 10;

    @Option(names = "--warmup-epochs", paramLabel = "E", description = "Epochs of linear warm-up of the step size from 0"
            + " (quick 100, full 500; 0 for none).")
    Integer warmupEpochs;

    @Option(names = "--threshold", paramLabel = "L", description = "Loss threshold (quick 1e-4, full 1e-8).")
    Double threshold;

    @Option(names = "--patience", paramLabel = "E", description = "Epochs the loss must stay below the threshold"
            + " after the warm-up (quick 20, full 2000).")
    Integer patience;

    @Option(names = "--max-epochs", paramLabel = "E", description = "Epoch cap per step size (quick 800, full 20000).")
    Integer maxEpochs;

    @Option(names = "--lanczos", paramLabel = "K", description = "Most Hessian-vector products per lambda_max"
            + " (default: ${DEFAULT-VALUE}).")
    int lanczos = 60;

    @Option(names = "--lanczos-tol", paramLabel = "TOL", description = "Lanczos relative residual tolerance"
            + " (default: ${DEFAULT-VALUE}).")
    double lanczosTol = 1e-3;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--skip-binary", description = "Skip the 0-vs-1 step-size grid.")
    boolean skipBinary;

    @Option(names = "--skip-10class", description = "Skip the 10-class SGD-vs-SAM comparison.")
    boolean skipTenClass;

    @Option(names = "--10class-train", paramLabel = "N", description = "10-class training images, the first of"
            + " MNIST's training split (default: all 60000).")
    Integer tenTrain;

    @Option(names = "--10class-epochs", paramLabel = "E", description = "10-class epochs per optimizer (quick 5,"
            + " full 30).")
    Integer tenEpochs;

    @Option(names = "--10class-hidden", paramLabel = "K", description = "10-class hidden units (default:"
            + " ${DEFAULT-VALUE}).")
    int tenHidden = 256;

    @Option(names = "--10class-batch", paramLabel = "B", description = "10-class batch size (default:"
            + " ${DEFAULT-VALUE}).")
    int tenBatch = 128;

    @Option(names = "--10class-lr", paramLabel = "ETA", description = "10-class SGD step size, both runs (default:"
            + " ${DEFAULT-VALUE}).")
    double tenLr = 0.5;

    @Option(names = "--10class-rho", paramLabel = "RHO", description = "SAM radius (default: ${DEFAULT-VALUE},"
            + " Foret et al.).")
    double tenRho = 0.05;

    @Option(names = "--10class-probe", paramLabel = "N", description = "Training images of the curvature probe"
            + " (default: ${DEFAULT-VALUE}).")
    int tenProbe = 1000;

    @Option(names = "--10class-trace-samples", paramLabel = "S", description = "Hutchinson probes for tr(H)"
            + " (default: ${DEFAULT-VALUE}).")
    int tenTraceSamples = 30;

    @Option(names = "--10class-monitor-every", paramLabel = "K", description = "Steps between the monitor's"
            + " lambda_max measurements (default: ${DEFAULT-VALUE}).")
    int tenMonitorEvery = 50;

    @Override
    protected String name() {
        return "mnist-classify";
    }

    /** Images of the digit 0, the rarer of the two, in MNIST's training split. */
    static final int ZEROS_IN_TRAINING_SPLIT = 5923;

    @Override
    protected void validate() {
        if (etas != null) {
            Checks.positiveFloats("--etas", etas);
        }
        Checks.atLeast("--train-size", trainSize, 2);
        Checks.atLeast("--val-per-class", valPerClass, 1);
        Checks.require(trainSize / 2 + valPerClass <= ZEROS_IN_TRAINING_SPLIT, "--train-size / 2 + --val-per-class = "
                + (trainSize / 2 + valPerClass) + " exceeds the " + ZEROS_IN_TRAINING_SPLIT + " images of the digit 0"
                + " in MNIST's training split; lower them");
        Checks.atLeast("--hidden", hidden, 1);
        Checks.atLeast("--batch", batch, 1);
        Checks.positiveFloat("--init-scale", initScale);
        Checks.atLeast("--warmup-epochs", mode.pick(warmupEpochs, 0, 0), 0);
        Checks.positiveFloat("--threshold", mode.pick(threshold, 1e-4, 1e-8));
        Checks.atLeast("--patience", mode.pick(patience, 0, 0), 0);
        Checks.atLeast("--max-epochs", mode.pick(maxEpochs, 1, 1), 1);
        Checks.atLeast("--lanczos", lanczos, 1);
        Checks.inRange("--lanczos-tol", lanczosTol, 0, false, 1, false);
        Checks.between("--10class-train", mode.pick(tenTrain, 10_000, 60_000), 1, 60_000,
                "MNIST's training split has 60,000 images");
        Checks.atLeast("--10class-epochs", mode.pick(tenEpochs, 1, 1), 1);
        Checks.atLeast("--10class-hidden", tenHidden, 1);
        Checks.atLeast("--10class-batch", tenBatch, 1);
        Checks.positiveFloat("--10class-lr", tenLr);
        Checks.nonNegativeFloat("--10class-rho", tenRho);
        Checks.between("--10class-probe", tenProbe, 1, 60_000, "MNIST's training split has 60,000 images");
        Checks.atLeast("--10class-trace-samples", tenTraceSamples, 1);
        Checks.atLeast("--10class-monitor-every", tenMonitorEvery, 1);
    }

    /** @return the parts run in order: the 0-vs-1 grid, then the 10-class SGD-vs-SAM comparison, unless skipped */
    List<Part> parts() {
        List<Part> parts = new ArrayList<>();
        if (!skipBinary) {
            parts.add(this::binaryStepSizeGrid);
        }
        if (!skipTenClass) {
            parts.add(this::tenClassSgdVsSam);
        }
        return parts;
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        Map<String, Object> summary = new LinkedHashMap<>();
        Report report = new Report("mnist-classify: step size, sharpness and smoothness on MNIST (Nacson et al. 2023);"
                + " SGD vs SAM on 10 classes (Foret et al. 2021, Cohen et al. 2021)");
        for (Part part : parts()) {
            part.run(outDir, summary, report);
        }
        report.write(outDir.resolve("report.md"));
        return summary;
    }

    private void binaryStepSizeGrid(Path outDir, Map<String, Object> summary, Report report) throws Exception {
        double[] grid = etas != null ? etas.clone() : mode.full() ? dev.minima.util.Numerics.logSpaced(1e-3, 0.2, 12) : new double[] {0.005, 0.01,
            0.03, 0.1};
        StepSizeGrid.Settings settings = new StepSizeGrid.Settings(grid, hidden, batch, initScale,
                mode.pick(warmupEpochs, 100, 500),
                mode.pick(threshold, 1e-4, 1e-8),
                mode.pick(patience, 20, 2000),
                mode.pick(maxEpochs, 800, 20_000),
                lanczos, lanczosTol, seed);
        BinaryMnist set = BinaryMnist.of(MnistArrays.read(data.dir(), Dataset.Usage.TRAIN), 0, 1, trainSize, valPerClass,
                seed);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mode", mode.label());
        config.put("digits", "0 (label +1) vs 1 (label -1)");
        config.put("train", set.trainSize());
        config.put("val", set.valSize());
        config.put("hidden", hidden);
        config.put("batch", batch);
        config.put("init", "PyTorch default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) x " + initScale);
        config.put("init_scale", initScale);
        config.put("loss", "1/2 mean (f - y)^2 (Losses.halfMse())");
        config.put("warmup_epochs", settings.warmupEpochs());
        config.put("threshold", settings.threshold());
        config.put("patience", settings.patience());
        config.put("max_epochs", settings.maxEpochs());
        config.put("seed", seed);
        summary.put("config", config);

        StepSizeGrid stepSizes = new StepSizeGrid(settings);
        config.put("lmax_init", stepSizes.initialSharpness(set));
        List<StepSizeRun> runs;
        try (CsvTable curve = new CsvTable(outDir.resolve("training.csv"),
                List.of("eta", "epoch", "step", "train_loss_running", "train_loss"))) {
            runs = stepSizes.run(set, curve);
        }
        try (CsvTable csv = new CsvTable(outDir.resolve("runs.csv"), List.of("eta", "epochs", "converged", "diverged",
                "train_loss", "lmax", "lmax_residual", "lmax_gram", "threshold", "lower_bound", "stability_norm",
                "bias_norm",
                "knot_offset_norm", "flattest_lambda", "flattest_lower", "val_accuracy", "seconds"))) {
            for (StepSizeRun r : runs) {
                csv.row(r.eta(), r.epochs(), r.converged(), r.diverged(), r.trainLoss(), r.lmax(), r.lmaxResidual(),
                        r.lmaxGram(), r.threshold(), r.lowerBound(), r.stabilityNorm(), r.biasNorm(), r.knotOffsetNorm(),
                        r.flattestLambda(), r.flattestLower(), r.valAccuracy(),
                        r.seconds());
            }
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (StepSizeRun r : runs) {
            list.add(describe(r));
        }
        summary.put("runs", list);
        ClassifyCharts.sharpness(runs, ((Number) config.get("lmax_init")).doubleValue(), outDir.resolve("sharpness.png"));
        ClassifyCharts.accuracy(runs, outDir.resolve("accuracy.png"));
        ClassifyReport.binary(report, config, runs);
    }

    private void tenClassSgdVsSam(Path outDir, Map<String, Object> summary, Report report) throws Exception {
        TenClassComparison.Settings s = new TenClassComparison.Settings(
                mode.pick(tenTrain, 60_000, 60_000), tenProbe, tenHidden, tenBatch, tenLr, tenRho,
                mode.pick(tenEpochs, 5, 30), lanczos, lanczosTol, tenTraceSamples, tenMonitorEvery,
                seed);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mode", mode.label());
        config.put("model", "MLP 784-" + s.hidden() + "-10 ReLU, PyTorch default init from the seed");
        config.put("loss", "softmax cross-entropy (Losses.softmaxCrossEntropy())");
        config.put("train", s.trainSize());
        config.put("test", 10_000);
        config.put("batch", s.batch());
        config.put("epochs", s.epochs());
        config.put("lr", s.learningRate());
        config.put("rho", s.rho());
        config.put("probe", Math.min(s.probeSize(), s.trainSize()));
        config.put("trace_samples", s.traceSamples());
        config.put("seed", seed);
        summary.put("config_10class", config);
        List<TenClassRun> runs = new TenClassComparison(s).run(MnistArrays.read(data.dir(), Dataset.Usage.TRAIN),
                MnistArrays.read(data.dir(), Dataset.Usage.TEST), outDir);
        summary.put("sgd", runs.get(0).describe());
        summary.put("sam", runs.get(1).describe());
        TenClassReport.compare(report, s, mode.label(), runs.get(0), runs.get(1));
    }

    private static Map<String, Object> describe(StepSizeRun r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eta", r.eta());
        m.put("epochs", r.epochs());
        m.put("converged", r.converged());
        m.put("diverged", r.diverged());
        m.put("train_loss", nullIfNaN(r.trainLoss()));
        m.put("lmax", nullIfNaN(r.lmax()));
        m.put("lmax_residual", nullIfNaN(r.lmaxResidual()));
        m.put("lmax_gram", nullIfNaN(r.lmaxGram()));
        m.put("threshold", r.threshold());
        m.put("lower_bound", nullIfNaN(r.lowerBound()));
        m.put("stability_norm", nullIfNaN(r.stabilityNorm()));
        m.put("bias_norm", nullIfNaN(r.biasNorm()));
        m.put("knot_offset_norm", nullIfNaN(r.knotOffsetNorm()));
        m.put("flattest_lambda", nullIfNaN(r.flattestLambda()));
        m.put("flattest_lower", nullIfNaN(r.flattestLower()));
        m.put("tightness", nullIfNaN(r.tightness()));
        m.put("val_accuracy", nullIfNaN(r.valAccuracy()));
        m.put("seconds", r.seconds());
        return m;
    }

    private static Double nullIfNaN(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
