package dev.minima.demos;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Dataset;
import dev.minima.data.MnistArrays;
import dev.minima.data.MnistLocalRepository;
import dev.minima.demos.support.Checks;
import dev.minima.demos.support.CsvTable;
import dev.minima.demos.support.MnistDataOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench}: performance figures of Minima's curvature core (and, as they land, SAM and the monitor),
 * reported as ratios measured in one run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: HVP vs gradient time, Lanczos/power cost, trace estimators (Hutchinson/Hutch++/XTrace) against the exact trace, memory per 1000 HVPs,"
                + " SAM step vs SGD step, monitor overhead.")
public final class BenchCommand extends DemoCommand {

    @Mixin
    private MnistDataOption data = new MnistDataOption();

    @Option(names = "--images", description = "Probe images from the MNIST test set (default: ${DEFAULT-VALUE}).")
    private int images = 1000;

    @Option(names = "--repeats", description = "Timed repetitions per figure, median reported (default: ${DEFAULT-VALUE}).")
    private int repeats = 15;

    @Option(names = "--trace-seeds", description = "Seeds per budget for the trace estimators; trace_products_1pct is"
            + " the smallest budget (6, 12, 24, ...) whose median relative error over them is <= 1% (default:"
            + " ${DEFAULT-VALUE}).")
    private int traceSeeds = 10;

    @Option(names = "--trace-images", description = "MNIST test images (the first ones) whose Hessian the trace figures"
            + " use; the cost of every product grows with it (default: ${DEFAULT-VALUE}).")
    private int traceImages = 100;

    @Option(names = "--skip-curvature", description = "Skip the HVP, Lanczos, power-iteration and memory figures.")
    private boolean skipCurvature;

    @Option(names = "--trace-max-products", description = "Largest budget tried for trace_products_1pct (default:"
            + " ${DEFAULT-VALUE}).")
    private int traceMaxProducts = 192;

    @Option(names = "--trace-top-k", description = "Top eigenvalues computed by Lanczos to explain the trace figures"
            + " (default: ${DEFAULT-VALUE}).")
    private int traceTopK = 10;

    @Option(names = "--trace-trained", description = "Also measure the trace estimators on the MLP trained (Adam, batch"
            + " 128) to --target-accuracy on MNIST's test set: training and the second Hessian add several minutes.")
    private boolean traceTrained;

    @Option(names = "--skip-trace-init", description = "With --trace-trained: skip the Hessian at initialisation.")
    private boolean skipTraceInit;

    @Option(names = "--target-accuracy", description = "Test accuracy the MLP is trained to for --trace-trained"
            + " (default: ${DEFAULT-VALUE}).")
    private double targetAccuracy = 0.97;

    @Option(names = "--max-epochs", description = "Epochs at most for --trace-trained (default: ${DEFAULT-VALUE}).")
    private int maxEpochs = 10;

    @Option(names = "--skip-trace", description = "Skip the trace figures (exact reference, estimators, spectrum).")
    private boolean skipTrace;

    @Option(names = "--rss-products", description = "Products over which resident memory growth is measured (default: ${DEFAULT-VALUE}).")
    private int rssProducts = 1000;

    @Option(names = "--skip-dataset", description = "Skip the streamed-dataset memory figures (two child processes).")
    private boolean skipDataset;

    @Option(names = "--skip-sam", description = "Skip the SAM step figures.")
    private boolean skipSam;

    @Option(names = "--skip-monitor", description = "Skip the monitor-overhead figure.")
    private boolean skipMonitor;

    @Override
    protected String name() {
        return "bench";
    }

    @Override
    protected void validate() {
        Checks.between("--images", images, 1, 10_000, "the MNIST test set has 10,000 images");
        Checks.atLeast("--repeats", repeats, 1);
        Checks.atLeast("--trace-seeds", traceSeeds, 1);
        Checks.between("--trace-images", traceImages, 1, 10_000, "the MNIST test set has 10,000 images");
        Checks.atLeast("--trace-max-products", traceMaxProducts, 6);
        Checks.atLeast("--trace-top-k", traceTopK, 1);
        Checks.atLeast("--max-epochs", maxEpochs, 1);
        if (!(targetAccuracy > 0 && targetAccuracy <= 1)) {
            throw new dev.minima.demos.support.UsageException("--target-accuracy must be in (0, 1], got "
                    + targetAccuracy + ": an accuracy is a fraction of the test images");
        }
        Checks.atLeast("--rss-products", rssProducts, 1);
    }

