package dev.minima.monitor;

/**
 * Something the {@link EdgeOfStabilityDetector} noticed in the stream of sharpness records.
 *
 * @param type what happened
 * @param step the optimizer step of the record that triggered it (for EDGE_REACHED, the first record of the
 *     sustained run at the edge)
 * @param lambdaMax λ_max at that record (NaN if unknown)
 * @param threshold 2/η at that record
 * @param ratio ηλ_max/2 at that record
 * @param loss the probe loss at that record
 * @param message a human-readable description
 */
public record EosEvent(Type type, long step, double lambdaMax, double threshold, double ratio, double loss,
        String message) {

    /** Kinds of events. */
    public enum Type {
        /** λ_max has a sustained upward trend while below the edge (Cohen et al. 2021, progressive sharpening). */
        PROGRESSIVE_SHARPENING,
        /** ηλ_max/2 crossed above 1: the next gradient step is linearly unstable along the top eigenvector. */
        UNSTABLE,
        /** ηλ_max/2 ≥ 1 − tolerance for a sustained run of records: training is at the edge of stability. */
        EDGE_REACHED,
        /** After being at the edge, ηλ_max/2 stayed below 1 − tolerance for a sustained run. */
        EDGE_LEFT,
        /** At the edge, λ_max went above 2/η and came back down while the loss kept falling. */
        SELF_STABILIZATION,
        /** The loss jumped above a multiple of its recent minimum. */
        LOSS_SPIKE,
        /** After a spike, the loss fell below its pre-spike value with λ_max lower than before the spike. */
        CATAPULT,
        /** Non-finite loss or weights, or a loss blow-up: training diverged. */
        DIVERGENCE
    }

    @Override
    public String toString() {
        return type + " at step " + step + ": " + message;
    }
}
