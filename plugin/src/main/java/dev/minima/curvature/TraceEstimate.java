package dev.minima.curvature;

/**
 * A stochastic estimate of the trace of a symmetric operator.
 *
 * @param value the estimate of tr(A)
 * @param standardError the estimated standard deviation of {@code value} (sample standard deviation of the
 *     random part over √samples; 0 when the estimate is exact, NaN when one sample cannot give a spread)
 * @param products operator products spent
 * @param samples random probes whose quadratic forms were averaged
 */
public record TraceEstimate(double value, double standardError, int products, int samples) {

    /** @return standardError / |value| (infinite for a zero value) */
    public double relativeError() {
        return standardError / Math.abs(value);
    }

    @Override
    public String toString() {
        return "Trace " + value + " ± " + standardError + " (" + samples + " samples, " + products + " products)";
    }
}
