package dev.minima.stability;

import java.util.Locale;

/**
 * How the square loss is scaled, which fixes the constant C = ℓ'' in front of every Hessian at an
 * interpolating minimum (docs/theory.md §0; Nacson et al. 2023, App. J eq. 97).
 *
 * <p>The function-space papers (Mulayoff et al. 2021; Nacson et al. 2023) use ½-MSE, L = (1/2n) Σ (f(x_j) − y_j)², so C
 * = 1; DJL's {@code L2Loss()} matches it. Wen et al. (2023) use plain MSE, L = (1/n) Σ (f(x_j) − y_j)², so C = 2. The
 * Hessian at interpolation is (C/n) Σ ∇f ∇fᵀ, hence GD with step η on a C-loss behaves like GD with step
 * C·η on ½-MSE, and the stability bound of Theorem 1 (Mulayoff et al. 2021, eq. 21; Nacson et al. 2023, eq. 10) becomes
 * ‖f‖ ≤ 1/(C·η) − 1/2.
 */
public enum LossConvention {
    /**
     * L = (1/2n) Σ (f − y)²: the convention of Mulayoff et al. (2021) and Nacson et al. (2023) and of DJL
     * {@code L2Loss()}; C = 1.
     */
    HALF_MSE(1.0, "half-mse"),
    /** L = (1/n) Σ (f − y)²: the convention of Wen et al. (2023); C = 2. */
    MSE(2.0, "mse");

    private final double constant;
    private final String cliName;

    LossConvention(double constant, String cliName) {
        this.constant = constant;
        this.cliName = cliName;
    }

    /** @return C = ℓ'' at interpolation: 1 for ½-MSE, 2 for plain MSE */
    public double hessianConstant() {
        return constant;
    }

    /** @return the command-line spelling, {@code half-mse} or {@code mse} */
    public String cliName() {
        return cliName;
    }

    /**
     * The step that the same dynamics would need under ½-MSE: C·η.
     *
     * @param eta the step size, positive and finite
     * @return C·η
     * @throws IllegalArgumentException if η ≤ 0 or not finite
     */
    public double effectiveStep(double eta) {
        checkStep(eta);
        return constant * eta;
    }

    /**
     * Theorem 1 of Mulayoff et al. (2021, eq. 21) and of Nacson et al. (2023, eq. 10) under this convention: a linearly
     * stable solution has stability norm at most 1/(C·η) − 1/2.
     *
     * @param eta the step size, positive and finite
     * @return 1/(C·η) − 1/2
     */
    public double normBound(double eta) {
        return 1.0 / effectiveStep(eta) - 0.5;
    }

    /**
     * Parses {@code half-mse}, {@code mse} (case-insensitive; underscores accepted).
     *
     * @param text the name
     * @return the convention
     * @throws IllegalArgumentException naming the accepted values
     */
    public static LossConvention parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (LossConvention c : values()) {
            if (c.cliName.equals(t)) {
                return c;
            }
        }
        throw new IllegalArgumentException(
                "unknown loss convention '" + text + "': use half-mse (L = (1/2n)Σ(f−y)², C = 1) or mse"
                        + " (L = (1/n)Σ(f−y)², C = 2)");
    }

    static void checkStep(double eta) {
        if (!(eta > 0) || !Double.isFinite(eta)) {
            throw new IllegalArgumentException(
                    "step size η must be positive and finite, got " + eta + ": pass the learning rate used"
                            + " for training, e.g. 0.1");
        }
    }
}
