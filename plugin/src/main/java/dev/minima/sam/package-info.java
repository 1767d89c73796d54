/**
 * Sharpness-aware training for DJL: SAM (Foret et al. 2021) and its variants (adaptive ASAM, unnormalised
 * USAM, m-SAM on micro-batches, 1-SAM as in Wen et al. 2023), with (learning rate, ρ) schedules and a
 * training loop that mirrors {@code EasyTrain.fit} (docs/theory.md §4).
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: beside it. A sharpness-aware
 * step needs only first derivatives: it perturbs the parameters along the gradient, takes the gradient there
 * and lets any DJL optimiser apply it at the original point. The curvature path is what measures the effect
 * (λ_max and trace of the solutions SAM finds).
 *
 * <p><b>Reuses</b> DJL's {@code Trainer}, optimisers, listeners and data iteration unchanged, the autograd bridge
 * for gradients, the GC-safe losses, and the parameter-space vector operations of {@code dev.minima.curvature}
 * to perturb and restore the parameters.
 */
package dev.minima.sam;
