package dev.minima.sam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.TestModels;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.loss.Losses;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The fit loop, DJL listeners and evaluators, schedules, norm caps, n-SAM and base optimizers. */
class SharpnessAwareTrainingTest {

    /**
     * With ρ = 0 the sharpness-aware loop is plain training: after 3 epochs (float32 MLP, batch 4, shuffled
     * in the same seeded order) the weights are bit-identical to DJL's EasyTrain.fit, the evaluators report the
     * same training and validation loss, and every listener event fires as often.
     */
    @Test
    void fitWithRhoZeroIsEasyTrain() throws Exception {
        Run easy = fitRun(null);
        Run sam = fitRun(SamStep.of(SharpnessAware.builder().optRho(0).build()));
        assertArrayEquals(easy.bits, sam.bits);
        assertEquals(easy.trainLoss, sam.trainLoss);
        assertEquals(easy.validateLoss, sam.validateLoss);
        assertEquals(3 * 3, sam.events.trainingBatches);
        assertEquals(3 * 2, sam.events.validationBatches);
        assertEquals(3, sam.events.epochs);
        assertEquals(easy.events.trainingBatches, sam.events.trainingBatches);
        assertEquals(easy.events.validationBatches, sam.events.validationBatches);
        Run rho = fitRun(SamStep.of(SharpnessAware.builder().optRho(0.1).build()));
        assertFalse(java.util.Arrays.equals(easy.bits, rho.bits), "ρ > 0 must change the trajectory");
    }

