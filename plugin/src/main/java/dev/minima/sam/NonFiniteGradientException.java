package dev.minima.sam;

/**
 * A gradient of the sharpness-aware step was NaN or infinite. Raised with the parameters holding exactly the
 * values they had before the step (restored first if they had been perturbed) and {@code .grad} zeroed, so
 * {@code trainer.step()} cannot apply it.
 */
public class NonFiniteGradientException extends ArithmeticException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message which gradient, and what to check
     */
    public NonFiniteGradientException(String message) {
        super(message);
    }
}
