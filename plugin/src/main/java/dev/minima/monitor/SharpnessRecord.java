package dev.minima.monitor;

/**
 * One measurement of the monitor during training: when it was taken, the step size in force, and the
 * curvature of the probe-set loss at that moment.
 *
 * <p>{@code step} counts the optimizer updates already applied to the parameters that were measured;
 * {@code eta} is the learning rate of the next update (the one whose stability is in question). Linear
 * stability of gradient descent needs λ_max ≤ 2/η (docs/theory.md §0), so {@link #ratio()} = ηλ_max/2 above
 * 1 means the next step is linearly unstable along the top eigenvector.
 *
 * @param step optimizer updates applied before the measurement
 * @param epoch the epoch (0-based) the measurement fell in
 * @param trigger what caused the measurement
 * @param eta the learning rate of the next update
 * @param snapshot the curvature measured on the probe set
 * @param preconditionedThreshold the adaptive optimiser's stability threshold for λ_max(P⁻¹H) at this η
 *     (see {@link Preconditioner#threshold(double)}), or NaN without a preconditioner
 * @param seconds wall time the measurement took
 */
public record SharpnessRecord(long step, int epoch, Trigger trigger, double eta, CurvatureSnapshot snapshot,
        double preconditionedThreshold, double seconds) {

    /** What caused a measurement. */
    public enum Trigger {
        /** Every k optimizer updates. */
        STEP,
        /** The time interval elapsed. */
        TIME,
        /** The end of an epoch. */
        EPOCH,
        /** An explicit call. */
        MANUAL
    }

    /** @return the largest Hessian eigenvalue on the probe set */
    public double lambdaMax() {
        return snapshot.lambdaMax();
    }

    /** @return the probe-set loss */
    public double loss() {
        return snapshot.loss();
    }

    /** @return 2/η, gradient descent's linear stability threshold for λ_max */
    public double threshold() {
        return 2.0 / eta;
    }

    /** @return ηλ_max/2: 1 at the edge of stability, above 1 linearly unstable */
    public double ratio() {
        return eta * snapshot.lambdaMax() / 2.0;
    }

    /** @return whether gradient descent with step η is linearly unstable here (λ_max &gt; 2/η) */
    public boolean unstable() {
        return ratio() > 1.0;
    }

    /** @return λ_max(P⁻¹H) divided by the optimiser's threshold, or NaN without a preconditioner */
    public double preconditionedRatio() {
        return snapshot.preconditionedLambdaMax() / preconditionedThreshold;
    }
}
