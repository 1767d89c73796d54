package dev.minima.monitor;

import dev.minima.curvature.Hutchinson;
import dev.minima.curvature.TraceEstimate;
import dev.minima.curvature.SymmetricOperator;

/**
 * Estimates the trace of a symmetric operator; the monitor's optional trace column goes through this
 * interface so that any estimator (Hutchinson, Hutch++) can be plugged in.
 *
 * <p>{@link #hutchinson(int, long)} is the curvature package's {@link Hutchinson}; Hutch++ plugs in the same way.
 */
@FunctionalInterface
public interface TraceEstimator {

    /**
     * A trace estimate.
     *
     * @param value the estimate of tr(A)
     * @param standardError its standard error (0 for an exact value)
     * @param products operator products spent
     */
    record Estimate(double value, double standardError, long products) {}

    /**
     * @param op the operator
     * @return its trace estimate
     */
    Estimate estimate(SymmetricOperator op);

    /**
     * Hutchinson's estimator E[vᵀAv] with seeded Rademacher vectors (docs/theory.md §5).
     *
     * @param samples number of probe vectors (at least 2, for a standard error)
     * @param seed seed of the probe vectors; the same seed draws the same vectors at every call
     * @return the estimator
     * @throws IllegalArgumentException if samples &lt; 2
     */
    static TraceEstimator hutchinson(int samples, long seed) {
        if (samples < 2) {
            throw new IllegalArgumentException(
                    "a Hutchinson trace needs at least 2 samples for a standard error, got " + samples);
        }
        Hutchinson hutchinson = Hutchinson.builder().optSamples(samples).optSeed(seed).build();
        return op -> {
            TraceEstimate t = hutchinson.run(op);
            return new Estimate(t.value(), t.standardError(), t.products());
        };
    }
}
