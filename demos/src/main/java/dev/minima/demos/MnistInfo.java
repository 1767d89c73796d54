package dev.minima.demos;

import ai.djl.basicdataset.cv.classification.Mnist;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.util.ProgressBar;
import dev.minima.data.MnistData;
import dev.minima.data.MnistLocalRepository;
import dev.minima.demos.support.MnistDataOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mnist-info}: reads both MNIST splits through DJL's own {@link Mnist} dataset (on the verified local
 * copy, or DJL's default repository when there is none) and reports counts, label histograms and pixel means.
 */
@Command(
        name = "mnist-info",
        mixinStandardHelpOptions = true,
        description = {
            "Reads MNIST through DJL's Mnist dataset and reports counts, label histograms and pixel means"
                    + " (pixels scaled to [0,1])."
        })
public final class MnistInfo extends DemoCommand {

    private static final int BATCH = 1000;

    @Mixin
    private MnistDataOption data = new MnistDataOption().allowingDjlFallback();

    /** Counts, histogram and pixel mean of one split. */
    record SplitStats(long count, long[] labelCounts, double pixelMean, float firstLabel) {}

    @Override
    protected String name() {
        return "mnist-info";
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        boolean local = MnistData.localRepository(data.given()).isPresent();
        SplitStats train;
        SplitStats test;
        try (NDManager manager = NDManager.newBaseManager()) {
            train = stats(manager, Dataset.Usage.TRAIN);
            test = stats(manager, Dataset.Usage.TEST);
        }
        String source = local ? "local:" + data.dir() : "djl-default-repository";
        System.out.println("MNIST through DJL's Mnist dataset (" + source + ")");
        print("train", train);
        print("test", test);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("train_count", train.count());
        summary.put("test_count", test.count());
        summary.put("train_label_counts", asList(train.labelCounts()));
        summary.put("test_label_counts", asList(test.labelCounts()));
        summary.put("train_pixel_mean", train.pixelMean());
        summary.put("test_pixel_mean", test.pixelMean());
        summary.put("source", source);
        return summary;
    }

    private SplitStats stats(NDManager manager, Dataset.Usage usage) throws Exception {
        Mnist mnist = MnistData.builder()
                .optDataDir(data.given())
                .optFallbackToDjl(data.fallsBackToDjl())
                .optUsage(usage)
                .setSampling(BATCH, false)
                .optManager(manager)
                .build();
        mnist.prepare(new ProgressBar());
        long n = mnist.size();
        long[] counts = new long[10];
        double pixelSum = 0;
        long pixels = 0;
        long seen = 0;
        float first = Float.NaN;
        ProgressBar progress = new ProgressBar("Read " + usage.name().toLowerCase(java.util.Locale.ROOT), n);
        for (Batch batch : mnist.getData(manager)) {
            try (batch) {
                NDArray x = batch.getData().head();
                NDArray y = batch.getLabels().head();
                pixelSum += x.toType(DataType.FLOAT64, false).sum().getDouble();
                pixels += x.size();
                float[] labels = y.toFloatArray();
                if (seen == 0 && labels.length > 0) {
                    first = labels[0];
                }
                for (float label : labels) {
                    counts[Math.round(label)]++;
                }
                seen += labels.length;
                progress.increment(labels.length);
            }
        }
        progress.end();
        if (seen != n) {
            throw new IllegalStateException("DJL's Mnist has size " + n + " but its batches held " + seen);
        }
        return new SplitStats(n, counts, pixelSum / pixels, first);
    }

    private static void print(String split, SplitStats s) {
        System.out.printf("%-5s count %6d  pixel mean %.6f  first label %.0f%n", split, s.count(), s.pixelMean(),
                s.firstLabel());
        System.out.println("      label counts " + Arrays.toString(s.labelCounts()));
    }

    private static List<Long> asList(long[] a) {
        return Arrays.stream(a).boxed().collect(Collectors.toList());
    }
}
