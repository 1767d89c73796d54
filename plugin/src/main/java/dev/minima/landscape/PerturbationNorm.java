package dev.minima.landscape;

/** The norm of the ball of a worst-case sharpness measure. */
public enum PerturbationNorm {
    /** The Euclidean ball ‖δ‖₂ ≤ ρ (SAM's ball, Foret et al. 2021). */
    L2,
    /** The box ‖δ‖_∞ ≤ ρ. */
    LINF;

    /** @return "l2" or "linf" */
    public String label() {
        return this == L2 ? "l2" : "linf";
    }
}
