/**
 * GC-safe losses: DJL {@code Loss}es whose autograd graphs hold no array backed by Java memory, so that a
 * garbage collection between the forward and the backward pass cannot corrupt a gradient or a
 * Hessian-vector product.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: part of the objective. Every
 * Minima path that differentiates a loss (objectives, sharpness-aware steps, the monitor's probe) takes one of
 * these; {@code LossSafety} warns once when it is handed any other DJL loss. The loss also fixes the constant
 * C = ℓ'' in front of every Hessian at an interpolating minimum ({@code SquaredErrorLoss},
 * {@code MinimaLoss.Reduction}; docs/theory.md §0).
 *
 * <p><b>Reuses</b> DJL's {@code Loss} base class, so the losses drop into a DJL {@code TrainingConfig}, and
 * {@code dev.minima.autograd.NativeArrays} for libtorch-owned constants.
 */
package dev.minima.loss;
