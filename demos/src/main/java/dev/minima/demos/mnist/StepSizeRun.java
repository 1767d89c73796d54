package dev.minima.demos.mnist;

/**
 * What one step size of Nacson et al.'s (2023) MNIST experiment measured.
 *
 * @param eta the SGD step size η
 * @param epochs epochs trained
 * @param converged whether the training loss stayed below the threshold for the required epochs
 * @param diverged whether the loss became non-finite
 * @param trainLoss the final full-batch training loss (½-MSE)
 * @param lmax λ_max of the training-loss Hessian (Lanczos, all training images)
 * @param lmaxResidual Lanczos residual ‖Hv − λv‖ of that estimate
 * @param lmaxGram λ_max of the Gauss–Newton matrix ΦᵀΦ/n (dev.minima.stability's Gram sharpness): the Hessian's
 *     top eigenvalue at an interpolating minimum, so it approaches {@code lmax} as the loss goes to 0
 * @param stabilityNorm S_θ = Σ_i min(T⁺_i, T⁻_i) (Nacson et al. 2023, Sec. 3; docs/theory.md §2)
 * @param biasNorm ‖b‖ of the hidden layer's bias vector
 * @param knotOffsetNorm ‖b̄‖ with b̄_i = b_i/‖w_i‖, the distances of the neurons' hyperplanes from the origin
 *     (invariant to the rescalings (w_i, b_i, v_i) → (αw_i, αb_i, v_i/α) that change ‖b‖ but not f)
 * @param valAccuracy validation accuracy of sign(f)
 * @param seconds wall time of the run
 */
public record StepSizeRun(double eta, int epochs, boolean converged, boolean diverged, double trainLoss, double lmax,
        double lmaxResidual, double lmaxGram, double stabilityNorm, double biasNorm, double knotOffsetNorm, double valAccuracy, double seconds) {

    /** @return the linear-stability threshold 2/η */
    public double threshold() {
        return 2 / eta;
    }

    /**
     * @return 1 + 2S_θ, the lower bound on λ_max of Nacson et al. (2023) (Theorem 1's chain, ½-MSE, with an output
     *     bias)
     */
    public double lowerBound() {
        return 1 + 2 * stabilityNorm;
    }
}
