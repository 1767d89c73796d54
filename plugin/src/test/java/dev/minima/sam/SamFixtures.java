package dev.minima.sam;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;

/** Trainers, batches and an independent oracle for SAM updates (gradients through the autograd bridge). */
final class SamFixtures {

    private SamFixtures() {}

    static Trainer trainer(Model model, Block block, Loss loss, Optimizer optimizer) {
        model.setBlock(block);
        return model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(optimizer));
    }

    static Optimizer sgd(float lr) {
        return Optimizer.sgd().setLearningRateTracker(Tracker.fixed(lr)).build();
    }

    /** A DJL batch holding copies of x and y (closed by the caller). */
    static Batch batch(NDManager manager, NDArray x, NDArray y) {
        NDManager bm = manager.newSubManager();
        return new Batch(bm, new NDList(x.duplicate()), new NDList(y.duplicate()), (int) x.getShape().get(0),
                Batchifier.STACK, Batchifier.STACK, 0, 0);
    }

    static double[] values(Block block) {
        try (NDManager m = NDManager.newBaseManager()) {
            return Vectors.toDoubles(ParameterSpace.of(block).values(m));
        }
    }

    static long[] bits(Block block) {
        double[] v = values(block);
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Double.doubleToRawLongBits(v[i]);
        }
        return b;
    }

    static void assign(Block block, double[] w) {
        ParameterSpace space = ParameterSpace.of(block);
        try (NDManager m = NDManager.newBaseManager()) {
            space.assign(Vectors.of(m, w, space.dataType()));
        }
    }

    /** ∇L at w through the autograd bridge (not SamStep's backward path); the parameters are restored. */
    static double[] gradient(Block block, Loss loss, NDArray x, NDArray y, double[] w) {
        double[] before = values(block);
        assign(block, w);
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = Objective.builder().setBlock(block).setLoss(loss).addBatch(x, y).build()) {
            return Vectors.toDoubles(obj.gradient(m));
        } finally {
            assign(block, before);
        }
    }

    /** ε of the variant, computed in Java from the formulas. */
    static double[] epsilon(SharpnessAware.Variant variant, double rho, double eta, double[] g, double[] w) {
        double[] e = new double[g.length];
        switch (variant) {
            case SAM -> {
                double n = norm(g);
                for (int i = 0; i < g.length; i++) {
                    e[i] = rho * g[i] / n;
                }
            }
            case USAM -> {
                for (int i = 0; i < g.length; i++) {
                    e[i] = rho * g[i];
                }
            }
            case ASAM -> {
                double[] tg = new double[g.length];
                for (int i = 0; i < g.length; i++) {
                    tg[i] = (Math.abs(w[i]) + eta) * g[i];
                }
                double n = norm(tg);
                for (int i = 0; i < g.length; i++) {
                    e[i] = rho * (Math.abs(w[i]) + eta) * tg[i] / n;
                }
            }
            default -> throw new IllegalArgumentException();
        }
        return e;
    }

    /** The perturbed gradient ∇L(w + ε(w)) from the oracle. */
    static double[] perturbedGradient(SharpnessAware.Variant variant, double rho, Block block, Loss loss, NDArray x,
            NDArray y, double[] w) {
        double[] g = gradient(block, loss, x, y, w);
        double[] e = epsilon(variant, rho, 0.01, g, w);
        return gradient(block, loss, x, y, add(w, e, 1));
    }

    static double[] add(double[] a, double[] b, double s) {
        double[] c = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i] + s * b[i];
        }
        return c;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    static double maxRelativeError(double[] expected, double[] actual) {
        double scale = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        return err / Math.max(scale, 1e-300);
    }

    static NDArray of(NDManager m, double[][] rows) {
        double[] flat = new double[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return dev.minima.autograd.NativeArrays.of(m, flat, new ai.djl.ndarray.types.Shape(rows.length, rows[0].length),
                DataType.FLOAT64);
    }
}
