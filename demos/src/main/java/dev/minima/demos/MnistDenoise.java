package dev.minima.demos;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.dataset.Dataset;
import dev.minima.curvature.Eigenpairs;
import dev.minima.data.MnistArrays;
import dev.minima.demos.mnist.DenoiseCharts;
import dev.minima.demos.mnist.DenoiseReport;
import dev.minima.demos.mnist.DigitGrid;
import dev.minima.demos.mnist.Evaluation;
import dev.minima.demos.mnist.Initializers;
import dev.minima.demos.mnist.Networks;
import dev.minima.demos.mnist.NoisyMnist;
import dev.minima.demos.mnist.OptimizerSpec;
import dev.minima.demos.mnist.Sharpness;
import dev.minima.demos.mnist.TorchThreads;
import dev.minima.demos.mnist.TrainingSession;
import dev.minima.demos.support.CsvTable;
import dev.minima.demos.support.Progress;
import ai.djl.ndarray.types.Shape;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mnist-denoise}: Mulayoff &amp; Michaeli's (2020) nonlinear experiment (Sec. 6, Fig. 6, Table S1). A fully
 * connected ReLU network, every layer 784 wide, learns to map noisy MNIST digits (σ = 1.25) to clean ones with the
 * per-pixel mean squared error; SGD with a large step and Adam with a small one are compared by the sharpness of the
 * minimum they reach, their intermediate gains, and their denoised digits. With {@code --full} it also runs
 * the depth × step-size grid of Fig. 4 (SGD from the identity initialisation).
 */
@Command(
        name = "mnist-denoise",
        mixinStandardHelpOptions = true,
        description = {
            "Mulayoff & Michaeli (2020), flat minima in deep nets: SGD vs Adam on MNIST denoising; sharpness, intermediate gains,"
                    + " denoised digits; --full adds the depth x step-size grid."
        })
public final class MnistDenoise extends DemoCommand {

    private static final int PIXELS = 784;

    @Option(names = "--full", description = "Paper scale: 50,000 training and 10,000 validation images, more epochs,"
            + " 100 gain starts, and the depth x step grid.")
    boolean full;

    @Option(names = "--data", paramLabel = "DIR", description = "MNIST data directory (default: $MINIMA_DATA, else"
            + " ~/.minima/data).")
    Path data;

    @Option(names = "--train", paramLabel = "N", description = "Training images (quick 10000, full 50000).")
    Integer train;

    @Option(names = "--val", paramLabel = "N", description = "Validation images, taken after the training ones"
            + " (quick 1000, full 10000).")
    Integer val;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs per optimizer (quick 10, full 40).")
    Integer epochs;

    @Option(names = "--depth", paramLabel = "M", description = "Number of layers m (default: ${DEFAULT-VALUE}).")
    int depth = 6;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch = 100;

    @Option(names = "--sgd-lr", paramLabel = "ETA", description = "SGD step size (default: ${DEFAULT-VALUE}).")
    double sgdLr = 0.5;

    @Option(names = "--adam-lr", paramLabel = "ETA", description = "Adam step size (default: ${DEFAULT-VALUE}).")
    double adamLr = 3e-4;

    @Option(names = "--adam-betas", paramLabel = "B1,B2", split = ",", description = "Adam's betas (default: 0.8,0.99).")
    double[] adamBetas = {0.8, 0.99};

    @Option(names = "--sigma", paramLabel = "S", description = "Noise standard deviation (default: ${DEFAULT-VALUE}).")
    double sigma = 1.25;

    @Option(names = "--init", paramLabel = "SCHEME", description = "Initialisation of the comparison: HE or IDENTITY"
            + " (default: ${DEFAULT-VALUE}).")
    Initializers.Scheme init = Initializers.Scheme.HE;

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

    @Option(names = "--grid", negatable = true, description = "Run the depth x step grid (default: on with --full).")
    Boolean grid;

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

    @Option(names = "--threads", paramLabel = "N", description = "libtorch intra-op threads (default: ${DEFAULT-VALUE};"
            + " 2 can be faster on an otherwise idle 2-core machine).")
    int threads = 1;

    @Override
    protected String name() {
        return "mnist-denoise";
    }

