/**
 * The {@code sam-xor} experiments of Wen et al. (2023) (docs/theory.md §4): 1-SAM against gradient descent with
 * weight decay on xor data, in three scenarios, with the Hessian trace, test accuracy and training loss tracked
 * during each run.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: data and models are the
 * library's xor tasks ({@code XorData}) and this package's ReLU networks ({@code ReluMlp}, the papers'
 * architectures as DJL blocks); {@code XorTraining} trains them
 * with DJL and {@code dev.minima.sam}; {@code XorProbe} measures each run, taking the trace from the exact
 * closed form of two-layer ReLU networks and cross-checking it with per-example gradients through the
 * autograd bridge; {@code SamXorClaims} and {@code SamXorCharts} turn the results into the report and
 * charts.
 *
 * <p><b>Reuses</b> {@code dev.minima.data}, {@code dev.minima.sam} ({@code SamStep}, {@code SamSchedule}),
 * {@code dev.minima.stability} ({@code HessianTrace}, {@code SimLayerNormNetwork}),
 * {@code dev.minima.curvature.Gradients} and {@code dev.minima.demos.support}.
 */
package dev.minima.demos.samxor;
