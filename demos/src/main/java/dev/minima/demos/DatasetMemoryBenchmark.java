package dev.minima.demos;

import ai.djl.basicdataset.cv.classification.Mnist;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.util.ProgressBar;
import dev.minima.curvature.Curvature;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Objective;
import dev.minima.curvature.Vectors;
import dev.minima.data.MnistData;
import dev.minima.loss.Losses;
import dev.minima.util.NativeMemory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Resident memory of λ_max over a streamed DJL dataset: the {@code bench} MLP (784-512-512-10 ReLU, DJL's default
 * initialisation under seed 0, behind a flatten) with softmax cross-entropy on the first {@code images} MNIST
 * images read through DJL's {@link Mnist} in batches of {@code batch}, λ_max by {@link Curvature} (Lanczos,
 * tolerance 1e-3). Run once per process, so that the peak resident set ({@code VmHWM}) belongs to this workload
 * alone; {@code bench} starts it in child processes for 1,000 and 10,000 test images.
 *
 * <pre>
 * java -cp "demos/target/minima-demos.jar:demos/target/lib/*" dev.minima.demos.DatasetMemoryBenchmark \
 *     --usage train --images 60000 --batch 1000
 * </pre>
 *
 * Prints one line {@code key=value ...}: images, batches, lambda_max, residual, products, seconds, peak_rss_mb
 * (VmHWM), native_mb (resident outside the Java heap at the end) and, with {@code --check-concatenated}, the
 * relative difference between a streamed Hessian-vector product and the product on the concatenated batch.
 */
public final class DatasetMemoryBenchmark {

    private DatasetMemoryBenchmark() {}

    /**
     * Runs one measurement and prints its figures.
     *
     * @param args {@code --usage test|train}, {@code --images N}, {@code --batch B}, {@code --data DIR},
     *     {@code --check-concatenated}
     * @throws Exception if MNIST cannot be read
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--check-concatenated")) {
                check = true;
            } else {
                opts.put(args[i], args[++i]);
            }
        }
        Dataset.Usage usage = Dataset.Usage.valueOf(opts.getOrDefault("--usage", "test").toUpperCase(Locale.ROOT));
        int images = Integer.parseInt(opts.getOrDefault("--images", "1000"));
        int batch = Integer.parseInt(opts.getOrDefault("--batch", "1000"));
        Path data = opts.containsKey("--data") ? Path.of(opts.get("--data")) : null;
        Map<String, Object> out = run(usage, images, batch, data, check);
        StringBuilder line = new StringBuilder();
        out.forEach((k, v) -> line.append(line.length() == 0 ? "" : " ").append(k).append('=').append(v));
        System.out.println(line);
    }

    static Map<String, Object> run(Dataset.Usage usage, int images, int batch, Path data, boolean check)
            throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        long start = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager()) {
            Mnist mnist = MnistData.builder().optDataDir(data).optUsage(usage).optLimit(images)
                    .setSampling(batch, false).optManager(m).build();
            mnist.prepare(new ProgressBar());
            Block block = model(m);
            try (Curvature c = Curvature.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                    .setDataset(mnist).build()) {
                Eigenpairs top = c.topEigenvalue();
                out.put("images", c.objective().size());
                out.put("batches", c.objective().batchCount());
                out.put("lambda_max", top.max());
                out.put("residual", top.residual(0));
                out.put("products", top.products());
                if (check) {
                    out.put("concatenated_rel_diff", concatenatedDifference(c.objective(), mnist, m));
                }
            }
        }
        out.put("seconds", (System.nanoTime() - start) / 1e9);
        out.put("peak_rss_mb", peakRssKb() / 1024.0);
        out.put("native_mb", NativeMemory.nativeKb() / 1024.0);
        return out;
    }

    /** The bench MLP behind a flatten of DJL's (B, 1, 28, 28) images. */
    static Block model(NDManager m) {
        SequentialBlock b = new SequentialBlock()
                .add(Blocks.batchFlattenBlock(784))
                .add(Linear.builder().setUnits(512).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(512).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(10).build());
        Engine.getInstance().setRandomSeed(0);
        b.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
        return b;
    }

    /** ‖H_streamed v − H_concatenated v‖ / ‖H_concatenated v‖ for one Gaussian v. */
    private static double concatenatedDifference(Objective streamed, Mnist mnist, NDManager m) throws Exception {
        List<NDArray> xs = new ArrayList<>();
        List<NDArray> ys = new ArrayList<>();
        for (Batch b : mnist.getData(m)) {
            xs.add(b.getData().singletonOrThrow());
            ys.add(b.getLabels().singletonOrThrow());
        }
        NDArray x = xs.size() == 1 ? xs.get(0) : ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(xs));
        NDArray y = ys.size() == 1 ? ys.get(0) : ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(ys));
        try (Objective whole = Objective.builder().setBlock(streamed.block()).setLoss(streamed.loss())
                .addBatch(x, y).build();
                HessianOperator h = HessianOperator.of(whole);
                HessianOperator hs = HessianOperator.of(streamed);
                NDManager s = m.newSubManager()) {
            NDArray v = Vectors.gaussian(s, whole.space().dimension(), DataType.FLOAT32, new SplittableRandom(3));
            NDArray a = h.apply(v);
            NDArray b = hs.apply(v);
            return Vectors.norm(a.sub(b)) / Vectors.norm(a);
        }
    }

    private static long peakRssKb() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /**
     * Runs {@link #main} in a child JVM with this class path and returns its figures.
     *
     * @param args the child's arguments
     * @return the figures the child printed
     * @throws Exception if the child fails
     */
    static Map<String, String> inChild(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path"), DatasetMemoryBenchmark.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("images=")) {
                    last = line;
                }
            }
        }
        if (p.waitFor() != 0 || last == null) {
            throw new IllegalStateException("dataset memory benchmark " + String.join(" ", args) + " failed (exit "
                    + p.exitValue() + ")");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : last.split(" ")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }
}
