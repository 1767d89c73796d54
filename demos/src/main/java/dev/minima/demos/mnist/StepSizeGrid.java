package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import dev.minima.curvature.Eigenpairs;
import dev.minima.demos.support.CsvTable;
import dev.minima.demos.support.Sharpness;
import dev.minima.demos.support.Progress;
import dev.minima.loss.Losses;
import dev.minima.loss.SquaredErrorLoss;
import dev.minima.stability.FlattestRescaling;
import dev.minima.stability.InputSample;
import dev.minima.stability.LossConvention;
import dev.minima.stability.ShallowReluBlocks;
import dev.minima.stability.ShallowReluNetwork;
import dev.minima.stability.SharpnessChain;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nacson et al.'s (2023) MNIST step-size experiment (Sec. 6, Fig. 5): for each η, SGD trains a one-hidden-layer ReLU
 * network on the 0-vs-1 set with ½-MSE until the full training loss stays below a threshold for a number of
 * consecutive epochs after a linear warm-up of η (or an epoch cap is hit), then the minimum is measured: λ_max of the training loss by
 * Lanczos on the exact Hessian over all training images, ‖b‖ of the hidden biases, the stability norm S_θ
 * and the sharpness chain of {@code dev.minima.stability} (Nacson et al. 2023, Theorem 1: λ_max ≥ 1 + 2S_θ), and the
 * validation accuracy of sign(f).
 */
public final class StepSizeGrid {

    private static final Logger logger = LoggerFactory.getLogger(StepSizeGrid.class);

    /** Relative gap at which the flattest-rescaling search stops (0.1%: far below the tightness tolerance). */
    static final double FLATTEST_GAP = 1e-3;

    /** L-BFGS iteration budget of the flattest-rescaling search. */
    static final int FLATTEST_ITERATIONS = 500;

    private final Settings settings;

    /**
     * Settings of the grid.
     *
     * @param etas the step sizes
     * @param hidden hidden neurons k
     * @param batch SGD batch size
     * @param initScale factor on PyTorch's default initialisation (Nacson et al. 2023: about 10)
     * @param warmupEpochs epochs of linear warm-up of η from 0 (Nacson et al. 2023, App. A: warm-up is what lets a large
     *     initialisation train with a large step)
     * @param threshold loss threshold
     * @param patience consecutive epochs the loss must stay below the threshold
     * @param maxEpochs epoch cap per step size
     * @param lanczosProducts most Hessian-vector products per λ_max
     * @param lanczosTolerance Lanczos relative residual tolerance
     * @param seed seed of the initialisation (the same for every η, as in the paper) and of the example order
     */
    public record Settings(double[] etas, int hidden, int batch, double initScale, int warmupEpochs, double threshold,
            int patience,
            int maxEpochs, int lanczosProducts, double lanczosTolerance, long seed) {

        /**
         * Checks the settings.
         *
         * @param etas the step sizes
         * @param hidden hidden neurons k
         * @param batch SGD batch size
         * @param initScale factor on PyTorch's default initialisation
         * @param warmupEpochs epochs of linear warm-up
         * @param threshold loss threshold
         * @param patience consecutive epochs below the threshold
         * @param maxEpochs epoch cap per step size
         * @param lanczosProducts most Hessian-vector products per λ_max
         * @param lanczosTolerance Lanczos relative residual tolerance
         * @param seed seed of the initialisation and of the example order
         * @throws IllegalArgumentException naming the bad setting
         */
        public Settings {
            etas = etas.clone();
            if (etas.length == 0) {
                throw new IllegalArgumentException("give at least one step size (--etas)");
            }
            for (double e : etas) {
                if (!(e > 0) || !Double.isFinite(e)) {
                    throw new IllegalArgumentException("step sizes must be positive and finite, got " + e);
                }
            }
            if (!(threshold > 0) || patience < 1 || maxEpochs < 1) {
                throw new IllegalArgumentException("--threshold must be > 0 and --patience, --max-epochs >= 1");
            }
            if (warmupEpochs < 0 || warmupEpochs >= maxEpochs) {
                throw new IllegalArgumentException("--warmup-epochs must be >= 0 and below --max-epochs (" + maxEpochs
                        + "), got " + warmupEpochs);
            }
        }

        /** @return a copy of the step sizes */
        @Override
        public double[] etas() {
            return etas.clone();
        }
    }

