package dev.minima.stability;

import java.util.Locale;

/**
 * What a {@link StabilityReport} concludes about linear stability at step η, assuming the network is an
 * interpolating minimum of the square loss (so the Gram sharpness is the Hessian's top eigenvalue).
 * Checked in this order; the first that applies wins.
 */
public enum StabilityVerdict {
    /** This implementation has C·λ_max ≤ 2/η: linearly stable for GD (Mulayoff et al. 2021, Lemmas 1, 3). */
    STABLE,
    /**
     * This implementation is too sharp, but a per-neuron rescaling of it (same function) has λ_max ≤ 2/η:
     * the flattest rescaling found (Mulayoff et al. 2021, supplement Sec. XI) or the ĝ sandwich bound (Nacson et al.
     * 2023, eq. 105, per neuron).
     */
    STABLE_AFTER_RESCALING,
    /**
     * No rescaling certified, but Nacson et al. (2023), Theorem 3's sufficient condition holds: some implementation of
     * f is stable.
     */
    STABLE_FUNCTION,
    /**
     * No implementation of f can be linearly stable: C·([1] + 2S) &gt; 2/η with no knot on a data point
     * (Mulayoff et al. 2021, Theorem 1; Nacson et al. 2023, Theorem 1); for d = 1 with knots on data points, S &gt;
     * 1/(Cη) − 1/2 + 2Δ (Mulayoff et al. 2021, Theorem 2, doubled Δ, strong stability).
     */
    UNSTABLE,
    /** None of the above decides. */
    UNDETERMINED;

    /** @return the snake_case name written by the CLI */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
