package dev.minima.sam;

/**
 * What one sharpness-aware step saw.
 *
 * @param loss the loss at the current weights w (size-weighted mean over micro-batches; the objective's value for
 *     n-SAM)
 * @param perturbedLoss the loss at the perturbed weights w + ε (size-weighted mean over micro-batches)
 * @param gradientNorm ‖g‖ over the perturbed parameters (size-weighted mean over micro-batches)
 * @param rho the perturbation radius used
 * @param microBatches how many micro-batches the batch was cut into
 * @param perturbedMicroBatches how many of them were perturbed (0 when ρ = 0 or every ‖g‖ was 0)
 */
public record SamStepResult(
        double loss, double perturbedLoss, double gradientNorm, double rho, int microBatches,
        int perturbedMicroBatches) {}
