package dev.minima.demos;

import ai.djl.training.dataset.Dataset;
import dev.minima.data.MnistArrays;
import dev.minima.data.MnistLocalRepository;
import dev.minima.demos.support.Checks;
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
        description = "Benchmarks: HVP vs gradient time, Lanczos/power/Hutchinson/Hutch++ cost, memory per 1000 HVPs,"
                + " SAM step vs SGD step, monitor overhead.")
public final class BenchCommand extends DemoCommand {

    @Mixin
    private MnistDataOption data = new MnistDataOption();

    @Option(names = "--images", description = "Probe images from the MNIST test set (default: ${DEFAULT-VALUE}).")
    private int images = 1000;

    @Option(names = "--repeats", description = "Timed repetitions per figure, median reported (default: ${DEFAULT-VALUE}).")
    private int repeats = 15;

    @Option(names = "--trace-seeds", description = "Seeds averaged for the trace-estimator budgets (default: ${DEFAULT-VALUE}).")
    private int traceSeeds = 3;

    @Option(names = "--rss-products", description = "Products over which resident memory growth is measured (default: ${DEFAULT-VALUE}).")
    private int rssProducts = 1000;

    @Option(names = "--skip-curvature", description = "Skip the curvature figures (product costs, Lanczos, trace"
            + " budgets, memory per product).")
    private boolean skipCurvature;

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
        Checks.atLeast("--rss-products", rssProducts, 1);
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        MnistArrays test = MnistArrays.read(data.dir(), Dataset.Usage.TEST);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workload", "784-512-512-10 ReLU MLP, DJL default init seed 0, softmax CE, first " + images
                + " MNIST test images, float32, CPU");
        if (!skipCurvature) {
            out.putAll(new CurvatureBenchmark(test, images, repeats, traceSeeds, rssProducts).run());
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
        }
        out.forEach((k, v) -> logger.info("{} = {}", k, v));
        return out;
    }
}
