package dev.minima.curvature;

/**
 * An operator product came back NaN or infinite, so the estimator stopped: nothing it would report from there
 * on means anything. Typical causes are NaN or infinite parameters (a diverged training run), inputs holding
 * NaN, or a float32 overflow in a very sharp region (convert the model with {@link Float64#convert} and
 * retry).
 */
public class NonFiniteProductException extends ArithmeticException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was non-finite and where
     */
    public NonFiniteProductException(String message) {
        super(message);
    }

    /**
     * Checks a number computed from an operator product.
     *
     * @param value the number (e.g. vᵀAv or ‖Av‖)
     * @param estimator the estimator's name, for the message
     * @param product the index of the product (1-based)
     * @return {@code value}
     * @throws NonFiniteProductException if it is NaN or infinite
     */
    static double check(double value, String estimator, int product) {
        if (!Double.isFinite(value)) {
            throw new NonFiniteProductException(estimator + ": operator product " + product + " is not finite ("
                    + value + "); check the parameters and the data for NaN/inf, or compute in float64"
                    + " (Float64.convert(block))");
        }
        return value;
    }
}
