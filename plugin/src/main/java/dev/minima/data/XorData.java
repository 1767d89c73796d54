package dev.minima.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.SequenceSampler;
import dev.minima.autograd.NativeArrays;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;

/**
 * Wen et al.'s (2023) synthetic tasks (docs/theory.md §4), generated in Java from a seed and handed to DJL as an
 * {@link ArrayDataset}.
 *
 * <ul>
 *   <li>{@link Distribution#HYPERCUBE} (P_xor): x uniform on {−1, 1}^d, y = x₁x₂ — the parity of the first
 *       two bits; {@link Builder#optParityBits(int)} makes it the parity of the first k bits, y = x₁⋯x_k.
 *   <li>{@link Distribution#BALL}: x uniform in the ball of radius √d, y = |x₁| − |x₂| (Wen et al. 2023, B.2).
 * </ul>
 *
 * <pre>{@code
 * XorData train = XorData.builder().setDimension(30).setSize(100).optSeed(1).build();
 * XorData test = XorData.builder().setDimension(30).setSize(2000).optSeed(2).build();
 * ArrayDataset ds = train.toDataset(manager, DataType.FLOAT32, 1, 7L); // batch 1, shuffled with seed 7
 * }</pre>
 *
 * <p>The values are kept as Java arrays (an immutable sample); arrays made from them are owned by libtorch.
 */
public final class XorData {

    /** The input distribution and its target. */
    public enum Distribution {
        /** x uniform on the hypercube {−1, 1}^d, y = the product of the first k coordinates (k = 2: xor). */
        HYPERCUBE,
        /** x uniform in the ball of radius √d, y = |x₁| − |x₂|. */
        BALL
    }

    private final Distribution distribution;
    private final int dimension;
    private final double[][] x;
    private final double[] y;