    /** Everything measured for one optimizer. */
    record Run(OptimizerSpec spec, List<Double> epochTrain, List<Double> epochVal, double trainLoss, double valLoss,
            Eigenpairs lmax, GainProfile gains, boolean diverged, double seconds, float[] denoised) {}

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        int nTrain = train != null ? train : full ? 50_000 : 10_000;
        int nVal = val != null ? val : full ? 10_000 : 1000;
        int nEpochs = epochs != null ? epochs : full ? 40 : 10;
        int starts = gainStarts != null ? gainStarts : full ? 100 : 20;
        int steps = gainIterations != null ? gainIterations : full ? 300 : 40;
        boolean runGrid = grid != null ? grid : full;
        validate(nTrain, nVal, nEpochs);
        TorchThreads.set(threads);
        int nProbe = Math.min(probe, nTrain);

        MnistArrays split = MnistArrays.read(data, Dataset.Usage.TRAIN);
        if (nTrain + nVal > split.size()) {
            throw new IllegalArgumentException("--train + --val = " + (nTrain + nVal) + " exceeds the " + split.size()
                    + " training images of MNIST: lower them");
        }
        NoisyMnist pairs = NoisyMnist.of(split.head(nTrain + nVal), sigma, seed);
        NoisyMnist examples = NoisyMnist.of(MnistArrays.read(data, Dataset.Usage.TEST).head(8), sigma, seed + 1);
        SquaredErrorLoss loss = Losses.mse();
        OptimizerSpec sgd = OptimizerSpec.sgd(sgdLr);
        OptimizerSpec adam = OptimizerSpec.adam(adamLr, adamBetas[0], adamBetas[1]);

        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mode", full ? "full" : "quick");
        config.put("train", nTrain);
        config.put("val", nVal);
        config.put("epochs", nEpochs);
        config.put("depth", depth);
        config.put("width", PIXELS);
        config.put("batch", batch);
        config.put("sigma", sigma);
        config.put("init", init.name().toLowerCase(Locale.ROOT));
        config.put("loss", "mean over pixels and images of (f - y)^2 (Losses.mse(), no 1/2)");
        config.put("probe", nProbe);
        config.put("gain_starts", starts);
        config.put("gain_iterations", steps);
        config.put("seed", seed);
        summary.put("config", config);

