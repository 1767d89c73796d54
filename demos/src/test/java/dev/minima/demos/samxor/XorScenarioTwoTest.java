package dev.minima.demos.samxor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.data.XorData;
import dev.minima.loss.Losses;
import dev.minima.sam.SamStep;
import dev.minima.sam.SharpnessAware;
import dev.minima.util.SeededRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Wen et al.'s (2023) scenario II in miniature (docs/theory.md §4): on P_xor with a first-layer bias, 1-SAM drives the
 * Hessian trace Tr ∇²L = (2/n) Σ ‖∇_θ f(x_i)‖² (exact at any θ for a 2-layer ReLU net with plain MSE) down to
 * the flattest value 4√(d+1), while gradient descent with weight decay ends much sharper yet generalises
 * better.
 *
 * <p>Miniature: d = 12, n = 30, width 50 (paper: d = 30, n = 100, width 500). 1-SAM: lr 0.05, ρ 0.05, 200
 * epochs of batch 1 (6000 steps); GD + WD: lr 0.2, weight decay 0.05, 3000 full-batch steps. Seeds fixed
 * (data 1, test points 1001, init 1). Measured: 1-SAM Tr 15.07 (flattest 14.42), training loss 7.1e-3, test
 * accuracy 0.942; GD + WD Tr 33.4, loss 6.5e-3, accuracy 1.000. A numpy run of the same recipe over 3 seeds
 * gave 1-SAM Tr 14.1–15.2 and accuracy 0.86–0.89, GD + WD Tr 30–35 and accuracy 0.99–1.00.
 */
class XorScenarioTwoTest {

    static final int D = 12;
    static final int N = 30;
    static final int WIDTH = 50;
    static final int SAM_EPOCHS = 200;
    static final int GD_STEPS = 3000;
    static final float SAM_LR = 0.05f;
    static final float GD_LR = 0.2f;
    static final double RHO = 0.05;
    static final long SEED = 1;

