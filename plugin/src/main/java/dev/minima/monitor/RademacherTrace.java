package dev.minima.monitor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.minima.curvature.SymmetricOperator;
import dev.minima.curvature.Vectors;
import java.util.SplittableRandom;

/**
 * A minimal Hutchinson trace estimate (Hutchinson 1990): mean of vᵀAv over Rademacher v, standard error
 * from the sample variance. Stand-in until the shared {@code curvature.Hutchinson} lands.
 */
final class RademacherTrace implements TraceEstimator {

    private final int samples;
    private final long seed;

    RademacherTrace(int samples, long seed) {
        if (samples < 2) {
            throw new IllegalArgumentException(
                    "a Hutchinson trace needs at least 2 samples for a standard error, got " + samples);
        }
        this.samples = samples;
        this.seed = seed;
    }

    @Override
    public Estimate estimate(SymmetricOperator op) {
        SplittableRandom random = new SplittableRandom(seed);
        double sum = 0;
        double sumSq = 0;
        try (NDManager scope = NDManager.newBaseManager(op.device(), "PyTorch")) {
            for (int i = 0; i < samples; i++) {
                try (NDManager sample = scope.newSubManager()) {
                    NDArray v = Vectors.rademacher(sample, op.dimension(), op.dataType(), random);
                    double q = Vectors.dot(v, op.apply(v));
                    sum += q;
                    sumSq += q * q;
                }
            }
        }
        double mean = sum / samples;
        double variance = Math.max(0, (sumSq - samples * mean * mean) / (samples - 1));
        return new Estimate(mean, Math.sqrt(variance / samples), samples);
    }
}
