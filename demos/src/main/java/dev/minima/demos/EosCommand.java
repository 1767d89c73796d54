package dev.minima.demos;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.autograd.NativeArrays;
import dev.minima.data.MnistArrays;
import dev.minima.demos.support.Checks;
import dev.minima.demos.support.MnistDataOption;
import dev.minima.demos.support.ThreadsOption;
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss;
import dev.minima.monitor.EosEvent;
import dev.minima.monitor.SharpnessListener;
import dev.minima.monitor.SharpnessProbe;
import dev.minima.monitor.SharpnessRecord;
import dev.minima.monitor.TrainingDivergedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code eos}: the edge of stability (Cohen et al. 2021) on MNIST. Full-batch gradient descent on a subset
 * with a small MLP and ½-squared loss on one-hot targets, for a few step sizes η, with a
 * {@link SharpnessListener} attached: λ_max rises (progressive sharpening) until it reaches 2/η and then
 * hovers there while the loss keeps falling. Writes per η a CSV of the records and a PNG chart, and a
 * {@code summary.json} with one entry per run.
 *
 * <p>Set-up choices (measured on 1,000- and 5,000-image subsets): 784-200-200-10 tanh, pixels centred by
 * the subset's mean image (as Cohen et al. centre CIFAR), the square loss summed over classes (their
 * convention), and the last layer's initial weights scaled by 0.1. With DJL's default initialisation λ_max
 * starts above 2/η for every η that trains in a few hundred steps (the run then catapults instead of
 * sharpening) or, for smaller η, falls and rises too slowly to reach 2/η in under ~2,000 steps; a small
 * read-out starts λ_max near 4 and makes it rise steadily to 2/η ∈ {10, 8, 6.7} within a few hundred
 * steps.
 */
@Command(name = "eos", mixinStandardHelpOptions = true,
        description = {"Edge of stability on MNIST: full-batch GD for a few step sizes with the sharpness monitor"
                + " attached; reports where lambda_max meets 2/eta."})
public final class EosCommand extends DemoCommand {

    @Option(names = "--etas", split = ",", paramLabel = "ETA,...",
            description = "Step sizes (default: ${DEFAULT-VALUE}).")
    private List<Double> etas = List.of(0.2, 0.25, 0.3);

    @Option(names = "--steps", paramLabel = "N", description = "GD steps per step size (default: ${DEFAULT-VALUE}).")
    private int steps = 500;

    @Option(names = "--subset", paramLabel = "N", description = "Training images (default: ${DEFAULT-VALUE}).")
    private int subset = 5000;

    @Option(names = "--every", paramLabel = "K", description = "Monitor every K steps (default: ${DEFAULT-VALUE}).")
    private int every = 20;

    @Option(names = "--hidden", paramLabel = "W", description = "Hidden width (default: ${DEFAULT-VALUE}).")
    private int hidden = 200;

    @Option(names = "--layers", paramLabel = "L", description = "Hidden layers (default: ${DEFAULT-VALUE}).")
    private int layers = 2;

    @Option(names = "--activation", paramLabel = "tanh|relu", description = "Activation (default: ${DEFAULT-VALUE}).")
    private String activation = "tanh";

    @Mixin
    private MnistDataOption data = new MnistDataOption();

    @Option(names = "--output-scale", paramLabel = "S",
            description = "Multiply the last layer's initial weights by S (default: ${DEFAULT-VALUE}).")
    private double outputScale = 0.1;

    @Option(names = "--raw-pixels",
            description = "Use pixels in [0, 1] as they are (default: subtract the subset's mean image, as Cohen et al."
                    + " centre their data).")
    private boolean rawPixels;

    @Option(names = "--tolerance", paramLabel = "TOL",
            description = "Lanczos relative residual tolerance of each lambda_max (default: ${DEFAULT-VALUE}).")
    private double tolerance = SharpnessListener.DEFAULT_TOLERANCE;

    @Mixin
    private ThreadsOption threads = new ThreadsOption();

