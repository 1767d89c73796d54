package dev.minima.demos;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.dataset.Dataset;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.Objective;
import dev.minima.data.MnistArrays;
import dev.minima.demos.mnist.DenoiseCharts;
import dev.minima.demos.mnist.DeadUnits;
import dev.minima.demos.mnist.DenoiseReport;
import dev.minima.demos.mnist.DigitGrid;
import dev.minima.demos.mnist.Evaluation;
import dev.minima.demos.mnist.Initializers;
import dev.minima.demos.mnist.Networks;
import dev.minima.demos.mnist.NoisyMnist;
import dev.minima.demos.mnist.OptimizerSpec;
import dev.minima.demos.support.Sharpness;
import dev.minima.demos.mnist.TrainingSession;
import dev.minima.demos.support.Checks;
import dev.minima.demos.support.CsvTable;
import dev.minima.demos.support.MnistDataOption;
import dev.minima.demos.support.ModeOption;
import dev.minima.demos.support.Progress;
import dev.minima.demos.support.ThreadsOption;
import dev.minima.autograd.GradMode;
import dev.minima.demos.support.CpuClock;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.linear.GainAscent;
import dev.minima.linear.GainProfile;
import dev.minima.loss.Losses;
import dev.minima.loss.SquaredErrorLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mnist-denoise}: Mulayoff &amp; Michaeli's (2020) nonlinear experiment (Sec. 6, Fig. 6, Table S1). A fully connected ReLU
 * network, every layer 784 wide, learns to map noisy MNIST digits (σ = 1.25) to clean ones with the per-pixel
 * mean squared error; SGD with a large step and Adam with a small one are compared by the sharpness of the
 * minimum they reach, their intermediate gains, and their denoised digits. With {@code --grid} it also runs
 * the depth × step-size grid of Fig. 4 (SGD from the identity initialisation).
 */
@Command(
        name = "mnist-denoise",
        mixinStandardHelpOptions = true,
        description = {
            "Mulayoff & Michaeli (2020), flat minima in deep nets: SGD vs Adam on MNIST denoising; sharpness, intermediate gains,"
                    + " denoised digits; --grid adds the depth x step-size grid."
        })
public final class MnistDenoise extends DemoCommand {

    private static final int PIXELS = 784;
    /** Quick mode's SGD epochs (Adam's: half). */
    private static final int QUICK_EPOCHS = 60;
    /** Quick mode's SGD step size. */
    private static final double QUICK_SGD_LR = 4.0;

    @Mixin
    ModeOption mode = new ModeOption();

    @Mixin
    MnistDataOption data = new MnistDataOption();

    @Option(names = "--inits", paramLabel = "K", description = "Random initialisations, seeds SEED .. SEED+K-1; SGD and"
            + " Adam start from the same weights in each (quick 1, full 4: Table S1 averages four).")
    Integer inits;

    @Option(names = "--plateau-ratio", paramLabel = "R", description = "A run has left the initial plateau when its"
            + " training loss is at most R times the loss of predicting the mean training image (default:"
            + " ${DEFAULT-VALUE}; Table S1's minima are at 0.40).")
    double plateauRatio = DenoiseReport.PLATEAU_RATIO;

    @Option(names = "--train", paramLabel = "N", description = "Training images (quick 10000, full 50000).")
    Integer train;

    @Option(names = "--val", paramLabel = "N", description = "Validation images, taken after the training ones"
            + " (quick 1000, full 10000).")
    Integer val;

    @Option(names = "--epochs", paramLabel = "E", description = "SGD's epochs, and Adam's unless --adam-epochs is given"
            + " (quick 60, full 40).")
    Integer epochs;

    @Option(names = "--adam-epochs", paramLabel = "E", description = "Adam's epochs (quick: half of --epochs, 30 by"
            + " default, since Adam reaches its minimum in fewer steps and each step costs more; full: --epochs).")
    Integer adamEpochs;

    @Option(names = "--depth", paramLabel = "M", description = "Number of layers m (default: ${DEFAULT-VALUE}).")
    int depth = 6;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch = 100;

    @Option(names = "--sgd-lr", paramLabel = "ETA", description = "SGD step size (quick 4: the largest step of Fig. 4's"
            + " grid, stable from the identity initialisation at depth 6 and the fastest of 0.5-4 to beat the linear"
            + " filter; full 0.5: Table S1).")
    Double sgdLr;

    @Option(names = "--adam-lr", paramLabel = "ETA", description = "Adam step size (default: ${DEFAULT-VALUE}).")
    double adamLr = 3e-4;

    @Option(names = "--adam-betas", paramLabel = "B1,B2", split = ",", description = "Adam's betas (default: 0.8,0.99).")
    double[] adamBetas = {0.8, 0.99};

