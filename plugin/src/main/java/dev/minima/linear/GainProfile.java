package dev.minima.linear;

/**
 * Intermediate gains of a block measured by {@link GainAscent} (Mulayoff &amp; Michaeli 2020, Fig. 6): for each cut point k
 * (the output h_k of the first layers of a {@code SequentialBlock}), the largest gain max_x ‖h_k(x)‖/‖x‖ found on the
 * sphere ‖x‖ = radius, and the gains of the single input with the largest end-to-end gain (the red circles).
 *
 * @param cutPoints number of children of the block each h_k runs through
 * @param maxGains the largest ‖h_k(x)‖/‖x‖ found for each cut point (blue dots)
 * @param topSignalGains ‖h_k(x*)‖/‖x*‖ for x* the best input of the last cut point (red circles)
 * @param topSignal x*, flattened (‖x*‖ = radius)
 * @param radius the input norm searched over
 * @param starts the number of random starts per cut point
 * @param iterations ascent iterations run per cut point (at most the configured limit)
 */
public record GainProfile(
        int[] cutPoints,
        double[] maxGains,
        double[] topSignalGains,
        double[] topSignal,
        double radius,
        int starts,
        int[] iterations) {

    /**
     * Makes defensive copies of the arrays: the record is immutable.
     *
     * @param cutPoints number of children of the block each h_k runs through
     * @param maxGains the largest ‖h_k(x)‖/‖x‖ found for each cut point (blue dots)
     * @param topSignalGains ‖h_k(x*)‖/‖x*‖ for x* the best input of the last cut point (red circles)
     * @param topSignal x*, flattened (‖x*‖ = radius)
     * @param radius the input norm searched over
     * @param starts the number of random starts per cut point
     * @param iterations ascent iterations run per cut point (at most the configured limit)
     */
    public GainProfile {
        cutPoints = cutPoints.clone();
        maxGains = maxGains.clone();
        topSignalGains = topSignalGains.clone();
        topSignal = topSignal.clone();
        iterations = iterations.clone();
    }

    /** @return a copy of {@code cutPoints} */
    @Override
    public int[] cutPoints() {
        return cutPoints.clone();
    }

    /** @return a copy of {@code maxGains} */
    @Override
    public double[] maxGains() {
        return maxGains.clone();
    }

    /** @return a copy of {@code topSignalGains} */
    @Override
    public double[] topSignalGains() {
        return topSignalGains.clone();
    }

    /** @return a copy of {@code topSignal} */
    @Override
    public double[] topSignal() {
        return topSignal.clone();
    }

    /** @return a copy of {@code iterations} */
    @Override
    public int[] iterations() {
        return iterations.clone();
    }
}
