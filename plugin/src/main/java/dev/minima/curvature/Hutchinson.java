package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hutchinson's trace estimator: tr(A) = E[vᵀAv] for Rademacher v (Hutchinson 1990), averaged over independent
 * probes with the standard error of the mean as the error bar. For Rademacher probes the variance of one
 * sample is exactly 2(‖A‖_F² − Σ_i a_ii²).
 *
 * <p>Runs {@code samples} probes, or stops earlier once the standard error falls below {@code
 * targetRelativeError · |estimate|} (checked from {@code minSamples} probes on).
 *
 * <pre>{@code
 * TraceEstimate t = Hutchinson.builder().optSamples(200).optTargetRelativeError(0.01).optSeed(1).build().run(h);
 * }</pre>
 */
public final class Hutchinson {

    private static final Logger LOGGER = LoggerFactory.getLogger(Hutchinson.class);

    private final int samples;
    private final int minSamples;
    private final double targetRelativeError;
    private final long seed;

    private Hutchinson(Builder b) {
        this.samples = b.samples;
        this.minSamples = b.minSamples;
        this.targetRelativeError = b.targetRelativeError;
        this.seed = b.seed;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param op a symmetric operator
     * @return the trace estimate
     */
    public TraceEstimate run(SymmetricOperator op) {
        SplittableRandom random = new SplittableRandom(seed);
        RunningMoments moments = new RunningMoments();
        try (NDManager scratch = Vectors.scratch(op)) {
            for (int s = 0; s < samples; s++) {
                try (NDManager scope = scratch.newSubManager()) {
                    NDArray v = Vectors.rademacher(scope, op.dimension(), op.dataType(), random);
                    moments.add(NonFiniteProductException.check(Vectors.dot(v, op.apply(v)), "Hutchinson", s + 1));
                }
                if (targetRelativeError > 0 && moments.count() >= minSamples
                        && moments.standardError() <= targetRelativeError * Math.abs(moments.mean())) {
                    break;
                }
            }
        }
        int n = (int) moments.count();
        TraceEstimate t = new TraceEstimate(moments.mean(), moments.standardError(), n, n);
        LOGGER.debug("Hutchinson: {}", t);
        return t;
    }

    /** Builder of {@link Hutchinson}. */
    public static final class Builder {
        private int samples = 100;
        private int minSamples = 10;
        private double targetRelativeError;
        private long seed;

        private Builder() {}

        /**
         * @param samples the most probes (and products), default 100
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
         * @param minSamples probes before the relative-error rule may stop the run (default 10, at least 2)
         * @return this builder
         */
        public Builder optMinSamples(int minSamples) {
            if (minSamples < 2) {
                throw new IllegalArgumentException(
                        "minSamples must be at least 2 (one sample has no spread), got " + minSamples);
            }
            this.minSamples = minSamples;
            return this;
        }

        /**
         * @param relativeError stop once standardError ≤ relativeError·|estimate| (default 0: run every sample)
         * @return this builder
         */
        public Builder optTargetRelativeError(double relativeError) {
            if (!(relativeError >= 0)) {
                throw new IllegalArgumentException("target relative error must be ≥ 0, got " + relativeError);
            }
            this.targetRelativeError = relativeError;
            return this;
        }

        /**
         * @param seed seed of the Rademacher probes (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the estimator */
        public Hutchinson build() {
            return new Hutchinson(this);
        }
    }
}