    private XorData(Distribution distribution, int dimension, double[][] x, double[] y) {
        this.distribution = distribution;
        this.dimension = dimension;
        this.x = x;
        this.y = y;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the distribution the points were drawn from */
    public Distribution distribution() {
        return distribution;
    }

    /** @return the input dimension d */
    public int dimension() {
        return dimension;
    }

    /** @return the number of points n */
    public int size() {
        return y.length;
    }

    /**
     * @param i a point's index
     * @return a copy of point i
     */
    public double[] x(int i) {
        return x[i].clone();
    }

    /**
     * @param i a point's index
     * @return the label of point i
     */
    public double y(int i) {
        return y[i];
    }

    /**
     * @param manager the manager of the result
     * @param dataType the data type
     * @return the inputs, shape (n, d), owned by libtorch
     */
    public NDArray features(NDManager manager, DataType dataType) {
        double[] flat = new double[y.length * dimension];
        for (int i = 0; i < y.length; i++) {
            System.arraycopy(x[i], 0, flat, i * dimension, dimension);
        }
        return NativeArrays.of(manager, flat, new Shape(y.length, dimension), dataType);
    }

    /**
     * @param manager the manager of the result
     * @param dataType the data type
     * @return the labels, shape (n, 1), owned by libtorch
     */
    public NDArray labels(NDManager manager, DataType dataType) {
        return NativeArrays.of(manager, y.clone(), new Shape(y.length, 1), dataType);
    }

    /**
     * A dataset visiting the points in order.
     *
     * @param manager the manager of the dataset's arrays
     * @param dataType the data type
     * @param batchSize the batch size (the last batch may be smaller)
     * @return the dataset
     */
    public ArrayDataset toDataset(NDManager manager, DataType dataType, int batchSize) {
        checkBatch(batchSize);
        return new ArrayDataset.Builder()
                .setData(features(manager, dataType))
                .optLabels(labels(manager, dataType))
                .setSampling(new BatchSampler(new SequenceSampler(), batchSize, false))
                .build();
    }

    /**
     * A dataset visiting the points in a new seeded random order every epoch ({@link SeededShuffle}).
     *
     * @param manager the manager of the dataset's arrays
     * @param dataType the data type
     * @param batchSize the batch size (the last batch may be smaller)
     * @param shuffleSeed the seed of the epochs' orders
     * @return the dataset
     */
    public ArrayDataset toDataset(NDManager manager, DataType dataType, int batchSize, long shuffleSeed) {
        checkBatch(batchSize);
        return new ArrayDataset.Builder()
                .setData(features(manager, dataType))
                .optLabels(labels(manager, dataType))
                .setSampling(new BatchSampler(new SeededShuffle(shuffleSeed), batchSize, false))
                .build();
    }

    private void checkBatch(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
    }

    /** Builder of {@link XorData}. */
    public static final class Builder {
        private Distribution distribution = Distribution.HYPERCUBE;
        private int dimension;
        private int size;
        private int parityBits = 2;
        private long seed;

        private Builder() {}

        /**
         * @param dimension the input dimension d (≥ 2)
         * @return this builder
         */
        public Builder setDimension(int dimension) {
            this.dimension = dimension;
            return this;
        }

        /**
         * @param size the number of points n (≥ 1)
         * @return this builder
         */
        public Builder setSize(int size) {
            this.size = size;
            return this;
        }

        /**
         * @param distribution hypercube (default) or ball
         * @return this builder
         */
        public Builder optDistribution(Distribution distribution) {
            this.distribution = distribution;
            return this;
        }

        /**
         * @param bits k: the hypercube label is x₁⋯x_k (default 2, the xor of Wen et al. 2023)
         * @return this builder
         */
        public Builder optParityBits(int bits) {
            this.parityBits = bits;
            return this;
        }

        /**
         * @param seed the seed of the points (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @return the sample
         * @throws IllegalArgumentException if a size is out of range
         */
        public XorData build() {
            if (dimension < 2) {
                throw new IllegalArgumentException("dimension must be at least 2 (the label uses x₁ and x₂), got "
                        + dimension + ": call setDimension(d)");
            }
            if (size < 1) {
                throw new IllegalArgumentException("size must be at least 1, got " + size + ": call setSize(n)");
            }
            if (parityBits < 1 || parityBits > dimension) {
                throw new IllegalArgumentException(
                        "parity bits must be in [1, d = " + dimension + "], got " + parityBits);
            }
            SplittableRandom random = new SplittableRandom(seed);
            double[][] x = new double[size][];
            double[] y = new double[size];
            for (int i = 0; i < size; i++) {
                if (distribution == Distribution.HYPERCUBE) {
                    x[i] = cube(random);
                    double p = 1;
                    for (int j = 0; j < parityBits; j++) {
                        p *= x[i][j];
                    }
                    y[i] = p;
                } else {
                    x[i] = ball(random);
                    y[i] = Math.abs(x[i][0]) - Math.abs(x[i][1]);
                }
            }
            return new XorData(distribution, dimension, x, y);
        }

        private double[] cube(SplittableRandom random) {
            double[] v = new double[dimension];
            for (int j = 0; j < dimension; j++) {
                v[j] = random.nextBoolean() ? 1.0 : -1.0;
            }
            return v;
        }

        /** Uniform in the ball of radius √d: a uniform direction times √d · U^{1/d}. */
        private double[] ball(SplittableRandom random) {
            double[] v = new double[dimension];
            double norm2 = 0;
            while (norm2 == 0) {
                norm2 = 0;
                for (int j = 0; j < dimension; j++) {
                    v[j] = SeededRandom.gaussian(random);
                    norm2 += v[j] * v[j];
                }
            }
            double radius = Math.sqrt(dimension) * Math.pow(random.nextDouble(), 1.0 / dimension);
            double scale = radius / Math.sqrt(norm2);
            for (int j = 0; j < dimension; j++) {
                v[j] *= scale;
            }
            return v;
        }
    }
}