    /**
     * The trace figures: the exact reference, products to 1% per estimator and the spectrum, at initialisation and
     * (with --trace-trained) after training; the curves go to trace_curve.csv.
     */
    private Map<String, Object> trace(MnistArrays test, Path outDir) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        MnistArrays head = test.head(traceImages);
        out.put("trace_images", traceImages);
        Map<String, Object> products = new LinkedHashMap<>();
        out.put("trace_reference", "ExactTrace: tr(H) = (1/N) sum_n sum_c ||J_n^T l_n,c||^2 (tr H = tr GGN for a ReLU"
                + " MLP), float64, no sampling error");
        out.put("trace_reference_se", 0.0);
        out.put("trace_products_1pct", products);
        out.put("trace_seeds", traceSeeds);
        try (CsvTable curve = new CsvTable(outDir.resolve("trace_curve.csv"), TraceBenchmark.curveHeader())) {
            TraceBenchmark bench = new TraceBenchmark(traceSeeds, traceMaxProducts, traceTopK, 30, seed, curve);
            if (!skipTraceInit) {
                try (NDManager m = NDManager.newBaseManager()) {
                    Map<String, Object> init = bench.measure("init", CurvatureBenchmark.mlp(m, seed), head);
                    products.put("init", init.remove("trace_products_1pct"));
                    out.put("trace_init", init);
                }
            }
            if (traceTrained) {
                MnistArrays train = MnistArrays.read(data.dir(), Dataset.Usage.TRAIN);
                try (TrainedBenchMlp mlp = TrainedBenchMlp.train(train, test, seed, targetAccuracy, maxEpochs)) {
                    Map<String, Object> trained = new LinkedHashMap<>();
                    trained.put("epochs", mlp.epochs());
                    trained.put("test_accuracy", mlp.testAccuracy());
                    trained.put("training_s", mlp.seconds());
                    if (mlp.testAccuracy() < targetAccuracy) {
                        logger.warn("the bench MLP reached test accuracy {} < {} in {} epochs", mlp.testAccuracy(),
                                targetAccuracy, mlp.epochs());
                    }
                    trained.putAll(bench.measure("trained", mlp.block(), head));
                    products.put("trained", trained.remove("trace_products_1pct"));
                    out.put("trace_trained", trained);
                }
            }
        }
        return out;
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        MnistArrays test = MnistArrays.read(data.dir(), Dataset.Usage.TEST);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workload", "784-512-512-10 ReLU MLP, DJL default init seed 0, softmax CE, first " + images
                + " MNIST test images, float32, CPU");
        if (!skipCurvature) {
            out.putAll(new CurvatureBenchmark(test, images, repeats, rssProducts).run());
        }
        if (!skipTrace) {
            out.putAll(trace(test, outDir));
        }
        if (!skipDataset) {
            // λ_max over DJL's Mnist streamed in batches of 1000, each size in its own process (peak RSS is per process)
            String dir = data.dir().toString();
            Map<String, String> small = DatasetMemoryBenchmark.inChild("--usage", "test", "--images",
                    String.valueOf(images), "--batch", "1000", "--data", dir);
            Map<String, String> full = DatasetMemoryBenchmark.inChild("--usage", "test", "--images", "10000",
                    "--batch", "1000", "--data", dir);
            out.put("dataset_rss_mb", Double.parseDouble(full.get("peak_rss_mb")));
            out.put("dataset_rss_mb_workload", Double.parseDouble(small.get("peak_rss_mb")));
            out.put("dataset_rss_ratio", Double.parseDouble(full.get("peak_rss_mb"))
                    / Double.parseDouble(small.get("peak_rss_mb")));
            out.put("dataset_lmax_10000", Double.parseDouble(full.get("lambda_max")));
            out.put("dataset_lmax_workload", Double.parseDouble(small.get("lambda_max")));
        }
        if (!skipSam) {
            out.putAll(SamBenchmark.run(seed));
        }
        if (!skipMonitor) {
            out.putAll(MonitorOverheadBenchmark.builder().optSeed(seed).build().run().toMap());
            int cores = Runtime.getRuntime().availableProcessors();
            if (cores > 1 && ai.djl.pytorch.jni.JniUtils.getNumThreads() >= cores) {
                // the same with one core left to the monitor's worker (training on one libtorch thread fewer)
                MonitorOverheadBenchmark.builder().optSeed(seed).optTrainingThreads(cores - 1).build().run().toMap()
                        .forEach((k, v) -> out.put(k.replaceFirst("^monitor_", "monitor_spare_core_")
                                .replaceFirst("^(baseline_seconds|monitored_seconds|torch_threads)$",
                                        "monitor_spare_core_$1"), v));
            }
        }
        out.forEach((k, v) -> logger.info("{} = {}", k, v));
        return out;
    }
}