    /**
     * In onTrainingBatch (after the gradients, before trainer.step()) .grad holds ∇L(w + ε) of the batch, as
     * computed by the bridge oracle (float64, 1e-12 relative).
     */
    @Test
    void listenersSeeThePerturbedGradientBeforeTheStep() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("grad")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 4, TestModels.tanh(), 3, 5, 1);
            NDArray x = TestModels.normal(m, 1, 6, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 2, 6, 1, DataType.FLOAT64);
            double[] expected = SamFixtures.perturbedGradient(SharpnessAware.Variant.SAM, 0.1, block,
                    Losses.halfMse(), x, y, SamFixtures.values(block));
            List<double[]> seen = new ArrayList<>();
            TrainingListener grab = new TrainingListenerAdapter() {
                @Override
                public void onTrainingBatch(Trainer trainer, BatchData batchData) {
                    seen.add(gradient(block));
                }
            };
            model.setBlock(block);
            SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.1).build());
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Losses.halfMse())
                    .optOptimizer(SamFixtures.sgd(0.1f)).addTrainingListeners(grab))) {
                ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(6, false).build();
                SharpnessAwareTraining.fit(trainer, sam, 1, data, null);
            }
            assertEquals(1, seen.size());
            double err = SamFixtures.maxRelativeError(expected, seen.get(0));
            assertTrue(err < 1e-12, "relative error " + err);
        }
    }

    /**
     * Wen et al.'s (2023) Table 2 style schedule in epochs: (lr 0.1, ρ 0.05) for 1 epoch, then (lr 0, ρ 0.2) for 2.
     * Each batch uses the phase's ρ, and the optimizer follows the phase's learning rate through the tracker:
     * with lr 0 in phase 2 the weights after epoch 3 equal those after epoch 1 bit for bit. In steps: phase
     * boundaries after 2 steps.
     */
    @Test
    void scheduleDrivesRhoAndTheOptimizersLearningRate() throws Exception {
        SamStep sam = SamStep.of(SharpnessAware.builder().optSchedule(SamSchedule.builder()
                .addPhase(0.1f, 0.05, 1).addPhase(0f, 0.2, 2).build()).build());
        List<Double> rhos = new ArrayList<>();
        List<long[]> afterEpoch = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("sched")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 4, TestModels.tanh(), 3, 5, 1);
            long[] initial = SamFixtures.bits(block);
            TrainingListener spy = new TrainingListenerAdapter() {
                @Override
                public void onTrainingBatch(Trainer trainer, BatchData batchData) {
                    rhos.add(sam.phase().rho());
                }

                @Override
                public void onEpoch(Trainer trainer) {
                    afterEpoch.add(SamFixtures.bits(block));
                }
            };
            model.setBlock(block);
            Optimizer sgd = Optimizer.sgd().setLearningRateTracker(sam.learningRateTracker()).build();
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Losses.halfMse()).optOptimizer(sgd)
                    .addTrainingListeners(spy))) {
                SharpnessAwareTraining.fit(trainer, sam, 3, dataset(m, DataType.FLOAT64, 6, 2), null);
            }
            assertEquals(List.of(0.05, 0.05, 0.05, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2), rhos);
            assertFalse(java.util.Arrays.equals(initial, afterEpoch.get(0)));
            assertArrayEquals(afterEpoch.get(0), afterEpoch.get(2));
            assertEquals(3, sam.epochs());
            assertEquals(9, sam.steps());
        }
        SamSchedule steps = SamSchedule.builder().optUnit(SamSchedule.Unit.STEPS)
                .addPhase(0.1f, 0.05, 2).addPhase(0.1f, 0.2, 1).build();
        double[] expected = {0.05, 0.05, 0.2, 0.2, 0.2};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], steps.phaseAt(t, 0).rho(), "step " + t);
        }
    }

    /**
     * A cap ‖[W₁, b₁]‖ ≤ c (Wen et al.'s (2023) Sim-LN runs) set at half the initial norm: after the first step the
     * first layer's joint norm is c (to 1e-12) and after every epoch it is at most c, while the other layer is
     * not rescaled by the cap.
     */
    @Test
    void normCapHoldsAfterEveryStep() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("cap")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 4, TestModels.tanh(), 3, 5, 1);
            double initial = firstLayerNorm(block);
            double cap = initial / 2;
            SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.05)
                    .addNormCap(name -> name.startsWith("01Linear"), cap).build());
            List<Double> norms = new ArrayList<>();
            TrainingListener spy = new TrainingListenerAdapter() {
                @Override
                public void onEpoch(Trainer trainer) {
                    norms.add(firstLayerNorm(block));
                }
            };
            model.setBlock(block);
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Losses.halfMse())
                    .optOptimizer(SamFixtures.sgd(0.05f)).addTrainingListeners(spy))) {
                ArrayDataset data = dataset(m, DataType.FLOAT64, 6, 3);
                try (Batch first = data.getData(m).iterator().next()) {
                    sam.step(trainer, first);
                }
                assertEquals(cap, firstLayerNorm(block), 1e-12 * cap);
                SharpnessAwareTraining.fit(trainer, sam, 3, data, null);
            }
            assertEquals(3, norms.size());
            for (double n : norms) {
                assertTrue(n <= cap * (1 + 1e-12), "norm " + n + " above the cap " + cap);
            }
        }
    }

    /**
     * n-SAM with an objective over the whole data set, stepping on a batch that is the whole data set, is SAM
     * on that batch: 3 steps agree to 1e-12 relative (ε through the bridge vs through backward).
     */
    @Test
    void fullBatchNSamIsSamOnTheWholeData() {
        double[] sam = threeSteps(false);
        double[] nSam = threeSteps(true);
        double err = SamFixtures.maxRelativeError(sam, nSam);
        assertTrue(err < 1e-12, "relative error " + err);
    }

    /**
     * Any DJL optimizer applies the perturbed gradient: SAM with Adam, with SGD + momentum + weight decay and
     * with AdamW equals the same optimizer fed the oracle's ∇L(w + ε) through an ordinary backward pass, over 3
     * steps (float64; 1e-10 relative, Adam's division amplifies rounding).
     */
    @Test
    void baseOptimizersApplyThePerturbedGradient() {
        List<Supplier<Optimizer>> optimizers = List.of(
                () -> Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build(),
                () -> Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f)
                        .optWeightDecays(0.01f).build(),
                () -> Optimizer.adamW().optLearningRateTracker(Tracker.fixed(0.01f)).optWeightDecays(0.1f).build());
        for (Supplier<Optimizer> optimizer : optimizers) {
            try (NDManager m = NDManager.newBaseManager(); Model a = Model.newInstance("a");
                    Model b = Model.newInstance("b")) {
                Block blockA = TestModels.mlp(m, DataType.FLOAT64, 4, TestModels.tanh(), 3, 5, 1);
                Block blockB = TestModels.mlp(m, DataType.FLOAT64, 4, TestModels.tanh(), 3, 5, 1);
                NDArray x = TestModels.normal(m, 1, 6, 3, DataType.FLOAT64);
                NDArray y = TestModels.normal(m, 2, 6, 1, DataType.FLOAT64);
                SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.1).build());
                String name = optimizer.get().getClass().getSimpleName();
                try (Trainer ta = SamFixtures.trainer(a, blockA, Losses.halfMse(), optimizer.get());
                        Trainer tb = SamFixtures.trainer(b, blockB, Losses.halfMse(), optimizer.get());
                        Batch batch = SamFixtures.batch(m, x, y)) {
                    TrainerWorkarounds.allowNonFloat32(tb);
                    for (int t = 0; t < 3; t++) {
                        double[] gt = SamFixtures.perturbedGradient(SharpnessAware.Variant.SAM, 0.1, blockB,
                                Losses.halfMse(), x, y, SamFixtures.values(blockB));
                        sam.step(ta, batch);
                        setGradient(tb, blockB, gt, x);
                        tb.step();
                        double err = SamFixtures.maxRelativeError(SamFixtures.values(blockB),
                                SamFixtures.values(blockA));
                        assertTrue(err < 1e-10, name + " step " + t + ": relative error " + err);
                    }
                }
            }
        }
    }

    /** .grad = v through a plain backward of Σ⟨v_i, w_i⟩ (registering the parameters with the trainer). */
    private static void setGradient(Trainer trainer, Block block, double[] v, NDArray x) {
        ParameterSpace space = ParameterSpace.of(block);
        try (NDManager s = x.getManager().newSubManager()) {
            NDArray vec = NativeArrays.of(s, v, new ai.djl.ndarray.types.Shape(v.length), DataType.FLOAT64);
            NDList parts = space.unflatten(vec);
            try (GradientCollector c = trainer.newGradientCollector()) {
                NDArray xs = x.duplicate();
                xs.attach(s);
                trainer.forward(new NDList(xs)); // registers the parameters with the trainer's store
                NDArray total = null;
                NDList arrays = space.arrays();
                for (int i = 0; i < arrays.size(); i++) {
                    NDArray term = arrays.get(i).mul(parts.get(i)).sum();
                    term.attach(s);
                    total = total == null ? term : total.add(term);
                }
                c.backward(total);
            }
        }
    }

    private static double[] threeSteps(boolean nSam) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("nsam")) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 4, TestModels.tanh(), 3, 5, 1);
            NDArray x = TestModels.normal(m, 1, 6, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 2, 6, 1, DataType.FLOAT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(x, y).build()) {
                SharpnessAware.Builder b = SharpnessAware.builder().optRho(0.1);
                if (nSam) {
                    b.optPerturbationObjective(obj);
                }
                SamStep sam = SamStep.of(b.build());
                try (Trainer trainer = SamFixtures.trainer(model, block, Losses.halfMse(), SamFixtures.sgd(0.1f));
                        Batch batch = SamFixtures.batch(m, x, y)) {
                    for (int t = 0; t < 3; t++) {
                        SamStepResult r = sam.step(trainer, batch);
                        assertEquals(1, r.perturbedMicroBatches());
                    }
                }
            }
            return SamFixtures.values(block);
        }
    }

    private record Run(long[] bits, Float trainLoss, Float validateLoss, Events events) {}

    private static final class Events extends TrainingListenerAdapter {
        int trainingBatches;
        int validationBatches;
        int epochs;

        @Override
        public void onTrainingBatch(Trainer trainer, BatchData batchData) {
            trainingBatches++;
            assertNotNull(batchData.getPredictions().values().iterator().next());
        }

        @Override
        public void onValidationBatch(Trainer trainer, BatchData batchData) {
            validationBatches++;
        }

        @Override
        public void onEpoch(Trainer trainer) {
            epochs++;
        }
    }

    private static Run fitRun(SamStep sam) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("fit")) {
            Block block = TestModels.mlp(m, DataType.FLOAT32, 4, TestModels.tanh(), 3, 5, 1);
            Events events = new Events();
            model.setBlock(block);
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Losses.halfMse())
                    .optOptimizer(SamFixtures.sgd(0.1f))
                    .addTrainingListeners(TrainingListener.Defaults.basic())
                    .addTrainingListeners(events))) {
                ArrayDataset train = dataset(m, DataType.FLOAT32, 12, 4);
                ArrayDataset validate = dataset(m, DataType.FLOAT32, 8, 4);
                if (sam == null) {
                    EasyTrain.fit(trainer, 3, train, validate);
                } else {
                    SharpnessAwareTraining.fit(trainer, sam, 3, train, validate);
                }
                return new Run(floatBits(block), trainer.getTrainingResult().getTrainLoss(),
                        trainer.getTrainingResult().getValidateLoss(), events);
            }
        }
    }

    private static ArrayDataset dataset(NDManager m, DataType type, int n, int batch) {
        NDArray x = TestModels.normal(m, 21 + n, n, 3, type);
        NDArray y = TestModels.normal(m, 22 + n, n, 1, type);
        return new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(batch, false).build();
    }

    private static double firstLayerNorm(Block block) {
        double s = 0;
        for (var p : block.getParameters()) {
            if (p.getKey().startsWith("01Linear")) {
                for (double v : Vectors.toDoubles(p.getValue().getArray().flatten())) {
                    s += v * v;
                }
            }
        }
        return Math.sqrt(s);
    }

    private static double[] gradient(Block block) {
        ParameterSpace space = ParameterSpace.of(block);
        try (NDManager s = NDManager.newBaseManager()) {
            NDList gs = new NDList();
            for (NDArray a : space.arrays()) {
                NDArray g = a.getGradient();
                g.attach(s);
                gs.add(g);
            }
            return Vectors.toDoubles(space.flatten(gs));
        }
    }

    private static long[] floatBits(Block block) {
        List<Long> bits = new ArrayList<>();
        for (NDArray a : ParameterSpace.of(block).arrays()) {
            for (float f : a.toFloatArray()) {
                bits.add((long) Float.floatToRawIntBits(f));
            }
        }
        return bits.stream().mapToLong(Long::longValue).toArray();
    }
}