    @Option(names = "--optimizers", paramLabel = "NAME,...", split = ",", description = "Which runs to make: sgd, adam"
            + " or both (default: sgd,adam). One optimizer per process lets two processes share a long run.")
    List<String> optimizers = List.of("sgd", "adam");

    @Option(names = "--fresh-noise", negatable = true, description = "Draw the noise of the training images afresh"
            + " every epoch (the first epoch, the training loss, gradient norm and lambda_max use the fixed first draw;"
            + " the validation images keep theirs). It departs from the paper's fixed noisy data set: the objective"
            + " becomes the loss expected over the noise, which a network cannot lower by memorising noise (quick on,"
            + " full off).")
    Boolean freshNoise;

    @Option(names = "--parallel", negatable = true, description = "Train SGD and Adam of each initialisation at the"
            + " same time in two threads, each with --threads libtorch threads: on two cores about half the wall time"
            + " (quick and full on).")
    Boolean parallel;

    @Option(names = "--sigma", paramLabel = "S", description = "Noise standard deviation (default: ${DEFAULT-VALUE}).")
    double sigma = 1.25;

    @Option(names = "--init", paramLabel = "SCHEME", description = "Initialisation of the comparison: HE (random,"
            + " seeded: Table S1's random initialisations) or IDENTITY (W = I, b = 0: Lemma 1, Figs. 4-5) (quick"
            + " IDENTITY, full HE).")
    Initializers.Scheme init;

    @Option(names = "--trace-every", paramLabel = "E", description = "Every E epochs, lambda_max on the trace probe and"
            + " the dead units of every hidden layer, for every run (0: off; quick 0, full 2).")
    Integer traceEvery;

    @Option(names = "--trace-probe", paramLabel = "N", description = "Training images in the trace's probe batch"
            + " (default: ${DEFAULT-VALUE}).")
    int traceProbe = 200;

    @Option(names = "--trace-lanczos", paramLabel = "K", description = "Most Hessian-vector products per traced"
            + " lambda_max (default: ${DEFAULT-VALUE}).")
    int traceLanczos = 15;

    @Option(names = "--probe", paramLabel = "N", description = "Training images in the Hessian's probe batch"
            + " (default: ${DEFAULT-VALUE}).")
    int probe = 1000;

    @Option(names = "--lanczos", paramLabel = "K", description = "Most Hessian-vector products per lambda_max"
            + " (default: ${DEFAULT-VALUE}).")
    int lanczos = 40;

    @Option(names = "--lanczos-tol", paramLabel = "TOL", description = "Lanczos stops when the residual"
            + " ||Hv - lambda v|| is below TOL * lambda; the eigenvalue error is at most the residual and typically"
            + " its square over the spectral gap (default: ${DEFAULT-VALUE}).")
    double lanczosTol = 1e-2;

    @Option(names = "--gain-starts", paramLabel = "R", description = "Random starts per layer for the gains (quick 20,"
            + " full 100).")
    Integer gainStarts;

    @Option(names = "--gain-iterations", paramLabel = "T", description = "Most ascent iterations per layer (quick 40,"
            + " full 300).")
    Integer gainIterations;

    @Option(names = "--grid", description = "Also run the depth x step grid of Fig. 4 (SGD from the identity; 25 cells of"
            + " --grid-epochs epochs each).")
    boolean grid;

    @Option(names = "--grid-depths", paramLabel = "M,...", split = ",", description = "Grid depths (default:"
            + " 2,4,6,8,10).")
    int[] gridDepths = {2, 4, 6, 8, 10};

    @Option(names = "--grid-etas", paramLabel = "ETA,...", split = ",", description = "Grid step sizes (default:"
            + " 0.25,0.5,1,2,4).")
    double[] gridEtas = {0.25, 0.5, 1, 2, 4};

    @Option(names = "--grid-epochs", paramLabel = "E", description = "Epochs per grid run (default: ${DEFAULT-VALUE}).")
    int gridEpochs = 10;

    @Option(names = "--grid-loss", paramLabel = "L", description = "A grid run counts as converged if its training"
            + " loss ends finite and below L (default: ${DEFAULT-VALUE}).")
    double gridLoss = 0.04;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    private Initializers.Scheme scheme;
    private boolean fresh;
    private boolean inParallel;
    private int nTraceEvery;
    private NDArray traceX;
    private NDArray traceY;
    private CsvTable traceCsv;

    @Override
    protected String name() {
        return "mnist-denoise";
    }

    /** Everything measured for one optimizer from one initialisation. */
    record Run(OptimizerSpec spec, long initSeed, List<Double> epochTrain, List<Double> epochVal, double trainLoss,
            double valLoss, double gradNorm, double firstEpochGradNorm, Eigenpairs lmax, GainProfile gains,
            boolean diverged, double seconds, float[] denoised, double[] deadUnits, List<Map<String, Object>> trace) {}

