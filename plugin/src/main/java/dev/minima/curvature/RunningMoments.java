package dev.minima.curvature;

/** Welford's running mean and variance of a stream of numbers (numerically stable). */
final class RunningMoments {

    private long count;
    private double mean;
    private double m2;

    void add(double x) {
        count++;
        double delta = x - mean;
        mean += delta / count;
        m2 += delta * (x - mean);
    }

    long count() {
        return count;
    }

    double mean() {
        return mean;
    }

    /** @return the unbiased sample variance, NaN with fewer than two samples */
    double variance() {
        return count < 2 ? Double.NaN : m2 / (count - 1);
    }

    /** @return the standard error of the mean, √(variance / count) */
    double standardError() {
        return Math.sqrt(variance() / count);
    }
}
