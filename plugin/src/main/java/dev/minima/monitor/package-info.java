/**
 * The edge-of-stability monitor: a DJL {@code TrainingListener} that measures the sharpness of the loss every
 * k steps while {@code EasyTrain.fit} (or sharpness-aware training) runs, compares it with the optimiser's
 * stability threshold (2/η for GD; docs/theory.md §5 for momentum and Adam), detects the phases Cohen et al.
 * (2021) describe, and records everything to DJL metrics, CSV or JSON lines and a chart.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: a client of the whole path.
 * {@code SharpnessListener} holds a fixed probe set (the data), builds an {@code Objective} and a Hessian
 * operator on it at each measurement, optionally rescaled by an optimiser's preconditioner
 * ({@code AdamPreconditioner}; λ_max(P⁻¹H) after Cohen et al. 2022), runs a warm-started Lanczos (the estimator)
 * and turns the result into a {@code SharpnessRecord}; {@code EdgeOfStabilityDetector} reads the stream of
 * records and emits {@code EosEvent}s. {@code SgdStabilityCheck} evaluates Wu, Ma &amp; E's (2018) batch-size
 * dependent condition (docs/theory.md §0) from per-example Hessian products.
 *
 * <p><b>Reuses</b> {@code dev.minima.curvature} for objectives, operators, Lanczos and trace estimates,
 * {@code dev.minima.autograd} and {@code dev.minima.loss}, DJL's listener and {@code Metrics} APIs, and XChart
 * for the PNG chart.
 */
package dev.minima.monitor;
