package dev.minima.demos;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;
import dev.minima.loss.Losses;
import java.util.Locale;

/**
 * How many Hessian-vector products a monitor record needs, on the workload of {@link MonitorOverheadBenchmark}
 * (784-512-512-10 ReLU MLP, batch 128, SGD at 0.01, Gaussian inputs with random labels). Every 100 steps it
 * prints the reference λ_max (Lanczos to a 1e-6 residual on the first 1,000 examples) and its two successors,
 * then the relative error of the top Ritz value after each iteration of a Lanczos run warm-started from the
 * previous record's eigenvector (as the monitor does) on a probe of the first {@code probe} examples; with a
 * probe of 1,000 that shows how many products a record needs for a given accuracy, with fewer it shows the
 * error a sub-sampled probe adds.
 *
 * <pre>
 * java -cp "demos/target/minima-demos.jar:demos/target/lib/*" dev.minima.demos.MonitorLanczosStudy [probe] [iterations]
 * </pre>
 */
public final class MonitorLanczosStudy {

    private static final int POOL = 8192;
    private static final int BATCH = 128;
    private static final int REFERENCE = 1000;

    private MonitorLanczosStudy() {}

    /**
     * Runs the study and prints one line per record.
     *
     * @param args optional: probe size (default 1000), Lanczos iterations of the warm-started run (default 12)
     */
    public static void main(String[] args) {
        int probe = args.length > 0 ? Integer.parseInt(args[0]) : REFERENCE;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        if (probe < 1 || probe > REFERENCE || iterations < 1) {
            throw new IllegalArgumentException("probe must be in 1.." + REFERENCE + " and iterations >= 1");
        }
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("study")) {
            NDArray x = MonitorOverheadBenchmark.gaussian(m, POOL, 784, 0);
            NDArray y = MonitorOverheadBenchmark.labels(m, POOL, 1);
            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(10).build()));
            Engine.getInstance().setRandomSeed(0);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Losses.softmaxCrossEntropy())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build());
            NDArray rx = x.get("0:" + REFERENCE);
            NDArray ry = y.get("0:" + REFERENCE);
            NDArray px = x.get("0:" + probe);
            NDArray py = y.get("0:" + probe);
            double[] warm = null;
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 784));
                for (int s = 0; s <= 1000; s++) {
                    if (s > 0 && s % 100 == 0) {
                        warm = record(model, rx, ry, px, py, warm, iterations, s);
                    }
                    long start = (long) s * BATCH % (POOL - BATCH + 1);
                    try (NDManager scope = m.newSubManager()) {
                        NDArray xb = x.get(start + ":" + (start + BATCH)).duplicate();
                        NDArray yb = y.get(start + ":" + (start + BATCH)).duplicate();
                        xb.attach(scope);
                        yb.attach(scope);
                        EasyTrain.trainBatch(trainer, new Batch(scope, new NDList(xb), new NDList(yb), BATCH, null,
                                null, s, 1000));
                        trainer.step();
                    }
                }
            }
        }
    }

    /** Prints one record's line and returns the eigenvector the monitor would warm-start from next. */
    private static double[] record(Model model, NDArray rx, NDArray ry, NDArray px, NDArray py, double[] warm,
            int iterations, int step) {
        double reference;
        double second;
        double third;
        try (Objective o = objective(model, rx, ry); HessianOperator h = HessianOperator.of(o, true)) {
            Eigenpairs ref = Lanczos.builder().optTolerance(1e-6).optMaxIterations(150).optSeed(7).optTopK(3).build()
                    .run(h);
            reference = ref.value(0);
            second = ref.value(1);
            third = ref.value(2);
        }
        StringBuilder errors = new StringBuilder();
        double[] next;
        try (Objective o = objective(model, px, py); HessianOperator h = HessianOperator.of(o, true)) {
            Eigenpairs run = Lanczos.builder().optTolerance(1e-9).optMaxIterations(iterations).optSeed(3)
                    .optWarmStart(warm).build().run(h);
            for (double theta : run.history()) {
                errors.append(String.format(Locale.ROOT, " %.1e", (reference - theta) / reference));
            }
            // what the monitor keeps for its next record: the eigenvector at its own tolerance
            next = Lanczos.builder().optTolerance(1e-2).optMaxIterations(60).optSeed(3).optWarmStart(warm).build()
                    .run(h).vector(0);
        }
        System.out.printf(Locale.ROOT, "step %d: lambda %.4f, %.4f, %.4f; error after each product:%s%n", step,
                reference, second, third, errors);
        return next;
    }

    private static Objective objective(Model model, NDArray x, NDArray y) {
        return Objective.builder().setBlock(model.getBlock()).setLoss(Losses.softmaxCrossEntropy()).addBatch(x, y)
                .build();
    }
}