    @Override
    protected String name() {
        return "eos";
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        MnistArrays mnist = MnistArrays.read(data.dir(), Dataset.Usage.TRAIN);
        int[] chosen = choose(mnist.size(), subset, seed);
        // Cohen et al. use the square loss ½‖f(x) − y‖² summed over classes, averaged over examples
        MinimaLoss loss = Losses.halfMse(MinimaLoss.OutputReduction.SUM_OUTPUTS);
        List<Map<String, Object>> runs = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = pixels(manager, mnist, chosen, !rawPixels);
            NDArray y = oneHot(manager, mnist, chosen);
            for (double eta : etas) {
                runs.add(run(outDir, manager, x, y, eta, loss));
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("command", "eos");
        summary.put("subset", subset);
        summary.put("steps", steps);
        summary.put("every", every);
        summary.put("model", architecture());
        summary.put("loss", "half squared error, summed over the 10 one-hot outputs, mean over examples");
        summary.put("output_scale", outputScale);
        summary.put("inputs", rawPixels ? "pixels in [0, 1]" : "pixels in [0, 1] minus the subset's mean image");
        summary.put("seed", seed);
        summary.put("runs", runs);
        return summary;
    }

    private Map<String, Object> run(Path outDir, NDManager manager, NDArray x, NDArray y, double eta,
            MinimaLoss loss) {
        String tag = String.format(Locale.ROOT, "eta%s", trim(eta));
        Path csv = outDir.resolve("eos-" + tag + ".csv");
        Path png = outDir.resolve("eos-" + tag + ".png");
        SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optEvery(every).optLearningRate(eta)
                .optLoss(loss)
                .optProbe(x, y).optCsv(csv).optChart(png)
                .optSharpnessProbe(SharpnessProbe.builder().optTolerance(tolerance).optSeed(seed).build())
                .optChartTitle(String.format(Locale.ROOT, "MNIST %d, %s, full-batch GD, eta = %s", subset,
                        architecture(), trim(eta)))
                .build();
        long t0 = System.nanoTime();
        boolean diverged = false;
        String divergence = null;
        double accuracy = Double.NaN;
        int done = 0;
        try (Model model = Model.newInstance("eos-" + tag)) {
            model.setBlock(mlp());
            Engine.getInstance().setRandomSeed((int) seed); // the same initialisation for every eta
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) eta)).build())
                    .addTrainingListeners(monitor);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 784));
                scaleOutputLayer(model);
                try {
                    for (; done < steps; done++) {
                        fullBatchStep(trainer, manager, x, y);
                    }
                    monitor.measureNow(trainer); // the final point, after the last step
                } catch (TrainingDivergedException e) {
                    diverged = true;
                    divergence = e.getMessage();
                    logger.warn("eta = {} diverged at step {}: {}", eta, done, e.getMessage());
                }
                if (!diverged) {
                    accuracy = accuracy(trainer, manager, x, y);
                }
            }
        }
        double seconds = (System.nanoTime() - t0) * 1e-9;
        List<SharpnessRecord> records = monitor.records();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("eta", eta);
        r.put("threshold", 2.0 / eta);
        SharpnessRecord first = records.isEmpty() ? null : records.get(0);
        SharpnessRecord last = records.isEmpty() ? null : records.get(records.size() - 1);
        r.put("lmax_initial", first == null ? null : first.lambdaMax());
        r.put("lmax_final", last == null ? null : last.lambdaMax());
        r.put("ratio_final", last == null ? null : last.ratio());
        r.put("ratio_last5_mean", records.isEmpty() ? null : records.subList(Math.max(0, records.size() - 5),
                records.size()).stream().mapToDouble(SharpnessRecord::ratio).average().orElseThrow());
        r.put("sharpening_detected", monitor.detector().sharpeningDetected());
        r.put("eos_step", monitor.detector().edgeStep());
        r.put("diverged", diverged);
        r.put("divergence", divergence);
        r.put("steps_done", done);
        r.put("loss_initial", first == null ? null : first.loss());
        r.put("loss_final", last == null ? null : last.loss());
        r.put("train_accuracy", Double.isNaN(accuracy) ? null : accuracy);
        r.put("records", records.size());
        r.put("hvp_products", records.stream().mapToLong(s -> s.snapshot().products()).sum());
        r.put("seconds", seconds);
        r.put("monitor_seconds", monitor.monitorSeconds());
        List<Map<String, Object>> events = new ArrayList<>();
        for (EosEvent e : monitor.events()) {
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("type", e.type().name());
            ev.put("step", e.step());
            ev.put("message", e.message());
            events.add(ev);
        }
        r.put("events", events);
        r.put("csv", csv.getFileName().toString());
        r.put("chart", png.getFileName().toString());
        logger.info(String.format(Locale.ROOT, "eta %s: lambda_max %.2f -> %.2f (2/eta = %.2f, ratio %.3f), edge at"
                + " step %s, sharpening %s, loss %.4f -> %.4f, accuracy %.3f, %.0f s (monitor %.0f s)", trim(eta),
                first == null ? Double.NaN : first.lambdaMax(), last == null ? Double.NaN : last.lambdaMax(),
                2 / eta, last == null ? Double.NaN : last.ratio(), monitor.detector().edgeStep(),
                monitor.detector().sharpeningDetected(), first == null ? Double.NaN : first.loss(),
                last == null ? Double.NaN : last.loss(), accuracy, seconds, monitor.monitorSeconds()));
        return r;
    }

    /** One full-batch GD step through the trainer (so the listener sees it), scoped in a sub-manager. */
    private static void fullBatchStep(Trainer trainer, NDManager manager, NDArray x, NDArray y) {
        try (NDManager scope = manager.newSubManager()) {
            // a Batch attaches its arrays to its own (sub-)managers, which the scope closes: give it copies
            // (also keeps every intermediate in the scope, since ops attach to their first input's manager)
            NDArray xs = x.duplicate();
            NDArray ys = y.duplicate();
            xs.attach(scope);
            ys.attach(scope);
            NDList data = new NDList(xs);
            NDList labels = new NDList(ys);
            Batch batch = new Batch(scope, data, labels, (int) x.getShape().get(0), null, null, 0, 1);
            EasyTrain.trainBatch(trainer, batch);
            trainer.step();
        }
    }

    private static double accuracy(Trainer trainer, NDManager manager, NDArray x, NDArray y) {
        try (NDManager scope = manager.newSubManager()) {
            NDList data = new NDList(x);
            data.tempAttach(scope);
            NDArray pred = trainer.evaluate(data).singletonOrThrow().argMax(1);
            NDArray truth = y.argMax(1);
            truth.attach(scope);
            return pred.eq(truth).toType(DataType.FLOAT32, false).mean().getFloat();
        }
    }

    /** Scales the last Linear layer's initial weights (not its bias) by --output-scale. */
    private void scaleOutputLayer(Model model) {
        if (outputScale == 1.0) {
            return;
        }
        var params = model.getBlock().getParameters();
        NDArray last = null;
        for (var p : params) {
            if (p.getKey().endsWith("weight")) {
                last = p.getValue().getArray();
            }
        }
        try (dev.minima.autograd.GradMode off = dev.minima.autograd.GradMode.disabled()) {
            last.muli(outputScale);
        }
    }

    private SequentialBlock mlp() {
        SequentialBlock b = new SequentialBlock();
        for (int l = 0; l < layers; l++) {
            b.add(Linear.builder().setUnits(hidden).build());
            b.add("relu".equals(activation) ? Activation::relu : Activation::tanh);
        }
        b.add(Linear.builder().setUnits(10).build());
        return b;
    }

    private String architecture() {
        return "784-" + (hidden + "-").repeat(layers) + "10 " + activation;
    }

    @Override
    protected void validate() {
        Checks.positiveFloats("--etas", etas);
        Checks.atLeast("--steps", steps, 1);
        Checks.between("--subset", subset, 1, 60_000, "MNIST's training split has 60,000 images");
        Checks.atLeast("--every", every, 1);
        Checks.atLeast("--hidden", hidden, 1);
        Checks.atLeast("--layers", layers, 1);
        Checks.finiteFloat("--output-scale", outputScale);
        Checks.inRange("--tolerance", tolerance, 0, false, 1, false);
        Checks.require("tanh".equals(activation) || "relu".equals(activation),
                "--activation must be tanh or relu, got " + activation);
    }

    /** A seeded choice of k of n indices, in increasing order. */
    static int[] choose(int n, int k, long seed) {
        return dev.minima.util.SeededRandom.sample(n, k, new SplittableRandom(seed));
    }

    private static NDArray pixels(NDManager m, MnistArrays d, int[] chosen, boolean center) {
        float[] v = new float[chosen.length * 784];
        for (int i = 0; i < chosen.length; i++) {
            d.copyImage(chosen[i], v, i * 784);
        }
        if (center) {
            double[] mean = new double[784];
            for (int i = 0; i < chosen.length; i++) {
                for (int p = 0; p < 784; p++) {
                    mean[p] += v[i * 784 + p] / (double) chosen.length;
                }
            }
            for (int i = 0; i < chosen.length; i++) {
                for (int p = 0; p < 784; p++) {
                    v[i * 784 + p] -= (float) mean[p];
                }
            }
        }
        return NativeArrays.of(m, v, new Shape(chosen.length, 784), DataType.FLOAT32);
    }

    private static NDArray oneHot(NDManager m, MnistArrays d, int[] chosen) {
        float[] v = new float[chosen.length * 10];
        for (int i = 0; i < chosen.length; i++) {
            v[i * 10 + d.labels()[chosen[i]]] = 1f;
        }
        return NativeArrays.of(m, v, new Shape(chosen.length, 10), DataType.FLOAT32);
    }

    private static String trim(double eta) {
        String s = Double.toString(eta);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