    /**
     * Tolerances: 1-SAM at finite ρ and lr hovers around the bound and is not exactly at interpolation (loss ≈
     * 1e-2), so its trace is asserted within 10% of 4√(d+1); GD + WD is asserted at least 1.8× sharper (seen
     * 2.1–2.4×) and at least 0.03 more accurate on 2000 fresh points (seen 0.05–0.1; the standard error of each
     * accuracy is ≤ 0.006). Both fit the training set (MSE ≤ 0.02).
     */
    @Test
    void oneSamFindsTheFlattestTraceButWeightDecayGeneralisesBetter() {
        Engine.getInstance();
        int threads = JniUtils.getNumThreads();
        // a tiny network: one libtorch thread avoids thread hand-offs that cost more than the arithmetic
        JniUtils.setNumThreads(1);
        try {
            XorData train = XorData.builder().setDimension(D).setSize(N).optSeed(SEED).build();
            XorData test = XorData.builder().setDimension(D).setSize(2000).optSeed(SEED + 1000).build();
            double flattest = 4 * Math.sqrt(D + 1);
            Outcome sam = train(train, test, true);
            Outcome gd = train(train, test, false);
            String summary = String.format("d=%d n=%d width=%d: flattest %.3f | 1-SAM Tr %.3f loss %.2e acc %.3f"
                    + " (%.1fs) | GD+WD Tr %.3f loss %.2e acc %.3f (%.1fs)", D, N, WIDTH, flattest, sam.trace,
                    sam.loss, sam.accuracy, sam.seconds, gd.trace, gd.loss, gd.accuracy, gd.seconds);
            System.out.println("scenario II " + summary);
            assertEquals(flattest, sam.trace, 0.1 * flattest, summary);
            assertTrue(gd.trace >= 1.8 * sam.trace, summary);
            assertTrue(gd.accuracy >= sam.accuracy + 0.03, summary);
            assertTrue(gd.accuracy >= 0.97, summary);
            assertTrue(sam.loss <= 0.02 && gd.loss <= 0.02, summary);
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    /**
     * The closed form (2/n) Σ ‖∇_θ f(x_i)‖² equals the exact trace Σ_j e_jᵀ H e_j from Hessian-vector products
     * (double backpropagation through HessianOperator, all 4·8 + 8 + 8 = 48 coordinates) at a random 2-layer
     * ReLU net with bias on 10 xor points, float64: 1e-10 relative.
     */
    @Test
    void traceClosedFormEqualsTheHessianTrace() {
        XorData train = XorData.builder().setDimension(4).setSize(10).optSeed(SEED).build();
        try (NDManager m = NDManager.newBaseManager()) {
            Block net = ReluMlp.builder().setInputDimension(4).setWidth(8).build();
            Engine.getInstance().setRandomSeed(5);
            net.initialize(m, DataType.FLOAT64, new Shape(1, 4));
            NDArray x = train.features(m, DataType.FLOAT64);
            NDArray y = train.labels(m, DataType.FLOAT64);
            double closedForm = trace(net, x);
            double exact = 0;
            try (Objective obj = Objective.builder().setBlock(net).setLoss(Losses.mse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj)) {
                int dim = (int) h.dimension();
                for (int j = 0; j < dim; j++) {
                    try (NDManager s = m.newSubManager()) {
                        double[] e = new double[dim];
                        e[j] = 1;
                        exact += Vectors.toDoubles(h.apply(Vectors.of(s, e, DataType.FLOAT64)))[j];
                    }
                }
            }
            assertTrue(exact > 1, "a random net has a trace of order 1 or more, got " + exact);
            assertEquals(exact, closedForm, 1e-10 * exact);
        }
    }

    record Outcome(double trace, double loss, double accuracy, double seconds) {}

    static Outcome train(XorData train, XorData test, boolean oneSam) {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("xor")) {
            Block net = ReluMlp.builder().setInputDimension(D).setWidth(WIDTH).optVariant(ReluMlp.Variant.BIAS).build();
            Engine.getInstance().setRandomSeed((int) SEED);
            net.initialize(m, DataType.FLOAT32, new Shape(1, D));
            NDArray x = train.features(m, DataType.FLOAT32);
            NDArray y = train.labels(m, DataType.FLOAT32);
            Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(oneSam ? SAM_LR : GD_LR))
                    .optWeightDecays(oneSam ? 0f : 0.05f).build();
            long start = System.nanoTime();
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Losses.mse()).optOptimizer(sgd))) {
                if (oneSam) {
                    List<Batch> batches = new ArrayList<>();
                    for (int i = 0; i < N; i++) {
                        batches.add(batch(m, x.get(new NDIndex(i + ":" + (i + 1))),
                                y.get(new NDIndex(i + ":" + (i + 1)))));
                    }
                    SamStep sam = SamStep.of(SharpnessAware.builder().optRho(RHO).build());
                    SplittableRandom order = new SplittableRandom(SEED);
                    for (int epoch = 0; epoch < SAM_EPOCHS; epoch++) {
                        for (int i : SeededRandom.permutation(N, order)) {
                            sam.step(trainer, batches.get(i));
                        }
                    }
                    batches.forEach(Batch::close);
                } else {
                    try (Batch all = batch(m, x, y)) {
                        for (int t = 0; t < GD_STEPS; t++) {
                            EasyTrain.trainBatch(trainer, all);
                            trainer.step();
                        }
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Outcome(trace(net, x), loss(net, x, y), accuracy(net, test, m), seconds);
        }
    }

    /** Tr ∇²L = (2/n) Σ_i ‖∇_θ f(x_i)‖² through the autograd bridge (Wen et al. 2023, 2-layer ReLU, plain MSE). */
    static double trace(Block net, NDArray x) {
        ParameterSpace space = ParameterSpace.of(net);
        AutogradBridge bridge = AutogradBridge.on(space.device());
        long n = x.getShape().get(0);
        double sum = 0;
        for (long i = 0; i < n; i++) {
            try (NDManager s = x.getManager().newSubManager()) {
                NDArray xi = x.get(new NDIndex(i + ":" + (i + 1)));
                xi.attach(s);
                NDArray f;
                try (GradMode on = GradMode.enabled()) {
                    f = net.forward(new ParameterStore(s, false), new NDList(xi), false).singletonOrThrow().sum();
                }
                NDArray g = space.flatten(bridge.gradient(f, space.arrays(), false, s));
                sum += Vectors.dot(g, g);
            }
        }
        return 2 * sum / n;
    }

    static double loss(Block net, NDArray x, NDArray y) {
        try (Objective obj = Objective.builder().setBlock(net).setLoss(Losses.mse()).addBatch(x, y).build()) {
            return obj.value();
        }
    }

    static double accuracy(Block net, XorData test, NDManager m) {
        try (NDManager s = m.newSubManager(); GradMode off = GradMode.disabled()) {
            NDArray x = test.features(s, DataType.FLOAT32);
            NDArray y = test.labels(s, DataType.FLOAT32);
            NDArray f = net.forward(new ParameterStore(s, false), new NDList(x), false).singletonOrThrow();
            NDArray correct = f.mul(y).gt(0).toType(DataType.FLOAT64, false).mean();
            return correct.getDouble();
        }
    }

    /** A DJL batch holding copies of x and y (closed by the caller). */
    static Batch batch(NDManager manager, NDArray x, NDArray y) {
        return new Batch(manager.newSubManager(), new NDList(x.duplicate()), new NDList(y.duplicate()),
                (int) x.getShape().get(0), Batchifier.STACK, Batchifier.STACK, 0, 0);
    }
}