    /**
     * @param settings the settings
     */
    public StepSizeGrid(Settings settings) {
        this.settings = settings;
    }

    /**
     * λ_max of the training loss at the initialisation every step size starts from.
     *
     * @param data the 0-vs-1 data
     * @return the initial sharpness
     */
    public double initialSharpness(BinaryMnist data) {
        SquaredErrorLoss loss = Losses.halfMse();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = data.trainInputs(manager, DataType.FLOAT32);
            NDArray y = data.trainTargets(manager, DataType.FLOAT32);
            SequentialBlock block = Networks.shallow(settings.hidden());
            try (TrainingSession session = session(block, loss, OptimizerSpec.sgd(1), x, y)) {
                return Sharpness.top(session.block(), loss, x, y, settings.lanczosProducts(),
                        settings.lanczosTolerance(), settings.seed()).max();
            }
        }
    }

    private TrainingSession session(SequentialBlock block, SquaredErrorLoss loss, OptimizerSpec optimizer, NDArray x,
            NDArray y) {
        return TrainingSession.builder()
                .setBlock(block)
                .setLoss(loss)
                .setOptimizer(optimizer)
                .setData(x, y)
                .optBatchSize(settings.batch())
                .optInitialization(Initializers.Scheme.TORCH_DEFAULT, settings.initScale(), settings.seed())
                .optOrderSeed(settings.seed() + 1)
                .build();
    }

    /**
     * Runs every step size.
     *
     * @param data the 0-vs-1 data
     * @param curve CSV receiving one row per epoch (eta, epoch, step, running loss, full loss)
     * @return one result per step size, in the order given
     */
    public List<StepSizeRun> run(BinaryMnist data, CsvTable curve) {
        InputSample sample = InputSample.of(data.trainRows());
        List<StepSizeRun> runs = new ArrayList<>();
        SquaredErrorLoss loss = Losses.halfMse();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = data.trainInputs(manager, DataType.FLOAT32);
            NDArray y = data.trainTargets(manager, DataType.FLOAT32);
            NDArray vx = data.valInputs(manager, DataType.FLOAT32);
            Progress progress = new Progress("Step sizes", settings.etas().length);
            for (double eta : settings.etas()) {
                runs.add(one(eta, x, y, vx, data.valLabels(), loss, curve, sample));
                progress.step();
            }
            progress.end();
        }
        return runs;
    }

    private StepSizeRun one(double eta, NDArray x, NDArray y, NDArray vx, float[] vy, SquaredErrorLoss loss,
            CsvTable curve, InputSample sample) {
        long t0 = System.nanoTime();
        SequentialBlock block = Networks.shallow(settings.hidden());
        long n = x.getShape().get(0);
        int stepsPerEpoch = (int) ((n + settings.batch() - 1) / settings.batch());
        OptimizerSpec sgd = OptimizerSpec.sgd(eta).withWarmup(settings.warmupEpochs() * stepsPerEpoch);
        try (TrainingSession session = session(block, loss, sgd, x, y)) {
            int below = 0;
            int epoch = 0;
            double full = Evaluation.loss(block, loss, x, y);
            boolean diverged = false;
            while (epoch < settings.maxEpochs() && below < settings.patience()) {
                double running = session.epoch();
                epoch++;
                full = Double.isFinite(running) ? Evaluation.loss(block, loss, x, y) : running;
                curve.row(eta, epoch, session.steps(), running, full);
                if (!Double.isFinite(full)) {
                    diverged = true;
                    break;
                }
                // the loss must stay below the threshold at the full step size, so count after the warm-up only
                below = epoch > settings.warmupEpochs() && full < settings.threshold() ? below + 1 : 0;
            }
            boolean converged = below >= settings.patience();
            double seconds;
            if (diverged) {
                logger.warn("eta {} diverged after {} epochs", eta, epoch);
                seconds = (System.nanoTime() - t0) / 1e9;
                return new StepSizeRun(eta, epoch, false, true, full, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, seconds);
            }
            Eigenpairs top = Sharpness.top(block, loss, x, y, settings.lanczosProducts(), settings.lanczosTolerance(),
                    settings.seed());
            // Nacson et al.'s (2023) chain at the trained θ, ½-MSE (C = 1): λ(ΦᵀΦ/n) ≥ … ≥ 1 + 2S_θ
            ShallowReluNetwork network = ShallowReluBlocks.read(block);
            SharpnessChain chain = SharpnessChain.of(network, sample, LossConvention.HALF_MSE);
            // the flattest implementation among the per-neuron rescalings of f (Nacson et al. 2023, App. A;
            // Mulayoff et al. 2021, supp. Sec. XI), with its certified lower bound
            long tf = System.nanoTime();
            FlattestRescaling.Result flattest = FlattestRescaling.builder().optTolerance(FLATTEST_GAP)
                    .optMaxIterations(FLATTEST_ITERATIONS).build().run(network, sample, LossConvention.HALF_MSE);
            logger.info("eta {}: flattest rescaling lambda {} (certified >= {}, {} iterations, {} s)", eta,
                    flattest.lambda(), Math.max(flattest.certificate(), flattest.dualBound()), flattest.iterations(),
                    (System.nanoTime() - tf) / 1e9);
            double acc = accuracy(Evaluation.predict(block, vx), vy);
            seconds = (System.nanoTime() - t0) / 1e9;
            StepSizeRun run = new StepSizeRun(eta, epoch, converged, false, full, top.max(), top.residual(0),
                    chain.lambdaMax(), (chain.perNeuron() - 1) / 2, hiddenBiasNorm(block, false),
                    hiddenBiasNorm(block, true), flattest.lambda(),
                    Math.max(flattest.certificate(), flattest.dualBound()), acc, seconds);
            logger.info("eta {}: {} epochs, loss {}, lambda_max {} (Gram {}, 2/eta {}), flattest {}, 1 + 2 S_theta {},"
                    + " val accuracy {}", eta, epoch, full, top.max(), chain.lambdaMax(), 2 / eta, flattest.lambda(),
                    chain.perNeuron(), acc);
            return run;
        }
    }

    /**
     * @param block the trained network
     * @param normalized divide each b_i by ‖w_i‖ (dead rows with w_i = 0 are skipped)
     * @return ‖b‖ of the first (hidden) Linear layer's bias, or ‖b̄‖ when normalized
     */
    static double hiddenBiasNorm(Block block, boolean normalized) {
        var params = block.getChildren().get(0).getValue().getParameters();
        float[] b = params.get("bias").getArray().toFloatArray();
        float[] w = params.get("weight").getArray().toFloatArray();
        int d = w.length / b.length;
        double sum = 0;
        for (int i = 0; i < b.length; i++) {
            double scale = 1;
            if (normalized) {
                double wn = 0;
                for (int j = 0; j < d; j++) {
                    wn += (double) w[i * d + j] * w[i * d + j];
                }
                if (wn == 0) {
                    continue;
                }
                scale = Math.sqrt(wn);
            }
            double v = b[i] / scale;
            sum += v * v;
        }
        return Math.sqrt(sum);
    }

    /** @return the fraction of sign(f) equal to the ±1 label (f = 0 counts as wrong) */
    static double accuracy(float[] f, float[] labels) {
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            if (Math.signum(f[i]) == labels[i]) {
                right++;
            }
        }
        return labels.length == 0 ? Double.NaN : (double) right / labels.length;
    }
}
