package dev.minima.demos.mnist;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.SpectralDensity;
import dev.minima.curvature.SpectralDensityEstimate;
import dev.minima.data.MnistArrays;
import dev.minima.data.SeededShuffle;
import dev.minima.landscape.AverageCaseSharpness;
import dev.minima.landscape.Directions;
import dev.minima.landscape.LayerCurvature;
import dev.minima.landscape.LayerCurvatureTable;
import dev.minima.landscape.LossSurface;
import dev.minima.landscape.PerturbationNorm;
import dev.minima.landscape.SharpnessEstimate;
import dev.minima.landscape.Surface;
import dev.minima.landscape.WorstCaseSharpness;
import dev.minima.loss.Losses;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The landscape of the 10-class MNIST MLP of {@code mnist-classify} (784 → hidden → 10, ReLU, softmax
 * cross-entropy) trained by SGD and by SAM on the same SGD (Foret et al. 2021), or loaded from the parameters
 * {@code mnist-classify} saved: at each solution, on one seeded probe of the training images, the top Hessian
 * eigenvalues (Lanczos), the spectral density (stochastic Lanczos quadrature), λ_max and trace per parameter block,
 * the six sharpness measures of Andriushchenko et al. (2023) and four slices of the loss surface (1-D and 2-D,
 * along filter-normalised random directions with the same seeds for both models, Li et al. 2018, and along each
 * model's own top eigenvectors).
 */
public final class LandscapeComparison {

    private static final Logger logger = LoggerFactory.getLogger(LandscapeComparison.class);
    private static final int PIXELS = 784;
    private static final int CLASSES = 10;

    private final Settings settings;

    /**
     * What one model's landscape measured.
     *
     * @param name "SGD" or "SAM"
     * @param source "trained" or the parameter file it was loaded from
     * @param trainLoss loss on the training images
     * @param trainAccuracy accuracy on the training images
     * @param testAccuracy accuracy on MNIST's test split
     * @param probeLoss loss on the probe, the centre of every slice
     * @param top the top Hessian eigenvalues on the probe, largest first
     * @param topResiduals their Lanczos residuals
     * @param density the spectral density estimate
     * @param layers λ_max and trace per parameter block
     * @param sharpness the six sharpness measures
     * @param random1d the 1-D slice along a filter-normalised random direction
     * @param eigen1d the 1-D slice along the top eigenvector
     * @param random2d the 2-D slice along two filter-normalised random directions
     * @param eigen2d the 2-D slice along the top two eigenvectors
     * @param trainSeconds seconds spent training (0 when loaded)
     */
    public record ModelLandscape(String name, String source, double trainLoss, double trainAccuracy,
            double testAccuracy, double probeLoss, double[] top, double[] topResiduals,
            SpectralDensityEstimate density, LayerCurvatureTable layers, List<SharpnessEstimate> sharpness,
            Surface random1d, Surface eigen1d, Surface random2d, Surface eigen2d, double trainSeconds) {}

    /**
     * @param settings what to run
     */
    public LandscapeComparison(Settings settings) {
        this.settings = settings;
    }

    /**
     * Trains (or loads) both models and measures their landscapes.
     *
     * @param trainAll MNIST's training split (the first {@code trainSize} images are used)
     * @param test the test split
     * @return the SGD model's landscape, then the SAM model's
     * @throws Exception if DJL fails to train
     */
    public List<ModelLandscape> run(MnistArrays trainAll, MnistArrays test) throws Exception {
        MnistArrays train = trainAll.head(settings.trainSize());
        if (train.size() < settings.trainSize()) {
            throw new IllegalArgumentException("asked for " + settings.trainSize() + " training images but the split"
                    + " has " + train.size() + ": lower --train");
        }
        int[] probeIndex = TenClassComparison.probeIndices(train.size(), settings.probe(), settings.seed());
        List<Model> models = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(train.pixels(), new Shape(train.size(), PIXELS));
            NDArray y = manager.create(train.labels());
            NDArray xTest = manager.create(test.pixels(), new Shape(test.size(), PIXELS));
            NDArray idx = manager.create(Arrays.stream(probeIndex).asLongStream().toArray());
            NDArray xProbe = x.get(idx);
            NDArray yProbe = y.get(idx).toType(DataType.FLOAT32, false);
            List<SequentialBlock> blocks = new ArrayList<>();
            List<String> sources = new ArrayList<>();
            double[] seconds = new double[2];
            try {
                for (String name : List.of("SGD", "SAM")) {
                    Model model = Model.newInstance("minima-landscape-" + name);
                    models.add(model);
                    long start = System.nanoTime();
                    sources.add(prepare(model, name, x, y));
                    seconds[blocks.size()] = sources.get(sources.size() - 1).equals("trained")
                            ? (System.nanoTime() - start) / 1e9 : 0;
                    blocks.add((SequentialBlock) model.getBlock());
                }
                MinimaLoss loss = Losses.softmaxCrossEntropy();
                List<Objective> objectives = new ArrayList<>();
                List<Eigenpairs> tops = new ArrayList<>();
                try {
                    for (SequentialBlock b : blocks) {
                        Objective o = Objective.builder().setBlock(b).setLoss(loss).addBatch(xProbe, yProbe).build();
                        objectives.add(o);
                        try (HessianOperator h = HessianOperator.of(o)) {
                            tops.add(Lanczos.builder().optTopK(settings.topK()).optMaxIterations(settings.lanczos())
                                    .optSeed(settings.seed()).optKeepVectors(true).build().run(h));
                        }
                        logger.info("top eigenvalues {}", tops.get(tops.size() - 1));
                    }
                    double eigenRange = Double.isNaN(settings.eigenRange())
                            ? Math.sqrt(4 / Math.max(tops.get(0).max(), tops.get(1).max())) : settings.eigenRange();
                    List<ModelLandscape> out = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        String name = i == 0 ? "SGD" : "SAM";
                        SequentialBlock b = blocks.get(i);
                        double trainLoss = Evaluation.loss(b, loss, x, y);
                        double trainAcc = TenClassComparison.accuracy(Evaluation.predict(b, x), train.labels());
                        double testAcc = TenClassComparison.accuracy(Evaluation.predict(b, xTest), test.labels());
                        logger.info("{}: train loss {}, train accuracy {}, test accuracy {}", name, trainLoss, trainAcc,
                                testAcc);
                        out.add(measure(name, sources.get(i), objectives.get(i), tops.get(i), eigenRange, trainLoss,
                                trainAcc, testAcc, seconds[i]));
                    }
                    return out;
                } finally {
                    for (Objective o : objectives) {
                        o.close();
                    }
                }
            } finally {
                for (Model m : models) {
                    m.close();
                }
            }
        }
    }

    private String prepare(Model model, String name, NDArray x, NDArray y) throws Exception {
        boolean sam = "SAM".equals(name);
        SequentialBlock block = new SequentialBlock()
                .add(Linear.builder().setUnits(settings.hidden()).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(CLASSES).build());
        model.setBlock(block);
        if (settings.params() != null) {
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, PIXELS));
            Path file = settings.params().resolve(MlpParameters.fileName(!sam));
            MlpParameters.load(block, model.getNDManager(), file);
            logger.info("{}: loaded {}", name, file);
            return file.toString();
        }
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) settings.learningRate())).build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(Losses.softmaxCrossEntropy()).optOptimizer(sgd);
        ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y)
                .setSampling(new BatchSampler(new SeededShuffle(settings.seed() + 1), settings.batch(), false))
                .build();
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(new Shape(settings.batch(), PIXELS));
            // the same initial weights and batch order for both runs, as in mnist-classify
            Initializers.apply(ParameterSpace.of(block), Initializers.Scheme.TORCH_DEFAULT, 1, settings.seed());
            logger.info("{}: training on {} images, {} epochs, lr {}{}", name, x.getShape().get(0), settings.epochs(),
                    settings.learningRate(), sam ? ", rho " + settings.rho() : "");
            if (sam) {
                SharpnessAwareTraining.fit(trainer, SamStep.of(SharpnessAware.builder().optRho(settings.rho()).build()),
                        settings.epochs(), data, null);
            } else {
                EasyTrain.fit(trainer, settings.epochs(), data, null);
            }
        }
        return "trained";
    }

    private ModelLandscape measure(String name, String source, Objective objective, Eigenpairs top, double eigenRange,
            double trainLoss, double trainAcc, double testAcc, double seconds) {
        Settings s = settings;
        ParameterSpace space = objective.space();
        double probeLoss = objective.value();
        SpectralDensityEstimate density;
        LayerCurvatureTable layers;
        try (HessianOperator h = HessianOperator.of(objective)) {
            logger.info("{}: spectral density ({} probes x {} Lanczos steps)", name, s.slqProbes(), s.slqSteps());
            density = SpectralDensity.builder().optProbes(s.slqProbes()).optLanczosSteps(s.slqSteps())
                    .optSeed(s.seed() + 2).build().run(h);
            layers = LayerCurvature.builder().optLanczosIterations(s.lanczos()).optTraceSamples(s.traceSamples())
                    .optSeed(s.seed() + 3).optProgressBar(true).build().run(h, space);
        }
        List<SharpnessEstimate> sharp = new ArrayList<>();
        logger.info("{}: sharpness measures", name);
        sharp.add(WorstCaseSharpness.builder().optRho(s.rhoL2()).optSteps(s.ascentSteps()).optSeed(s.seed() + 4)
                .build().run(objective));
        sharp.add(WorstCaseSharpness.builder().optRho(s.rhoLinf()).optNorm(PerturbationNorm.LINF)
                .optSteps(s.ascentSteps()).optSeed(s.seed() + 4).build().run(objective));
        sharp.add(WorstCaseSharpness.builder().optRho(s.rhoAdaptiveL2()).optAdaptive(true).optSteps(s.ascentSteps())
                .optSeed(s.seed() + 4).build().run(objective));
        sharp.add(WorstCaseSharpness.builder().optRho(s.rhoAdaptiveLinf()).optNorm(PerturbationNorm.LINF)
                .optAdaptive(true).optSteps(s.ascentSteps()).optSeed(s.seed() + 4).build().run(objective));
        sharp.add(AverageCaseSharpness.builder().optSigma(s.sigma()).optSamples(s.samples()).optSeed(s.seed() + 5)
                .optProgressBar(true).build().run(objective));
        sharp.add(AverageCaseSharpness.builder().optSigma(s.sigmaAdaptive()).optAdaptive(true)
                .optSamples(s.samples()).optSeed(s.seed() + 5).optProgressBar(true).build().run(objective));
        for (SharpnessEstimate e : sharp) {
            logger.info("{}: {}", name, e);
        }
        // the same seeds for both models: the same Gaussian draws, filter-normalised to each model's weights
        double[] r1 = Directions.randomFilterNormalized(space, s.seed() + 100, Directions.BiasMode.ZERO);
        double[] r2 = Directions.randomFilterNormalized(space, s.seed() + 101, Directions.BiasMode.ZERO);
        double[][] ev = Directions.eigenvectors(top, 2);
        Surface random1d = surface(objective, s.range(), s.points1d(), r1);
        Surface eigen1d = surface(objective, eigenRange, s.points1d(), ev[0]);
        Surface random2d = surface(objective, s.range(), s.points2d(), r1, r2);
        Surface eigen2d = surface(objective, eigenRange, s.points2d(), ev[0], ev[1]);
        return new ModelLandscape(name, source, trainLoss, trainAcc, testAcc, probeLoss, top.values(),
                top.residuals(), density, layers, sharp, random1d, eigen1d, random2d, eigen2d, seconds);
    }

    private static Surface surface(Objective objective, double range, int points, double[]... directions) {
        LossSurface.Builder b = LossSurface.builder().setObjective(objective).optRange(-range, range).optPoints(points)
                .optAccuracy(true);
        for (double[] d : directions) {
            b.addDirection(d);
        }
        return b.build().run();
    }

    /**
     * Settings of the comparison.
     *
     * @param trainSize training images (the first of MNIST's training split)
     * @param hidden hidden ReLU units
     * @param batch batch size
     * @param learningRate SGD step size, both runs
     * @param rho SAM's training radius
     * @param epochs epochs per run
     * @param params directory holding mnist-classify's {@code mlp-10class-{sgd,sam}.params}, or null to train
     * @param probe training images of the probe every measure is taken on (a seeded sample)
     * @param points1d grid points of the 1-D slices
     * @param points2d grid points per axis of the 2-D slices
     * @param range half-width of the slices along filter-normalised directions
     * @param eigenRange half-width along the eigenvectors, NaN for √(4/λ_max) of the sharper model
     * @param topK top eigenpairs computed
     * @param lanczos most Lanczos products (top eigenpairs and per block)
     * @param slqProbes SLQ probes
     * @param slqSteps Lanczos steps per SLQ probe
     * @param traceSamples Hutchinson probes per parameter block
     * @param rhoL2 radius of worst-case ℓ2 sharpness
     * @param rhoLinf radius of worst-case ℓ∞ sharpness
     * @param rhoAdaptiveL2 radius of adaptive worst-case ℓ2 sharpness
     * @param rhoAdaptiveLinf radius of adaptive worst-case ℓ∞ sharpness
     * @param sigma σ of average-case sharpness
     * @param sigmaAdaptive σ of adaptive average-case sharpness
     * @param ascentSteps gradient ascent steps per worst-case measure
     * @param samples antithetic pairs per average-case measure
     * @param seed seed of the weights, batch order, probe, directions and estimators
     */
    public record Settings(int trainSize, int hidden, int batch, double learningRate, double rho, int epochs,
            Path params, int probe, int points1d, int points2d, double range, double eigenRange, int topK, int lanczos,
            int slqProbes, int slqSteps, int traceSamples, double rhoL2, double rhoLinf, double rhoAdaptiveL2,
            double rhoAdaptiveLinf, double sigma, double sigmaAdaptive, int ascentSteps, int samples, long seed) {

        /**
         * Checks the settings.
         *
         * @param trainSize training images (the first of MNIST's training split)
         * @param hidden hidden ReLU units
         * @param batch batch size
         * @param learningRate SGD step size, both runs
         * @param rho SAM's training radius
         * @param epochs epochs per run
         * @param params directory holding mnist-classify's {@code mlp-10class-{sgd,sam}.params}, or null to train
         * @param probe training images of the probe every measure is taken on (a seeded sample)
         * @param points1d grid points of the 1-D slices
         * @param points2d grid points per axis of the 2-D slices
         * @param range half-width of the slices along filter-normalised directions
         * @param eigenRange half-width along the eigenvectors, NaN for √(4/λ_max) of the sharper model
         * @param topK top eigenpairs computed
         * @param lanczos most Lanczos products (top eigenpairs and per block)
         * @param slqProbes SLQ probes
         * @param slqSteps Lanczos steps per SLQ probe
         * @param traceSamples Hutchinson probes per parameter block
         * @param rhoL2 radius of worst-case ℓ2 sharpness
         * @param rhoLinf radius of worst-case ℓ∞ sharpness
         * @param rhoAdaptiveL2 radius of adaptive worst-case ℓ2 sharpness
         * @param rhoAdaptiveLinf radius of adaptive worst-case ℓ∞ sharpness
         * @param sigma σ of average-case sharpness
         * @param sigmaAdaptive σ of adaptive average-case sharpness
         * @param ascentSteps gradient ascent steps per worst-case measure
         * @param samples antithetic pairs per average-case measure
         * @param seed seed of the weights, batch order, probe, directions and estimators
         * @throws IllegalArgumentException naming the setting that is out of range
         */
        public Settings {
            if (trainSize < 1 || hidden < 1 || batch < 1 || epochs < 1 || probe < 1 || topK < 2 || lanczos < 2
                    || slqProbes < 1 || slqSteps < 2 || ascentSteps < 1) {
                throw new IllegalArgumentException("sizes must be positive (top-k and Lanczos at least 2): train "
                        + trainSize + ", hidden " + hidden + ", batch " + batch + ", epochs " + epochs + ", probe "
                        + probe + ", top-k " + topK + ", lanczos " + lanczos + ", slq " + slqProbes + "x" + slqSteps
                        + ", ascent steps " + ascentSteps);
            }
            if (points1d < 2 || points2d < 2) {
                throw new IllegalArgumentException("a grid needs at least 2 points per direction, got --points-1d "
                        + points1d + ", --points-2d " + points2d);
            }
            for (double v : new double[] {learningRate, range, rhoL2, rhoLinf, rhoAdaptiveL2, rhoAdaptiveLinf, sigma,
                sigmaAdaptive}) {
                if (!(v > 0) || !Double.isFinite(v)) {
                    throw new IllegalArgumentException("learning rate, ranges, radii and sigmas must be positive and"
                            + " finite; got " + v);
                }
            }
            if (!Double.isNaN(eigenRange) && !(eigenRange > 0)) {
                throw new IllegalArgumentException("--eigen-range must be positive, got " + eigenRange);
            }
            if (!(rho > 0)) {
                throw new IllegalArgumentException("SAM's rho must be positive, got " + rho);
            }
            if (samples < 2 || traceSamples < 2) {
                throw new IllegalArgumentException("need at least 2 samples and 2 trace samples, got " + samples
                        + " and " + traceSamples);
            }
            if (batch > trainSize) {
                throw new IllegalArgumentException("batch " + batch + " exceeds the " + trainSize
                        + " training images: lower --batch or raise --train");
            }
        }
    }
}
