package dev.minima.demos.samxor;

import dev.minima.demos.support.CpuClock;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import dev.minima.curvature.NonFiniteLossException;
import dev.minima.data.XorData;
import dev.minima.loss.Losses;
import dev.minima.sam.NonFiniteGradientException;
import dev.minima.sam.SamSchedule;
import dev.minima.sam.SamStep;
import dev.minima.sam.SharpnessAware;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one Wen et al. (2023) network on P_xor as a {@link RunPlan} says, with a plain DJL {@link Trainer} and SGD:
 * 1-SAM through Minima's {@link SamStep} on batches of one example (a new seeded order every epoch; one native
 * call per epoch, {@link SamStep#steps}, where the fused path applies), or
 * full-batch gradient descent with DJL's weight decay (update lr·(g + wd·θ)). The network is evaluated by a
 * {@link XorProbe} at epoch 0, at 1, 2, 5, 10, … epochs, every {@code evalEvery} epochs and at the end.
 */
public final class XorTraining {

    /** Receives each evaluation as soon as it is measured. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param plan the run
         * @param point the evaluation
         */
        void evaluated(RunPlan plan, EvalPoint point);
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(XorTraining.class);

    private final int width;
    private final double layerNormEpsilon;

    /**
     * @param width the hidden width (Wen et al. 2023: 500)
     * @param layerNormEpsilon ε of Sim-LN's max(‖relu(h)‖, ε)
     */
    public XorTraining(int width, double layerNormEpsilon) {
        if (width < 1 || !(layerNormEpsilon > 0)) {
            throw new IllegalArgumentException("width must be ≥ 1 and ε > 0, got " + width + " and " + layerNormEpsilon);
        }
        this.width = width;
        this.layerNormEpsilon = layerNormEpsilon;
    }

    /**
     * Runs one plan.
     *
     * @param plan what to run
     * @param train the training set
     * @param test the test set
     * @param initSeed the seed of the initial weights (the same for both methods of a scenario)
     * @param orderSeed the seed of 1-SAM's example orders
     * @param listener receives every evaluation
     * @return the run's result
     */
    public RunResult run(RunPlan plan, XorData train, XorData test, int initSeed, long orderSeed, Listener listener) {
        int d = train.dimension();
        int n = train.size();
        if (plan.method() == Method.GD_WD && plan.normCap() > 0) {
            throw new IllegalArgumentException("the norm cap is applied by 1-SAM's SamStep only: set it on 1-SAM runs");
        }
        double cpu0 = CpuClock.seconds();
        long wall0 = System.nanoTime();
        try (Model model = Model.newInstance(plan.id())) {
            NDManager manager = model.getNDManager();
            SequentialBlock net = ReluMlp.builder().setInputDimension(d).setWidth(width)
                    .optVariant(plan.scenario().variant()).optFirstLayerScale(plan.firstLayerScale())
                    .optLayerNormEpsilon(layerNormEpsilon).build();
            Engine.getInstance().setRandomSeed(initSeed);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, d));
            model.setBlock(net);
            boolean sam = plan.method() == Method.ONE_SAM;
            SamStep samStep = sam ? SamStep.of(samSettings(plan)) : null;
            long[] epoch = {0};
            Tracker lr = sam ? samStep.learningRateTracker() : update -> plan.phaseAt(epoch[0]).learningRate();
            Optimizer sgd = Optimizer.sgd().setLearningRateTracker(lr).optWeightDecays(plan.weightDecay()).build();
            List<EvalPoint> points = new ArrayList<>();
            long steps = 0;
            boolean diverged = false;
            try (XorProbe probe = new XorProbe(plan.scenario(), layerNormEpsilon, train, test, manager);
                    Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Losses.mse()).optOptimizer(sgd));
                    NDManager data = manager.newSubManager()) {
                NDArray x = train.features(data, DataType.FLOAT32);
                NDArray y = train.labels(data, DataType.FLOAT32);
                SplittableRandom order = new SplittableRandom(orderSeed);
                evaluate(probe, net, plan, 0, cpu0, points, listener);
                try {
                    for (epoch[0] = 0; epoch[0] < plan.epochs(); ) {
                        if (sam) {
                            // one native call per epoch when SamStep's fused path applies (I, II); step by
                            // step otherwise (Sim-LN, the norm cap), with the same trajectory
                            steps += samStep.steps(trainer, x, y, permutation(n, order), 1).steps();
                            samStep.endEpoch();
                        } else {
                            fullBatchStep(trainer, x, y, n);
                            steps++;
                        }
                        epoch[0]++;
                        if (evaluatesAt(epoch[0], plan)) {
                            EvalPoint p = evaluate(probe, net, plan, epoch[0], cpu0, points, listener);
                            if (!Double.isFinite(p.trainLoss())) {
                                diverged = true;
                                LOGGER.warn("{}: the training loss is {} at epoch {}; stopping this run", plan.id(),
                                        p.trainLoss(), epoch[0]);
                                break;
                            }
                        }
                    }
                } catch (NonFiniteGradientException | NonFiniteLossException e) {
                    diverged = true;
                    LOGGER.warn("{}: stopped at epoch {}: {}", plan.id(), epoch[0], e.getMessage());
                }
                double autograd = diverged ? Double.NaN : probe.autogradTrace(net);
                return new RunResult(plan, points, probe.flattestTrace(), autograd, diverged, steps,
                        CpuClock.seconds() - cpu0, (System.nanoTime() - wall0) / 1e9);
            }
        }
    }

    private static EvalPoint evaluate(XorProbe probe, SequentialBlock net, RunPlan plan, long epoch, double cpu0,
            List<EvalPoint> points, Listener listener) {
        EvalPoint p = probe.measure(net, epoch, CpuClock.seconds() - cpu0);
        points.add(p);
        listener.evaluated(plan, p);
        return p;
    }

    /**
     * Evaluation epochs: every {@code evalEvery} epochs, the last one, and 1, 2, 5, 10, 20, 50, … below {@code
     * evalEvery}, so that the early part of the run shows on the charts' logarithmic epoch axis.
     */
    static boolean evaluatesAt(long epoch, RunPlan plan) {
        if (epoch % plan.evalEvery() == 0 || epoch == plan.epochs()) {
            return true;
        }
        if (epoch >= plan.evalEvery()) {
            return false;
        }
        long decade = 1;
        while (decade * 10 <= epoch) {
            decade *= 10;
        }
        return epoch == decade || epoch == 2 * decade || epoch == 5 * decade;
    }

    /** 1-SAM: the plan's (lr, ρ) phases in epochs, and the norm cap on the first layer's [W₁, b₁] if any. */
    private static SharpnessAware samSettings(RunPlan plan) {
        SamSchedule.Builder schedule = SamSchedule.builder().optUnit(SamSchedule.Unit.EPOCHS);
        for (RunPlan.Phase p : plan.phases()) {
            schedule.addPhase(p.learningRate(), p.rho(), p.epochs());
        }
        SharpnessAware.Builder b = SharpnessAware.builder().optSchedule(schedule.build());
        if (plan.normCap() > 0) {
            // ReluMlp names the first layer's parameters 01Linear_weight and 01Linear_bias
            b.addNormCap(name -> name.startsWith("01Linear"), plan.normCap());
        }
        return b.build();
    }

    /** A uniformly random permutation of 0 … n − 1 (Fisher–Yates): one epoch's order of examples. */
    static int[] permutation(int n, SplittableRandom random) {
        return dev.minima.util.SeededRandom.permutation(n, random);
    }

    /**
     * One gradient-descent step on the whole training set through DJL's {@code EasyTrain.trainBatch}. A DJL
     * {@link Batch} attaches its arrays to its own manager, so it gets copies (n·d numbers) in a per-step manager:
     * closing it frees the copies, the step's activations and the batch's split managers.
     */
    private static void fullBatchStep(Trainer trainer, NDArray x, NDArray y, int n) {
        try (NDManager step = trainer.getManager().newSubManager()) {
            NDArray xs = x.duplicate();
            NDArray ys = y.duplicate();
            Batch batch = new Batch(step, new NDList(xs), new NDList(ys), n, Batchifier.STACK, Batchifier.STACK, 0, 0);
            EasyTrain.trainBatch(trainer, batch);
            trainer.step();
        }
    }
}
