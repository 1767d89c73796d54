package dev.minima.demos.sweeps;

import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;

/**
 * Seeded training sets of the sweeps.
 *
 * @param x n inputs of d numbers
 * @param y n targets
 */
public record SweepData(double[][] x, double[] y) {

    /**
     * Copies the arrays.
     *
     * @param x n inputs of d numbers
     * @param y n targets
     */
    public SweepData {
        x = deepCopy(x);
        y = y.clone();
    }

    /** @return a copy of the inputs */
    @Override
    public double[][] x() {
        return deepCopy(x);
    }

    /** @return a copy of the targets */
    @Override
    public double[] y() {
        return y.clone();
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int j = 0; j < a.length; j++) {
            c[j] = a[j].clone();
        }
        return c;
    }

    /**
     * Univariate data of Mulayoff et al. (2021), supplement Sec. I ("n random points", distribution not given): x stratified uniform on
     * [−1, 1] (one point drawn in the middle half of each of n equal cells, so no two inputs nearly coincide,
     * which would need steep slopes and far more steps), y uniform on [−yScale, yScale].
     *
     * @param n number of points
     * @param yScale amplitude of the targets
     * @param seed seed
     * @return the data, sorted by x
     */
    public static SweepData univariate(int n, double yScale, long seed) {
        requirePositive(n, "--n");
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][1];
        double[] y = new double[n];
        for (int j = 0; j < n; j++) {
            x[j][0] = -1 + 2 * (j + 0.25 + 0.5 * random.nextDouble()) / n;
            y[j] = yScale * (2 * random.nextDouble() - 1);
        }
        return new SweepData(x, y);
    }

    /**
     * Nacson et al. (2023), Sec. 6 synthetic data: x ~ N(0, I_d), y ~ N(0, 1), independent.
     *
     * @param n number of points
     * @param d input dimension
     * @param seed seed
     * @return the data
     */
    public static SweepData gaussian(int n, int d, long seed) {
        requirePositive(n, "--n");
        requirePositive(d, "--dim");
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < d; l++) {
                x[j][l] = SeededRandom.gaussian(random);
            }
            y[j] = SeededRandom.gaussian(random);
        }
        return new SweepData(x, y);
    }

    private static void requirePositive(int v, String option) {
        if (v < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + v);
        }
    }

    /** @return the inputs of a univariate set as a plain vector */
    public double[] x1() {
        double[] out = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            out[j] = x[j][0];
        }
        return out;
    }
}