    @Override
    protected void validate() {
        int nTrain = mode.pick(train, 10_000, 50_000);
        int nVal = mode.pick(val, 1000, 10_000);
        Checks.atLeast("--train", nTrain, 1);
        Checks.atLeast("--val", nVal, 1);
        Checks.require(nTrain + nVal <= 60_000, "--train + --val = " + (nTrain + nVal) + " exceeds the 60,000"
                + " training images of MNIST: lower them");
        Checks.atLeast("--batch", batch, 1);
        validate(nTrain, nVal, mode.pick(epochs, QUICK_EPOCHS, 40), mode.pick(inits, 1, 4));
        Checks.positiveFloat("--sgd-lr", mode.pick(sgdLr, QUICK_SGD_LR, 0.5));
        Checks.positiveFloat("--adam-lr", adamLr);
        Checks.require(!optimizers.isEmpty() && List.of("sgd", "adam").containsAll(optimizers), "--optimizers takes"
                + " sgd, adam or sgd,adam, got " + optimizers);
        for (double b : adamBetas) {
            Checks.inRange("--adam-betas", b, 0, true, 1, false);
        }
        Checks.nonNegativeFloat("--sigma", sigma);
        Checks.atLeast("--probe", probe, 1);
        Checks.atLeast("--trace-every", mode.pick(traceEvery, 0, 0), 0);
        Checks.atLeast("--trace-probe", traceProbe, 1);
        Checks.atLeast("--trace-lanczos", traceLanczos, 1);
        Checks.atLeast("--lanczos", lanczos, 1);
        Checks.inRange("--lanczos-tol", lanczosTol, 0, false, 1, false);
        Checks.atLeast("--gain-starts", mode.pick(gainStarts, 1, 1), 1);
        Checks.atLeast("--gain-iterations", mode.pick(gainIterations, 1, 1), 1);
        for (int m : gridDepths) {
            Checks.atLeast("--grid-depths", m, 1);
        }
        Checks.positiveFloats("--grid-etas", gridEtas);
        Checks.atLeast("--grid-epochs", gridEpochs, 1);
        Checks.positiveFloat("--grid-loss", gridLoss);
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        int nTrain = mode.pick(train, 10_000, 50_000);
        int nVal = mode.pick(val, 1000, 10_000);
        int nEpochs = mode.pick(epochs, QUICK_EPOCHS, 40);
        int nAdamEpochs = adamEpochs(nEpochs);
        int nInits = mode.pick(inits, 1, 4);
        int starts = mode.pick(gainStarts, 20, 100);
        int steps = mode.pick(gainIterations, 40, 300);
        validate(nTrain, nVal, nEpochs, nInits);
        int nProbe = Math.min(probe, nTrain);
        scheme = mode.pick(init, Initializers.Scheme.IDENTITY, Initializers.Scheme.HE);
        nTraceEvery = mode.pick(traceEvery, 0, 2);
        fresh = mode.pick(freshNoise, true, false);
        inParallel = mode.pick(parallel, true, true);
        int nTraceProbe = Math.min(traceProbe, nTrain);

        MnistArrays split = MnistArrays.read(data.dir(), Dataset.Usage.TRAIN);
        if (nTrain + nVal > split.size()) {
            throw new IllegalArgumentException("--train + --val = " + (nTrain + nVal) + " exceeds the " + split.size()
                    + " training images of MNIST: lower them");
        }
        NoisyMnist pairs = NoisyMnist.of(split.head(nTrain + nVal), sigma, seed);
        NoisyMnist examples = NoisyMnist.of(MnistArrays.read(data.dir(), Dataset.Usage.TEST).head(8), sigma, seed + 1);
        SquaredErrorLoss loss = Losses.mse();
        OptimizerSpec sgd = OptimizerSpec.sgd(mode.pick(sgdLr, QUICK_SGD_LR, 0.5));
        OptimizerSpec adam = OptimizerSpec.adam(adamLr, adamBetas[0], adamBetas[1]);

        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mode", mode.label());
        config.put("train", nTrain);
        config.put("val", nVal);
        config.put("epochs", nEpochs);
        config.put("adam_epochs", nAdamEpochs);
        config.put("inits", nInits);
        config.put("depth", depth);
        config.put("width", PIXELS);
        config.put("batch", batch);
        config.put("steps_per_epoch", (nTrain + batch - 1) / batch);
        config.put("sigma", sigma);
        config.put("init", scheme.name().toLowerCase(Locale.ROOT));
        config.put("fresh_noise", fresh);
        config.put("parallel", inParallel);
        config.put("threads", threads.threads());
        config.put("loss", "mean over pixels and images of (f - y)^2 (Losses.mse(), no 1/2)");
        config.put("probe", nProbe);
        config.put("trace_every", nTraceEvery);
        config.put("trace_probe", nTraceProbe);
        config.put("trace_lanczos", traceLanczos);
        config.put("gain_starts", starts);
        config.put("gain_iterations", steps);
        config.put("plateau_ratio", plateauRatio);
        config.put("seed", seed);
        summary.put("config", config);
        double[] baseline = meanImageLoss(pairs.clean(), nTrain, nVal);
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("train", baseline[0]);
        base.put("val", baseline[1]);
        base.put("what", "loss of predicting the mean clean training image for every input");
        double affine = affineDenoiserLoss(pairs.clean(), nTrain, sigma);
        base.put("affine", affine);
        base.put("affine_ratio", affine / baseline[0]);
        base.put("affine_what", "expected loss of the best affine denoiser (Wiener filter from the covariance of the"
                + " clean training images): sigma^2 / 784 * sum_i lambda_i / (lambda_i + sigma^2)");
        summary.put("baseline", base);

        long t0 = System.nanoTime();
        double cpu0 = CpuClock.seconds();
        List<Map<String, Object>> all = new ArrayList<>();
        Map<String, Run> first = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager();
                CsvTable curve = new CsvTable(outDir.resolve("training.csv"),
                        List.of("init", "optimizer", "epoch", "step", "train_loss_running", "val_loss", "seconds"));
                CsvTable gainCsv = new CsvTable(outDir.resolve("gains.csv"),
                        List.of("init", "optimizer", "layer", "max_gain", "top_signal_gain"));
                CsvTable traceCsv = new CsvTable(outDir.resolve("trace.csv"),
                        List.of("init", "optimizer", "epoch", "step", "train_loss_running", "lmax", "lmax_residual",
                                "dead_units", "seconds"))) {
            NDArray inputs = pairs.inputs(manager, DataType.FLOAT32);
            NDArray allTargets = pairs.targets(manager, DataType.FLOAT32);
            NDArray x = inputs.get(new NDIndex(":" + nTrain));
            NDArray y = allTargets.get(new NDIndex(":" + nTrain));
            NDArray vx = inputs.get(new NDIndex(nTrain + ":"));
            NDArray vy = allTargets.get(new NDIndex(nTrain + ":"));
            NDArray px = x.get(new NDIndex(":" + nProbe));
            NDArray py = y.get(new NDIndex(":" + nProbe));
            NDArray ex = examples.inputs(manager, DataType.FLOAT32);
            traceX = x.get(new NDIndex(":" + nTraceProbe));
            traceY = y.get(new NDIndex(":" + nTraceProbe));
            this.traceCsv = traceCsv;
            double radius = meanRowNorm(x);
            config.put("gain_radius", radius);
            GainAscent gains = GainAscent.builder().optStarts(starts).optMaxIterations(steps).optRadius(radius)
                    .optSeed(seed).build();
            List<OptimizerSpec> specs = new ArrayList<>();
            for (OptimizerSpec spec : List.of(sgd, adam)) {
                if (optimizers.contains(spec.name())) {
                    specs.add(spec);
                }
            }
            for (int i = 0; i < nInits; i++) {
                long initSeed = seed + i;
                Progress progress = new Progress("Training " + String.join(" + ", optimizers) + " (init " + initSeed
                        + ")", specs.stream().mapToLong(sp -> epochsOf(sp, nEpochs, nAdamEpochs)).sum());
                List<Run> runs = trainAll(specs, spec -> train(spec, initSeed, pairs, x, y, vx, vy, px, py, ex,
                        epochsOf(spec, nEpochs, nAdamEpochs), gains, loss, curve, progress));
                progress.end();
                for (Run run : runs) {
                    OptimizerSpec spec = run.spec();
                    if (i == 0) {
                        first.put(spec.name(), run);
                    }
                    if (run.gains() != null) {
                        for (int k = 0; k < run.gains().maxGains().length; k++) {
                            gainCsv.row(initSeed, spec.name(), k + 1, run.gains().maxGains()[k],
                                    run.gains().topSignalGains()[k]);
                        }
                    }
                    Map<String, Object> d = describe(run, baseline[0]);
                    all.add(d);
                    if (i == 0) {
                        summary.put(spec.name(), d);
                    }
                    // after every run: the table so far, summary and report (a long run stopped early keeps what it
                    // measured)
                    summary.put("runs", all);
                    summary.put("table", DenoiseReport.table(all));
                    summary.put("seconds", (System.nanoTime() - t0) / 1e9);
                    summary.put("cpu_seconds", CpuClock.seconds() - cpu0);
                    DemoCommand.writeJson(outDir.resolve("summary.json"), summary);
                    DenoiseReport.write(summary, outDir.resolve("report.md"));
                }
            }
        }
        if (first.containsKey("sgd") && first.containsKey("adam")) {
            new DigitGrid(28, 28, 3)
                    .row("noisy", examples.noisy())
                    .row("SGD", first.get("sgd").denoised())
                    .row("Adam", first.get("adam").denoised())
                    .row("clean", examples.clean())
                    .write(outDir.resolve("denoised.png"));
            DenoiseCharts.loss(first.get("sgd").epochTrain(), first.get("sgd").epochVal(),
                    first.get("adam").epochTrain(), first.get("adam").epochVal(), baseline[0],
                    outDir.resolve("loss.png"));
            if (first.get("sgd").gains() != null && first.get("adam").gains() != null) {
                DenoiseCharts.gains(first.get("sgd").gains(), first.get("adam").gains(), outDir.resolve("gains.png"));
            }
        } else {
            logger.info("One optimizer ({}): no side-by-side charts", optimizers);
        }
        if (nTraceEvery > 0) {
            Map<String, List<Map<String, Object>>> traces = new LinkedHashMap<>();
            first.forEach((name, run) -> traces.put(name, run.trace()));
            DenoiseCharts.trace(traces, outDir.resolve("trace.png"));
        }
        List<Map<String, Object>> gridRows = grid ? grid(pairs, nTrain, loss, outDir) : null;
        if (gridRows != null) {
            Map<String, Object> gridConfig = new LinkedHashMap<>();
            gridConfig.put("init", "identity");
            gridConfig.put("epochs", gridEpochs);
            gridConfig.put("loss", gridLoss);
            summary.put("grid_config", gridConfig);
            summary.put("grid", gridRows);
        }
        summary.put("seconds", (System.nanoTime() - t0) / 1e9);
        summary.put("cpu_seconds", CpuClock.seconds() - cpu0);
        DenoiseReport.write(summary, outDir.resolve("report.md"));
        return summary;
    }

    /**
     * The loss of the best constant predictor: the mean clean training image predicted for every input.
     *
     * @param clean clean images, row after row (training images first, then validation images)
     * @param nTrain training images
     * @param nVal validation images
     * @return {training loss, validation loss} of that predictor (per-pixel mean squared error)
     */
    public static double[] meanImageLoss(float[] clean, int nTrain, int nVal) {
        double[] mean = new double[PIXELS];
        for (int j = 0; j < nTrain; j++) {
            for (int p = 0; p < PIXELS; p++) {
                mean[p] += clean[j * PIXELS + p];
            }
        }
        for (int p = 0; p < PIXELS; p++) {
            mean[p] /= nTrain;
        }
        double[] out = new double[2];
        for (int j = 0; j < nTrain + nVal; j++) {
            double e = 0;
            for (int p = 0; p < PIXELS; p++) {
                double r = clean[j * PIXELS + p] - mean[p];
                e += r * r;
            }
            out[j < nTrain ? 0 : 1] += e / PIXELS;
        }
        out[0] /= nTrain;
        out[1] = nVal == 0 ? Double.NaN : out[1] / nVal;
        return out;
    }

    /**
     * The expected loss of the best affine denoiser x ↦ μ + A(x − μ) of clean images c from x = c + n, n ~ N(0, σ²I):
     * with λ_i the eigenvalues of the covariance of c, it is σ²/784 · Σ_i λ_i / (λ_i + σ²) (the Wiener filter
     * A = Σ_c (Σ_c + σ²I)⁻¹). A network that does not beat it has learnt no more than a linear filter.
     *
     * @param clean clean images, row after row (the first nTrain are used)
     * @param nTrain training images
     * @param sigma noise standard deviation
     * @return the per-pixel loss
     */
    public static double affineDenoiserLoss(float[] clean, int nTrain, double sigma) {
        double[] mean = new double[PIXELS];
        for (int j = 0; j < nTrain; j++) {
            for (int p = 0; p < PIXELS; p++) {
                mean[p] += clean[j * PIXELS + p];
            }
        }
        for (int p = 0; p < PIXELS; p++) {
            mean[p] /= nTrain;
        }
        double[][] cov = new double[PIXELS][PIXELS];
        double[] row = new double[PIXELS];
        for (int j = 0; j < nTrain; j++) {
            for (int p = 0; p < PIXELS; p++) {
                row[p] = clean[j * PIXELS + p] - mean[p];
            }
            for (int p = 0; p < PIXELS; p++) {
                double a = row[p];
                if (a == 0) {
                    continue;
                }
                double[] c = cov[p];
                for (int q = 0; q <= p; q++) {
                    c[q] += a * row[q];
                }
            }
        }
        for (int p = 0; p < PIXELS; p++) {
            for (int q = 0; q <= p; q++) {
                cov[p][q] /= nTrain;
                cov[q][p] = cov[p][q];
            }
        }
        double s2 = sigma * sigma;
        double sum = 0;
        for (double l : SymmetricEigen.of(cov).values()) {
            if (l > 0) { // directions without variance cost nothing
                sum += l / (l + s2);
            }
        }
        return s2 * sum / PIXELS;
    }

    /**
     * @param epochTrain the running training loss per epoch
     * @return the relative fall of the loss from the epoch at three quarters of the run to the last one (NaN for a
     *     run of one epoch or a non-finite loss)
     */
    public static double lastQuarterDrop(List<Double> epochTrain) {
        int n = epochTrain.size();
        if (n < 2) {
            return Double.NaN;
        }
        int from = Math.min(n - 2, Math.max(0, (int) Math.round(0.75 * n) - 1));
        double a = epochTrain.get(from);
        double b = epochTrain.get(n - 1);
        return Double.isFinite(a) && Double.isFinite(b) && a > 0 ? (a - b) / a : Double.NaN;
    }

    private int adamEpochs(int nEpochs) {
        return adamEpochs != null ? adamEpochs : mode.pick(null, Math.max(1, nEpochs / 2), nEpochs);
    }

    private static int epochsOf(OptimizerSpec spec, int nEpochs, int nAdamEpochs) {
        return "adam".equals(spec.name()) ? nAdamEpochs : nEpochs;
    }

    private void validate(int nTrain, int nVal, int nEpochs, int nInits) {
        if (nTrain < batch) {
            throw new IllegalArgumentException("--train " + nTrain + " is smaller than one batch (" + batch + ")");
        }
        if (nVal < 1 || nEpochs < 1 || adamEpochs(nEpochs) < 1 || depth < 1 || nInits < 1) {
            throw new IllegalArgumentException("--val, --epochs, --adam-epochs, --depth and --inits must be at least 1");
        }
        if (adamBetas.length != 2) {
            throw new IllegalArgumentException("--adam-betas takes two numbers, e.g. 0.8,0.99");
        }
        if (!(plateauRatio > 0 && plateauRatio <= 1)) {
            throw new IllegalArgumentException("--plateau-ratio must be in (0, 1], got " + plateauRatio);
        }
    }

    /**
     * Trains every spec from the same initialisation: at the same time in one thread per spec when
     * {@code --parallel} is on (each thread with {@code --threads} libtorch threads and autograd off outside training,
     * as in the main thread), else one after the other.
     *
     * @return the runs, in the order of the specs
     */
    private List<Run> trainAll(List<OptimizerSpec> specs, java.util.function.Function<OptimizerSpec, Run> train) {
        if (!inParallel || specs.size() < 2) {
            return specs.stream().map(train).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(specs.size());
        try {
            List<Future<Run>> futures = new ArrayList<>();
            for (OptimizerSpec spec : specs) {
                futures.add(pool.submit(() -> {
                    threads.applyToTorch();
                    try (GradMode off = GradMode.disabled()) {
                        return train.apply(spec);
                    }
                }));
            }
            List<Run> runs = new ArrayList<>();
            for (Future<Run> f : futures) {
                runs.add(f.get());
            }
            return runs;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private Run train(OptimizerSpec spec, long initSeed, NoisyMnist pairs, NDArray x, NDArray y, NDArray vx,
            NDArray vy, NDArray px, NDArray py, NDArray examples, int nEpochs, GainAscent gains, SquaredErrorLoss loss,
            CsvTable curve, Progress progress) {
        logger.info("Training depth-{} denoiser with {}, {} initialisation, seed {}", depth, spec.describe(), scheme,
                initSeed);
        long t0 = System.nanoTime();
        List<Double> epochTrain = new ArrayList<>();
        List<Double> epochVal = new ArrayList<>();
        List<Map<String, Object>> trace = new ArrayList<>();
        SequentialBlock block = Networks.denoiser(depth, PIXELS);
        double firstGrad = Double.NaN;
        // the noise of epochs 2, 3, ... (--fresh-noise): the same draws for every optimizer of this seed
        SplittableRandom noise = new SplittableRandom(seed ^ 0x6A09E667F3BCC908L);
        NDManager noiseScope = null;
        try (TrainingSession session = TrainingSession.builder()
                .setBlock(block)
                .setLoss(loss)
                .setOptimizer(spec)
                .setData(x, y)
                .optBatchSize(batch)
                .optInitialization(scheme, 1.0, initSeed)
                .optOrderSeed(initSeed + 17)
                .build()) {
            boolean diverged = false;
            for (int e = 1; e <= nEpochs; e++) {
                if (fresh && e > 1) {
                    NDManager next = x.getManager().newSubManager();
                    session.setInputs(pairs.redrawnInputs(next, DataType.FLOAT32, Math.toIntExact(x.getShape().get(0)),
                            noise.nextLong()));
                    if (noiseScope != null) {
                        noiseScope.close();
                    }
                    noiseScope = next;
                }
                double running = session.epoch();
                double v = Double.isFinite(running) ? Evaluation.loss(block, loss, vx, vy) : Double.NaN;
                epochTrain.add(running);
                epochVal.add(v);
                curve.row(initSeed, spec.name(), e, session.steps(), running, v, (System.nanoTime() - t0) / 1e9);
                progress.step();
                if (!Double.isFinite(running)) {
                    diverged = true;
                    break;
                }
                if (e == 1) {
                    firstGrad = gradientNorm(block, loss, x, y);
                }
                if (nTraceEvery > 0 && (e % nTraceEvery == 0 || e == 1) && e < nEpochs) {
                    trace.add(tracePoint(block, loss, spec, initSeed, e, session.steps(), running, t0));
                }
            }
            if (diverged) {
                logger.warn("{} diverged (non-finite loss); no sharpness or gains measured", spec.name());
                return new Run(spec, initSeed, epochTrain, epochVal, Double.NaN, Double.NaN, Double.NaN, firstGrad,
                        null, null, true, (System.nanoTime() - t0) / 1e9, new float[Math.toIntExact(examples.size())],
                        null, trace);
            }
            double trainLoss = Evaluation.loss(block, loss, x, y);
            double valLoss = Evaluation.loss(block, loss, vx, vy);
            double grad = gradientNorm(block, loss, x, y);
            logger.info("{}: train loss {}, val loss {}, ||grad L|| {} (after epoch 1: {}); lambda_max on {} probe"
                    + " images...", spec.name(), trainLoss, valLoss, grad, firstGrad, px.getShape().get(0));
            Eigenpairs top = Sharpness.top(block, loss, px, py, lanczos, lanczosTol, seed);
            double[] dead = DeadUnits.fractions(block, px);
            logger.info("{}: lambda_max {}, dead units per hidden layer {}", spec.name(), top,
                    java.util.Arrays.toString(dead));
            if (nTraceEvery > 0) {
                trace.add(tracePoint(block, loss, spec, initSeed, epochTrain.size(), session.steps(),
                        epochTrain.get(epochTrain.size() - 1), t0));
            }
            GainProfile profile = gains.run(block, new Shape(PIXELS));
            float[] denoised = Evaluation.predict(block, examples);
            return new Run(spec, initSeed, epochTrain, epochVal, trainLoss, valLoss, grad, firstGrad, top, profile,
                    false, (System.nanoTime() - t0) / 1e9, denoised, dead, trace);
        } finally {
            if (noiseScope != null) {
                noiseScope.close();
            }
        }
    }

    /**
     * One point of the λ_max trace: λ_max by Lanczos on the trace probe and the dead units of every hidden layer,
     * written to {@code trace.csv}.
     */
    private Map<String, Object> tracePoint(SequentialBlock block, SquaredErrorLoss loss, OptimizerSpec spec,
            long initSeed, int epoch, long step, double running, long t0) {
        Eigenpairs top = Sharpness.top(block, loss, traceX, traceY, traceLanczos, lanczosTol, seed);
        double[] dead = DeadUnits.fractions(block, traceX);
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("epoch", epoch);
        point.put("step", step);
        point.put("train_loss_running", running);
        point.put("lmax", top.max());
        point.put("lmax_residual", top.residual(0));
        point.put("dead_units", toList(dead));
        StringBuilder d = new StringBuilder();
        for (double v : dead) {
            d.append(d.length() == 0 ? "" : ";").append(String.format(Locale.ROOT, "%.3f", v));
        }
        traceCsv.row(initSeed, spec.name(), epoch, step, running, top.max(), top.residual(0), d.toString(),
                (System.nanoTime() - t0) / 1e9);
        logger.info("{} epoch {}: lambda_max {} on {} trace images, dead units {}", spec.name(), epoch, top.max(),
                traceX.getShape().get(0), d);
        return point;
    }

    /**
     * ‖∇L‖ of the training loss over all the given images (chunks of 1000, each one batch of an {@link Objective}).
     */
    private static double gradientNorm(SequentialBlock block, SquaredErrorLoss loss, NDArray x, NDArray y) {
        long n = x.getShape().get(0);
        try (NDManager scope = x.getManager().newSubManager()) {
            Objective.Builder b = Objective.builder().setBlock(block).setLoss(loss);
            for (long start = 0; start < n; start += 1000) {
                long end = Math.min(n, start + 1000);
                b.addBatch(x.get(new NDIndex(start + ":" + end)), y.get(new NDIndex(start + ":" + end)));
            }
            try (Objective objective = b.build()) {
                NDArray g = objective.gradient(scope);
                return Math.sqrt(g.mul(g).sum().toType(DataType.FLOAT64, false).getDouble());
            }
        }
    }

    private Map<String, Object> describe(Run r, double baselineTrain) {
        Map<String, Object> m = new LinkedHashMap<>(r.spec().describe());
        m.put("init_seed", r.initSeed());
        m.put("batch", batch);
        m.put("epochs", r.epochTrain().size());
        m.put("diverged", r.diverged());
        m.put("train_loss", r.trainLoss());
        m.put("val_loss", r.valLoss());
        m.put("baseline_ratio", r.trainLoss() / baselineTrain);
        m.put("loss_drop_last_quarter", lastQuarterDrop(r.epochTrain()));
        m.put("grad_norm", r.gradNorm());
        m.put("grad_norm_epoch1", r.firstEpochGradNorm());
        m.put("lmax", r.lmax() == null ? null : r.lmax().max());
        m.put("lmax_residual", r.lmax() == null ? null : r.lmax().residual(0));
        m.put("lanczos_products", r.lmax() == null ? null : r.lmax().products());
        m.put("threshold", r.spec().threshold());
        m.put("dead_units", r.deadUnits() == null ? null : toList(r.deadUnits()));
        m.put("trace", r.trace());
        m.put("gain_profile", r.gains() == null ? null : toList(r.gains().maxGains()));
        m.put("top_signal_gains", r.gains() == null ? null : toList(r.gains().topSignalGains()));
        m.put("seconds", r.seconds());
        return m;
    }

    private List<Map<String, Object>> grid(NoisyMnist pairs, int nTrain, SquaredErrorLoss loss, Path outDir) {
        List<Map<String, Object>> rows = new ArrayList<>();
        Progress progress = new Progress("Depth x step grid", (long) gridDepths.length * gridEtas.length);
        try (NDManager manager = NDManager.newBaseManager();
                CsvTable csv = new CsvTable(outDir.resolve("grid.csv"),
                        List.of("depth", "eta", "threshold", "train_loss", "converged", "lmax", "lmax_residual"))) {
            NDArray x = pairs.inputs(manager, DataType.FLOAT32).get(new NDIndex(":" + nTrain));
            NDArray y = pairs.targets(manager, DataType.FLOAT32).get(new NDIndex(":" + nTrain));
            int nProbe = Math.min(probe, nTrain);
            NDArray px = x.get(new NDIndex(":" + nProbe));
            NDArray py = y.get(new NDIndex(":" + nProbe));
            for (int m : gridDepths) {
                for (double eta : gridEtas) {
                    Map<String, Object> row = gridRun(m, eta, x, y, px, py, loss);
                    rows.add(row);
                    csv.row(m, eta, 2 / eta, row.get("train_loss"), row.get("converged"), row.get("lmax"),
                            row.get("lmax_residual"));
                    progress.step();
                }
            }
        }
        progress.end();
        DenoiseCharts.grid(rows, gridDepths, outDir.resolve("grid.png"));
        return rows;
    }

    private Map<String, Object> gridRun(int m, double eta, NDArray x, NDArray y, NDArray px, NDArray py,
            SquaredErrorLoss loss) {
        SequentialBlock block = Networks.denoiser(m, PIXELS);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("depth", m);
        row.put("eta", eta);
        row.put("threshold", 2 / eta);
        try (TrainingSession session = TrainingSession.builder()
                .setBlock(block)
                .setLoss(loss)
                .setOptimizer(OptimizerSpec.sgd(eta))
                .setData(x, y)
                .optBatchSize(batch)
                .optInitialization(Initializers.Scheme.IDENTITY, 1.0, seed)
                .optOrderSeed(seed + 17)
                .build()) {
            double last = Double.NaN;
            for (int e = 0; e < gridEpochs; e++) {
                last = session.epoch();
                if (!Double.isFinite(last)) {
                    break;
                }
            }
            double trainLoss = Double.isFinite(last) ? Evaluation.loss(block, loss, x, y) : Double.NaN;
            boolean converged = Double.isFinite(trainLoss) && trainLoss <= gridLoss;
            row.put("train_loss", trainLoss);
            row.put("converged", converged);
            if (converged) {
                Eigenpairs top = Sharpness.top(block, loss, px, py, lanczos, lanczosTol, seed);
                row.put("lmax", top.max());
                row.put("lmax_residual", top.residual(0));
            } else {
                row.put("lmax", null);
                row.put("lmax_residual", null);
            }
            logger.info("grid depth {} eta {}: loss {} converged {} lmax {}", m, eta, trainLoss, converged,
                    row.get("lmax"));
        }
        return row;
    }

    /** @return the mean Euclidean norm of the rows (the radius on which the gains are measured) */
    private static double meanRowNorm(NDArray x) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray local = x.duplicate();
            local.attach(scope);
            return local.mul(local).sum(new int[] {1}).sqrt().mean().getFloat();
        }
    }

    private static List<Double> toList(double[] a) {
        List<Double> l = new ArrayList<>(a.length);
        for (double v : a) {
            l.add(v);
        }
        return l;
    }
}
