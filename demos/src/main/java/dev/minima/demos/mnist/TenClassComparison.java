package dev.minima.demos.mnist;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.metric.Metrics;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.curvature.Curvature;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.Hutchinson;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.TraceEstimate;
import dev.minima.data.MnistArrays;
import dev.minima.data.SeededShuffle;
import dev.minima.demos.support.CsvTable;
import dev.minima.demos.support.Sharpness;
import dev.minima.loss.Losses;
import dev.minima.monitor.SharpnessListener;
import dev.minima.monitor.SharpnessRecord;
import dev.minima.loss.MinimaLoss;
import dev.minima.sam.SamStep;
import dev.minima.sam.SharpnessAware;
import dev.minima.sam.SharpnessAwareTraining;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 10-class MNIST comparison of SGD and SAM (Foret et al. 2021): a ReLU MLP 784 → hidden → 10 with
 * Minima's softmax cross-entropy, trained twice from the same seeded weights on the same seeded batch order,
 * once by plain DJL SGD ({@code EasyTrain.fit}) and once by SAM on the same SGD ({@link
 * SharpnessAwareTraining#fit}); then, at the final weights, λ_max and tr(H) of the Hessian of the loss on a
 * fixed probe of the training images ({@link Sharpness#onBatch}: λ_max by Lanczos, the trace by Hutchinson), the loss and accuracy on the training subset,
 * and the accuracy on the test set.
 */
public final class TenClassComparison {

    private static final Logger logger = LoggerFactory.getLogger(TenClassComparison.class);
    private static final int PIXELS = 784;
    private static final int CLASSES = 10;

    private final Settings settings;
    private final Map<String, double[][]> series = new LinkedHashMap<>();

    /** A listener measuring λ_max during a run, and the series it recorded. */
    interface Monitor {
        /** @return the listener to add to the run's training config */
        TrainingListener listener();

        /** @return {steps, λ_max} of the measurements so far */
        double[][] series();
    }

    /**
     * @param settings what to run
     */
    public TenClassComparison(Settings settings) {
        this.settings = settings;
    }

    /**
     * Trains SGD, then SAM, and measures both.
     *
     * @param trainAll MNIST's training split (the first {@code trainSize} images are used)
     * @param test the test split
     * @param outDir where {@code training-10class.csv} is written (and the monitor's files, when attached)
     * @return the SGD run and the SAM run, in that order
     * @throws Exception if DJL fails to train
     */
    public List<TenClassRun> run(MnistArrays trainAll, MnistArrays test, Path outDir) throws Exception {
        MnistArrays train = trainAll.head(settings.trainSize());
        if (train.size() < settings.trainSize()) {
            throw new IllegalArgumentException("asked for " + settings.trainSize() + " training images but the split"
                    + " has " + train.size() + ": lower --10class-train");
        }
        int[] probeIndex = probeIndices(train.size(), settings.probeSize(), settings.seed());
        List<TenClassRun> runs = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager();
                CsvTable curve = new CsvTable(outDir.resolve("training-10class.csv"),
                        List.of("optimizer", "epoch", "step", "train_loss_running"))) {
            NDArray x = manager.create(train.pixels(), new Shape(train.size(), PIXELS));
            NDArray y = manager.create(train.labels());
            NDArray xTest = manager.create(test.pixels(), new Shape(test.size(), PIXELS));
            NDArray probeIdx = manager.create(Arrays.stream(probeIndex).asLongStream().toArray());
            NDArray xProbe = x.get(probeIdx);
            NDArray yProbe = y.get(probeIdx);
            for (String name : List.of("sgd", "sam")) {
                runs.add(train(name, manager, x, y, xTest, test.labels(), xProbe, yProbe, curve, outDir));
            }
        }
        if (!series.isEmpty()) {
            TenClassCharts.write(series, 2 / settings.learningRate(), outDir);
        }
        return runs;
    }

    private TenClassRun train(String name, NDManager manager, NDArray x, NDArray y, NDArray xTest, int[] testLabels,
            NDArray xProbe, NDArray yProbe, CsvTable curve, Path outDir) throws Exception {
        boolean sam = "sam".equals(name);
        MinimaLoss loss = Losses.softmaxCrossEntropy();
        SequentialBlock block = new SequentialBlock()
                .add(Linear.builder().setUnits(settings.hidden()).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(CLASSES).build());
        EpochLoss epochLoss = new EpochLoss(name, curve);
        // the same SGD for both runs: SAM only changes the gradient that SGD applies
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) settings.learningRate())).build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(loss).optOptimizer(sgd)
                .addTrainingListeners(epochLoss);
        Optional<Monitor> monitor = monitor(name, xProbe, yProbe, outDir);
        monitor.ifPresent(m -> config.addTrainingListeners(m.listener()));
        // same data order for both runs: a fresh SeededShuffle with the same seed draws the same permutations
        ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y)
                .setSampling(new BatchSampler(new SeededShuffle(settings.seed() + 1), settings.batch(), false))
                .build();
        try (Model model = Model.newInstance("minima-10class-" + name)) {
            model.setBlock(block);
            long start;
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(settings.batch(), PIXELS));
                trainer.setMetrics(new Metrics()); // the monitor's records also land in DJL's metrics
                // identical initial weights for both runs: PyTorch's nn.Linear default, drawn from the seed
                Initializers.apply(ParameterSpace.of(block), Initializers.Scheme.TORCH_DEFAULT, 1, settings.seed());
                logger.info("10-class {}: {} images, {} epochs, lr {}{}", name, x.getShape().get(0), settings.epochs(),
                        settings.learningRate(), sam ? ", rho " + settings.rho() : "");
                start = System.nanoTime();
                if (sam) {
                    SamStep step = SamStep.of(SharpnessAware.builder().optRho(settings.rho()).build());
                    SharpnessAwareTraining.fit(trainer, step, settings.epochs(), data, null);
                } else {
                    EasyTrain.fit(trainer, settings.epochs(), data, null);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            MlpParameters.save(block, outDir.resolve(MlpParameters.fileName(!sam))); // read by landscape --params
            monitor.ifPresent(m -> series.put(name, m.series()));
            double trainLoss = Evaluation.loss(block, loss, x, y);
            double trainAccuracy = accuracy(Evaluation.predict(block, x), y.toIntArray());
            double testAccuracy = accuracy(Evaluation.predict(block, xTest), testLabels);
            logger.info("10-class {}: train loss {}, test accuracy {}; curvature on {} probe images...", name,
                    trainLoss, testAccuracy, xProbe.getShape().get(0));
            Eigenpairs top;
            TraceEstimate trace;
            try (Curvature c = Sharpness.onBatch(block, loss, xProbe, yProbe, settings.lanczos(), settings.lanczosTol(),
                    settings.seed())) {
                top = c.topEigenvalue();
                // every probe (no early stop), seeded apart from Lanczos' start vector
                trace = Hutchinson.builder().optSamples(settings.traceSamples()).optSeed(settings.seed() + 1).build()
                        .run(c.operator());
            }
            logger.info("10-class {}: lambda_max {}, trace {}", name, top.max(), trace);
            return new TenClassRun(name, settings.learningRate(), sam ? settings.rho() : 0, settings.epochs(),
                    epochLoss.steps(), trainLoss, trainAccuracy, testAccuracy, top.max(), top.residual(0),
                    top.products(), trace.value(), trace.standardError(), trace.samples(), seconds,
                    monitor.map(m -> java.util.Arrays.stream(m.series()[1]).max().orElse(Double.NaN))
                            .orElse(Double.NaN));
        }
    }

    /**
     * The one place where the edge-of-stability monitor is attached to both runs: a {@link SharpnessListener}
     * measuring λ_max (warm-started Lanczos) on the probe every {@code monitorEvery} steps, recorded to the
     * trainer's metrics and to {@code sharpness-<run>-monitor.csv}; its series become {@code
     * sharpness-10class.csv} and {@code sharpness-10class.png}.
     */
    private Optional<Monitor> monitor(String name, NDArray xProbe, NDArray yProbe, Path outDir) {
        SharpnessListener listener = SharpnessListener.builder()
                .optEvery(settings.monitorEvery())
                .optLearningRate(settings.learningRate())
                .optLoss(Losses.softmaxCrossEntropy())
                .optProbe(xProbe, yProbe)
                .optSeed(settings.seed())
                .optCsv(outDir.resolve("sharpness-" + name + "-monitor.csv"))
                .build();
        return Optional.of(new Monitor() {
            @Override
            public TrainingListener listener() {
                return listener;
            }

            @Override
            public double[][] series() {
                List<SharpnessRecord> records = listener.records();
                double[][] out = new double[2][records.size()];
                for (int i = 0; i < records.size(); i++) {
                    out[0][i] = records.get(i).step();
                    out[1][i] = records.get(i).lambdaMax();
                }
                return out;
            }
        });
    }

    static double accuracy(float[] logits, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < CLASSES; c++) {
                if (logits[i * CLASSES + c] > logits[i * CLASSES + best]) {
                    best = c;
                }
            }
            if (best == labels[i]) {
                correct++;
            }
        }
        return (double) correct / labels.length;
    }

    /** A seeded sample of {@code k} distinct indices of {@code 0 .. n − 1}, in increasing order. */
    static int[] probeIndices(int n, int k, long seed) {
        return SeededRandom.sample(n, Math.min(n, k), new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L));
    }

    /**
     * Settings of the comparison.
     *
     * @param trainSize training images (the first of MNIST's training split)
     * @param probeSize images of the curvature probe, a seeded sample of the training images
     * @param hidden hidden ReLU units
     * @param batch batch size
     * @param learningRate SGD step size, the same for both runs
     * @param rho SAM's radius ρ
     * @param epochs epochs per run
     * @param lanczos most Hessian-vector products of Lanczos
     * @param lanczosTol Lanczos relative residual tolerance
     * @param traceSamples Hutchinson probes for tr(H)
     * @param monitorEvery steps between the monitor's measurements
     * @param seed seed of the weights, the batch order, the probe and the estimators
     */
    public record Settings(int trainSize, int probeSize, int hidden, int batch, double learningRate, double rho,
            int epochs, int lanczos, double lanczosTol, int traceSamples, int monitorEvery, long seed) {

        /**
         * Checks the settings.
         *
         * @param trainSize training images
         * @param probeSize images of the curvature probe
         * @param hidden hidden ReLU units
         * @param batch batch size
         * @param learningRate SGD step size
         * @param rho SAM's radius ρ
         * @param epochs epochs per run
         * @param lanczos most Hessian-vector products of Lanczos
         * @param lanczosTol Lanczos relative residual tolerance
         * @param traceSamples Hutchinson probes for tr(H)
         * @param monitorEvery steps between the monitor's measurements
         * @param seed seed of the weights, the batch order, the probe and the estimators
         * @throws IllegalArgumentException naming the setting that is out of range
         */
        public Settings {
            if (trainSize < 1 || probeSize < 1 || hidden < 1 || batch < 1 || epochs < 1 || monitorEvery < 1) {
                throw new IllegalArgumentException("the 10-class sizes must be positive: train " + trainSize
                        + ", probe " + probeSize + ", hidden " + hidden + ", batch " + batch + ", epochs " + epochs
                        + ", monitor every " + monitorEvery);
            }
            if (batch > trainSize) {
                throw new IllegalArgumentException("batch " + batch + " exceeds the " + trainSize
                        + " training images: lower --10class-batch or raise --10class-train");
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate) || !(rho >= 0) || !Double.isFinite(rho)) {
                throw new IllegalArgumentException("need lr > 0 and rho >= 0, finite; got lr " + learningRate + ", rho "
                        + rho);
            }
        }
    }
}
