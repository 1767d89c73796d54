/**
 * Curvature of a DJL model's loss: the objective, the operators on parameter space, the estimators that read
 * numbers off any operator, and the small immutable results they return.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: this package <em>is</em> the
 * path. {@code Objective} is "the loss of these parameters on this data" (a DJL block, a Minima loss and one
 * batch or many, weighted by size). {@code HessianOperator} and {@code GaussNewtonOperator} turn it into a
 * {@code SymmetricOperator} on the flat parameter space ({@code ParameterSpace}, {@code Vectors}); dense and
 * restricted operators ({@code DenseOperator}, {@code RestrictedOperator}) are operators too. The estimators
 * ({@code Lanczos}, {@code PowerIteration}, {@code Hutchinson}, {@code HutchPlusPlus}, {@code SpectralDensity},
 * {@code DiagonalEstimator}) take any operator and return results with their error bars ({@code Eigenpairs}
 * with residuals, {@code TraceEstimate} with its standard error, {@code SpectralDensityEstimate},
 * {@code DiagonalEstimate}). The mathematics is in docs/theory.md §0 and §5.
 *
 * <p><b>Reuses</b> the autograd bridge ({@code dev.minima.autograd}) for every derivative, the GC-safe losses
 * of {@code dev.minima.loss}, DJL's {@code NDManager} scoping (each product runs in a sub-manager and leaves
 * nothing behind), DJL's {@code Block}/{@code ParameterList} to find the parameters, and EJML for the small
 * dense eigenproblems ({@code SymmetricEigen}: the Ritz values of Lanczos, exact dense Hessians). The monitor, the
 * deep-linear code and the demos are clients of this package.
 */
package dev.minima.curvature;