        Map<String, Run> runs = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager();
                CsvTable curve = new CsvTable(outDir.resolve("training.csv"),
                        List.of("optimizer", "epoch", "step", "train_loss_running", "val_loss", "seconds"));
                CsvTable gainCsv = new CsvTable(outDir.resolve("gains.csv"),
                        List.of("optimizer", "layer", "max_gain", "top_signal_gain"))) {
            NDArray all = pairs.inputs(manager, DataType.FLOAT32);
            NDArray allTargets = pairs.targets(manager, DataType.FLOAT32);
            NDArray x = all.get(new NDIndex(":" + nTrain));
            NDArray y = allTargets.get(new NDIndex(":" + nTrain));
            NDArray vx = all.get(new NDIndex(nTrain + ":"));
            NDArray vy = allTargets.get(new NDIndex(nTrain + ":"));
            NDArray px = x.get(new NDIndex(":" + nProbe));
            NDArray py = y.get(new NDIndex(":" + nProbe));
            NDArray ex = examples.inputs(manager, DataType.FLOAT32);
            double radius = meanRowNorm(x);
            config.put("gain_radius", radius);
            GainAscent gains = GainAscent.builder().optStarts(starts).optMaxIterations(steps).optRadius(radius)
                    .optSeed(seed).build();
            for (OptimizerSpec spec : List.of(sgd, adam)) {
                Run run = train(spec, x, y, vx, vy, px, py, ex, nEpochs, gains, loss, curve);
                runs.put(spec.name(), run);
                if (run.gains() != null) {
                    for (int k = 0; k < run.gains().maxGains().length; k++) {
                        gainCsv.row(spec.name(), k + 1, run.gains().maxGains()[k], run.gains().topSignalGains()[k]);
                    }
                }
                summary.put(spec.name(), describe(run));
            }
        }
        new DigitGrid(28, 28, 3)
                .row("noisy", examples.noisy())
                .row("SGD", runs.get("sgd").denoised())
                .row("Adam", runs.get("adam").denoised())
                .row("clean", examples.clean())
                .write(outDir.resolve("denoised.png"));
        DenoiseCharts.loss(runs.get("sgd").epochTrain(), runs.get("sgd").epochVal(), runs.get("adam").epochTrain(),
                runs.get("adam").epochVal(), outDir.resolve("loss.png"));
        if (runs.get("sgd").gains() != null && runs.get("adam").gains() != null) {
            DenoiseCharts.gains(runs.get("sgd").gains(), runs.get("adam").gains(), outDir.resolve("gains.png"));
        }
        List<Map<String, Object>> gridRows = runGrid ? grid(pairs, nTrain, loss, outDir) : null;
        if (gridRows != null) {
            Map<String, Object> gridConfig = new LinkedHashMap<>();
            gridConfig.put("init", "identity");
            gridConfig.put("epochs", gridEpochs);
            gridConfig.put("loss", gridLoss);
            summary.put("grid_config", gridConfig);
            summary.put("grid", gridRows);
        }
        DenoiseReport.write(summary, outDir.resolve("report.md"));
        return summary;
    }

    private void validate(int nTrain, int nVal, int nEpochs) {
        if (nTrain < batch) {
            throw new IllegalArgumentException("--train " + nTrain + " is smaller than one batch (" + batch + ")");
        }
        if (nVal < 1 || nEpochs < 1 || depth < 1) {
            throw new IllegalArgumentException("--val, --epochs and --depth must be at least 1");
        }
        if (adamBetas.length != 2) {
            throw new IllegalArgumentException("--adam-betas takes two numbers, e.g. 0.8,0.99");
        }
    }

    private Run train(OptimizerSpec spec, NDArray x, NDArray y, NDArray vx, NDArray vy, NDArray px, NDArray py,
            NDArray examples, int nEpochs, GainAscent gains, SquaredErrorLoss loss, CsvTable curve) {
        logger.info("Training depth-{} denoiser with {}", depth, spec.describe());
        long t0 = System.nanoTime();
        List<Double> epochTrain = new ArrayList<>();
        List<Double> epochVal = new ArrayList<>();
        SequentialBlock block = Networks.denoiser(depth, PIXELS);
        try (TrainingSession session = TrainingSession.builder()
                .setBlock(block)
                .setLoss(loss)
                .setOptimizer(spec)
                .setData(x, y)
                .optBatchSize(batch)
                .optInitialization(init, 1.0, seed)
                .optOrderSeed(seed + 17)
                .build()) {
            Progress progress = new Progress("Training " + spec.name(), nEpochs);
            boolean diverged = false;
            for (int e = 1; e <= nEpochs; e++) {
                double running = session.epoch();
                double v = Double.isFinite(running) ? Evaluation.loss(block, loss, vx, vy) : Double.NaN;
                epochTrain.add(running);
                epochVal.add(v);
                curve.row(spec.name(), e, session.steps(), running, v, (System.nanoTime() - t0) / 1e9);
                progress.step();
                if (!Double.isFinite(running)) {
                    diverged = true;
                    break;
                }
            }
            progress.end();
            if (diverged) {
                logger.warn("{} diverged (non-finite loss); no sharpness or gains measured", spec.name());
                return new Run(spec, epochTrain, epochVal, Double.NaN, Double.NaN, null, null, true,
                        (System.nanoTime() - t0) / 1e9, new float[Math.toIntExact(examples.size())]);
            }
            double trainLoss = Evaluation.loss(block, loss, x, y);
            double valLoss = Evaluation.loss(block, loss, vx, vy);
            logger.info("{}: train loss {}, val loss {}; lambda_max on {} probe images...", spec.name(), trainLoss,
                    valLoss, px.getShape().get(0));
            Eigenpairs top = Sharpness.top(block, loss, px, py, lanczos, lanczosTol, seed);
            logger.info("{}: lambda_max {}", spec.name(), top);
            GainProfile profile = gains.run(block, new Shape(PIXELS));
            float[] denoised = Evaluation.predict(block, examples);
            return new Run(spec, epochTrain, epochVal, trainLoss, valLoss, top, profile, false,
                    (System.nanoTime() - t0) / 1e9, denoised);
        }
    }

    private Map<String, Object> describe(Run r) {
        Map<String, Object> m = new LinkedHashMap<>(r.spec().describe());
        m.put("batch", batch);
        m.put("epochs", r.epochTrain().size());
        m.put("diverged", r.diverged());
        m.put("train_loss", r.trainLoss());
        m.put("val_loss", r.valLoss());
        m.put("lmax", r.lmax() == null ? null : r.lmax().max());
        m.put("lmax_residual", r.lmax() == null ? null : r.lmax().residual(0));
        m.put("lanczos_products", r.lmax() == null ? null : r.lmax().products());
        m.put("threshold", r.spec().threshold());
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
