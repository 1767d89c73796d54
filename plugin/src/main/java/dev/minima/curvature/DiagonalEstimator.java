package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;

/**
 * The diagonal of a symmetric operator from products with random Rademacher vectors: diag(A) = E[v ⊙ Av]
 * (Bekas, Kokiopoulou and Saad 2007, "An estimator for the diagonal of a matrix"; with Rademacher v, v ⊙ v = 1
 * so the normalisation is the sample count). The variance of entry i from one sample is Σ_{j≠i} a_ij², so diagonal-dominant operators need few
 * samples and a diagonal operator is recovered exactly from one.
 *
 * <pre>{@code
 * DiagonalEstimate d = DiagonalEstimator.builder().optSamples(200).optSeed(3).build().run(h);
 * }</pre>
 */
public final class DiagonalEstimator {

    private final int samples;
    private final long seed;

    private DiagonalEstimator(Builder b) {
        this.samples = b.samples;
        this.seed = b.seed;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param op a symmetric operator
     * @return the estimated diagonal with per-entry standard errors
     */
    public DiagonalEstimate run(SymmetricOperator op) {
        int n = Math.toIntExact(op.dimension());
        SplittableRandom random = new SplittableRandom(seed);
        double[] mean = new double[n];
        double[] m2 = new double[n];
        try (NDManager scratch = Vectors.scratch(op)) {
            for (int s = 1; s <= samples; s++) {
                double[] sample;
                try (NDManager scope = scratch.newSubManager()) {
                    NDArray v = Vectors.rademacher(scope, n, op.dataType(), random);
                    sample = Vectors.toDoubles(v.mul(op.apply(v)));
                }
                for (int i = 0; i < n; i++) { // Welford, per entry
                    NonFiniteProductException.check(sample[i], "diagonal estimator", s);
                    double delta = sample[i] - mean[i];
                    mean[i] += delta / s;
                    m2[i] += delta * (sample[i] - mean[i]);
                }
            }
        }
        double[] se = new double[n];
        for (int i = 0; i < n; i++) {
            se[i] = samples < 2 ? Double.NaN : Math.sqrt(m2[i] / (samples - 1) / samples);
        }
        return new DiagonalEstimate(mean, se, samples, samples);
    }

    /** Builder of {@link DiagonalEstimator}. */
    public static final class Builder {
        private int samples = 100;
        private long seed;

        private Builder() {}

        /**
         * @param samples Rademacher probes, one product each (default 100)
         * @return this builder
         */
        public Builder optSamples(int samples) {
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be at least 1, got " + samples);
            }
            this.samples = samples;
            return this;
        }

        /**
         * @param seed seed of the probes (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the estimator */
        public DiagonalEstimator build() {
            return new DiagonalEstimator(this);
        }
    }
}
