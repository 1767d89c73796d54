package dev.minima.monitor;

/**
 * One measurement of the monitor during training: when it was taken, the step size in force, and the
 * curvature of the probe-set loss at that moment.
 *
 * <p>{@code step} counts the optimizer updates already applied to the parameters that were measured;
 * {@code eta} is the learning rate of the next update (the one whose stability is in question). Linear
 * stability of gradient descent needs λ_max ≤ 2/η (docs/theory.md §0); with momentum or Adam the threshold moves (see
 * {@link StabilityRule}), and {@link #threshold()} is the one that applied, named by {@link #thresholdRule()}.
 * {@link #ratio()} = sharpness/threshold above 1 means the next step is linearly unstable along the top
 * eigenvector.
 *
 * @param step optimizer updates applied before the measurement
 * @param epoch the epoch (0-based) the measurement fell in
 * @param trigger what caused the measurement
 * @param eta the learning rate of the next update
 * @param snapshot the curvature measured on the probe set
 * @param preconditionedThreshold the adaptive optimiser's stability threshold for λ_max(P⁻¹H) at this η
 *     (see {@link dev.minima.curvature.Preconditioner#threshold(double)}), or NaN without a preconditioner
 * @param seconds wall time the measurement took
 * @param threshold the stability threshold the sharpness is compared with: 2/η for plain SGD, (2 + 2β)/η with
 *     heavy-ball momentum, (2 + 2β)/((1 + 2β)η) for Nesterov, Adam's preconditioned threshold (then the
 *     compared sharpness is λ_max(P⁻¹H)), NaN when none is known
 * @param thresholdRule which rule gave the threshold, e.g. {@code gd 2/eta} (see {@link StabilityRule#describe()})
 */
public record SharpnessRecord(long step, int epoch, Trigger trigger, double eta, CurvatureSnapshot snapshot,
        double preconditionedThreshold, double seconds, double threshold, String thresholdRule) {

    /**
     * A record of plain gradient descent: threshold 2/η.
     *
     * @param step optimizer updates applied before the measurement
     * @param epoch the epoch
     * @param trigger what caused the measurement
     * @param eta the learning rate of the next update
     * @param snapshot the curvature measured
     * @param preconditionedThreshold the preconditioned threshold or NaN
     * @param seconds wall time the measurement took
     */
    public SharpnessRecord(long step, int epoch, Trigger trigger, double eta, CurvatureSnapshot snapshot,
            double preconditionedThreshold, double seconds) {
        this(step, epoch, trigger, eta, snapshot, preconditionedThreshold, seconds, 2.0 / eta, "gd 2/eta");
    }

    /** What caused a measurement. */
    public enum Trigger {
        /** Every k optimizer updates. */
        STEP,
        /** The time interval elapsed. */
        TIME,
        /** The end of an epoch. */
        EPOCH,
        /** An explicit call. */
        MANUAL,
        /**
         * A record that fell due while the previous one was still being measured in the background, taken at the
         * first step the worker was free; its {@code step} is the step it was taken at.
         */
        DEFERRED
    }

    /** @return the largest Hessian eigenvalue on the probe set */
    public double lambdaMax() {
        return snapshot.lambdaMax();
    }

    /** @return the probe-set loss */
    public double loss() {
        return snapshot.loss();
    }

    /** @return whether the threshold applies to the preconditioned sharpness λ_max(P⁻¹H) (Adam) */
    public boolean preconditionedRule() {
        return thresholdRule != null && thresholdRule.startsWith("adam");
    }

    /** @return the sharpness compared with {@link #threshold()}: λ_max(P⁻¹H) under Adam's rule, else λ_max */
    public double sharpness() {
        return preconditionedRule() ? snapshot.preconditionedLambdaMax() : snapshot.lambdaMax();
    }

    /** @return sharpness/threshold (ηλ_max/2 for plain SGD): 1 at the edge of stability, above 1 unstable */
    public double ratio() {
        return sharpness() / threshold;
    }

    /** @return whether the optimizer's next step is linearly unstable here (ratio &gt; 1) */
    public boolean unstable() {
        return ratio() > 1.0;
    }

    /** @return λ_max(P⁻¹H) divided by the optimiser's threshold, or NaN without a preconditioner */
    public double preconditionedRatio() {
        return snapshot.preconditionedLambdaMax() / preconditionedThreshold;
    }
}
