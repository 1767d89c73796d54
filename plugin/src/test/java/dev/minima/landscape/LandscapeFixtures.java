package dev.minima.landscape;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.loss.Losses;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;

/** Quadratic objectives with known Hessians, and a small ReLU classifier. */
final class LandscapeFixtures {

    private LandscapeFixtures() {}

    /**
     * L(w) = ½ mean_i (x_iᵀw − y_i)² = ½ (w − c)ᵀ A (w − c) with A = XᵀX/n and y = Xc: a Linear(1) block without
     * bias, float64, whose weight is set to {@code w}.
     */
    static Objective quadratic(NDManager m, double[][] x, double[] c, double[] w) {
        int n = x.length;
        int d = x[0].length;
        double[] flat = new double[n * d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                flat[i * d + j] = x[i][j];
                y[i] += x[i][j] * c[j];
            }
        }
        Block block = Linear.builder().setUnits(1).optBias(false).build();
        block.initialize(m, DataType.FLOAT64, new Shape(1, d));
        ParameterSpace space = ParameterSpace.of(block);
        space.assign(Vectors.of(m, w, DataType.FLOAT64));
        NDArray xs = NativeArrays.of(m, flat, new Shape(n, d), DataType.FLOAT64);
        NDArray ys = NativeArrays.of(m, y, new Shape(n, 1), DataType.FLOAT64);
        return Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(xs, ys).build();
    }

    /** A = XᵀX/n. */
    static double[][] hessian(double[][] x) {
        int n = x.length;
        int d = x[0].length;
        double[][] a = new double[d][d];
        for (double[] row : x) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    a[i][j] += row[i] * row[j] / n;
                }
            }
        }
        return a;
    }

    /** X with XᵀX/n = diag(a): row i = √(n a_i) e_i, n = d. */
    static double[][] diagonal(double... a) {
        int d = a.length;
        double[][] x = new double[d][d];
        for (int i = 0; i < d; i++) {
            x[i][i] = Math.sqrt(d * a[i]);
        }
        return x;
    }

    static double[][] gaussian(long seed, int rows, int cols) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x[i][j] = SeededRandom.gaussian(r);
            }
        }
        return x;
    }

    /** A ReLU MLP in → hidden → classes, float64, softmax cross-entropy on seeded Gaussian data and labels. */
    static Objective classifier(NDManager m, long seed, int n, int in, int hidden, int classes) {
        SequentialBlock block = new SequentialBlock().add(Linear.builder().setUnits(hidden).build())
                .add(Activation::relu).add(Linear.builder().setUnits(classes).build());
        Engine.getInstance().setRandomSeed((int) seed);
        block.initialize(m, DataType.FLOAT64, new Shape(1, in));
        double[][] x = gaussian(seed + 7, n, in);
        double[] flat = new double[n * in];
        double[] labels = new double[n];
        SplittableRandom r = new SplittableRandom(seed + 11);
        for (int i = 0; i < n; i++) {
            System.arraycopy(x[i], 0, flat, i * in, in);
            labels[i] = r.nextInt(classes);
        }
        NDArray xs = NativeArrays.of(m, flat, new Shape(n, in), DataType.FLOAT64);
        NDArray ys = NativeArrays.of(m, labels, new Shape(n), DataType.FLOAT64);
        return Objective.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy()).addBatch(xs, ys).build();
    }

    static long[] bits(ParameterSpace space, NDManager m) {
        double[] v = Vectors.toDoubles(space.values(m));
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Double.doubleToRawLongBits(v[i]);
        }
        return b;
    }
}
