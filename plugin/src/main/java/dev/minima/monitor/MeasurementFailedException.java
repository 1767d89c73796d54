package dev.minima.monitor;

/**
 * A sharpness measurement run on the monitor's background thread failed; thrown in the training thread at the
 * next step (or at the end of training), with the background exception as its cause.
 */
public final class MeasurementFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the exception thrown on the background thread
     */
    public MeasurementFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
