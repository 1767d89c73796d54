package dev.minima.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.minima.autograd.NativeArrays;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Seeded shuffling and Gaussian sampling, written once for the library and the demos.
 *
 * <p>Every method draws from the generator it is given (usually a {@link java.util.SplittableRandom} made
 * from a seed option) and nothing else, so the same seed gives the same numbers on every run and platform.
 * The draw order is part of the contract and does not change:
 * <ul>
 *   <li>{@link #shuffle(int[], RandomGenerator)}: Fisher–Yates from the last index down, one
 *       {@code nextInt(i + 1)} per index {@code i = n − 1 … 1};</li>
 *   <li>{@link #sample(int, int, RandomGenerator)}: the first k steps of a forward Fisher–Yates, one
 *       {@code i + nextInt(n − i)} per index {@code i = 0 … k − 1};</li>
 *   <li>{@link #gaussian(RandomGenerator)}: Box–Muller (Box &amp; Muller 1958) from two uniforms u₁ = 1 − U,
 *       u₂ = U′, returning √(−2 ln u₁) cos 2πu₂ (one normal per two uniforms);</li>
 *   <li>{@link #gaussians(RandomGenerator, int)}: the same pair of uniforms gives two normals, the cosine and
 *       the sine branch, at consecutive indices (half the draws).</li>
 * </ul>
 *
 * <pre>{@code
 * SplittableRandom random = new SplittableRandom(seed);
 * int[] order = SeededRandom.permutation(n, random);        // one epoch's order
 * double[] noise = SeededRandom.gaussians(random, 784);     // N(0, 1) entries
 * }</pre>
 */
public final class SeededRandom {

    private SeededRandom() {}

    /**
     * Shuffles an array in place by Fisher–Yates: every permutation is equally likely.
     *
     * @param values the array to shuffle
     * @param random the source of randomness
     */
    public static void shuffle(int[] values, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    /**
     * A uniformly random permutation of {@code 0 … n − 1} ({@link #shuffle} of the identity).
     *
     * @param n how many indices, ≥ 0
     * @param random the source of randomness
     * @return the permutation
     * @throws IllegalArgumentException if n is negative
     */
    public static int[] permutation(int n, RandomGenerator random) {
        if (n < 0) {
            throw new IllegalArgumentException("a permutation needs n ≥ 0 indices, got " + n);
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, random);
        return p;
    }

    /**
     * A uniformly random choice of k distinct indices of {@code 0 … n − 1} (partial Fisher–Yates), in
     * increasing order.
     *
     * @param n how many indices to choose from
     * @param k how many to choose, 0 ≤ k ≤ n
     * @param random the source of randomness
     * @return the chosen indices, sorted
     * @throws IllegalArgumentException if k is not between 0 and n
     */
    public static int[] sample(int n, int k, RandomGenerator random) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("cannot choose " + k + " of " + n + " indices: ask for 0 ≤ k ≤ n");
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        int[] out = Arrays.copyOf(p, k);
        Arrays.sort(out);
        return out;
    }

    /**
     * One standard normal number by Box–Muller (cosine branch; two uniforms per number).
     *
     * @param random the source of randomness
     * @return a draw from N(0, 1)
     */
    public static double gaussian(RandomGenerator random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Fills an array with independent standard normal numbers, two per pair of uniforms (Box–Muller's cosine
     * and sine branches at consecutive indices).
     *
     * @param values the array to fill
     * @param random the source of randomness
     */
    public static void fillGaussian(double[] values, RandomGenerator random) {
        for (int i = 0; i < values.length; i += 2) {
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            values[i] = r * Math.cos(2 * Math.PI * u2);
            if (i + 1 < values.length) {
                values[i + 1] = r * Math.sin(2 * Math.PI * u2);
            }
        }
    }

    /**
     * Independent standard normal numbers, two per pair of uniforms ({@link #fillGaussian}).
     *
     * @param random the source of randomness
     * @param n how many, ≥ 0
     * @return the numbers
     */
    public static double[] gaussians(RandomGenerator random, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot draw " + n + " numbers: ask for n ≥ 0");
        }
        double[] v = new double[n];
        fillGaussian(v, random);
        return v;
    }

    /**
     * A libtorch array of independent standard normal entries ({@link #gaussians}, row-major).
     *
     * @param manager the manager of the result
     * @param shape the shape
     * @param dataType the data type of the result
     * @param random the source of randomness
     * @return the array
     */
    public static NDArray gaussian(NDManager manager, Shape shape, DataType dataType, RandomGenerator random) {
        return NativeArrays.of(manager, gaussians(random, Math.toIntExact(shape.size())), shape, dataType);
    }
}
