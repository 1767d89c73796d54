package dev.minima.monitor;

/**
 * Training diverged (non-finite loss or weights, or a loss blow-up), detected by a {@link SharpnessListener}.
 * A subclass of DJL's own {@link ai.djl.TrainingDivergedException}, so code that already handles DJL's
 * divergence handles this one too; it also carries the event with the step and the last values.
 */
public class TrainingDivergedException extends ai.djl.TrainingDivergedException {

    private static final long serialVersionUID = 1L;

    private final transient EosEvent event;

    /**
     * @param event the divergence event
     * @param cause the underlying exception, or null
     */
    public TrainingDivergedException(EosEvent event, Throwable cause) {
        super(event.message(), cause);
        this.event = event;
    }

    /** @return the divergence event (step, values, message) */
    public EosEvent event() {
        return event;
    }
}
