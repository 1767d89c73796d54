/**
 * The step-size sweeps {@code univariate-sweep} (Mulayoff et al. 2021, docs/theory.md §1) and
 * {@code multivariate-sweep} (Nacson et al. 2023, docs/theory.md §2): full-batch gradient descent on
 * one-hidden-layer ReLU networks over a log grid of step sizes, and the measurements of every end point.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: {@code SweepData} makes the
 * seeded training sets, {@code SweepRunner} trains one network per step size in plain Java, and
 * {@code SweepMeasure} measures each end point twice: on the exact shallow-network path of
 * {@code dev.minima.stability} (Gram sharpness, stability norms, flattest rescaling) and, independently, by
 * {@code DjlSharpness}, which loads the same weights into a DJL block and asks the front door
 * ({@code dev.minima.demos.support.Sharpness}) for λ_max of its exact Hessian. {@code SweepPoint}, {@code SweepClaims}, {@code SweepCharts} and
 * {@code UnivariateFigures} turn the results into CSV rows, report claims and charts.
 *
 * <p><b>Reuses</b> {@code dev.minima.stability} (networks, losses, gradient descent, reports),
 * {@code dev.minima.curvature} for the DJL cross-check, and {@code dev.minima.demos.support}.
 */
package dev.minima.demos.sweeps;
