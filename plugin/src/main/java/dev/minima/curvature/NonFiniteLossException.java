package dev.minima.curvature;

/**
 * The loss evaluated to NaN or infinity, so no derivative of it means anything. Raised before any
 * derivative is taken, so parameters and results are untouched.
 */
public class NonFiniteLossException extends ArithmeticException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what was non-finite and where
     */
    public NonFiniteLossException(String message) {
        super(message);
    }
}
