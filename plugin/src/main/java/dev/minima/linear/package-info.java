/**
 * Flat minima of deep linear networks after Mulayoff &amp; Michaeli (2020): the regression target and its
 * minima, the closed-form flattest sharpness, the exact dual Hessian operator, intermediate gains, layer
 * coupling, balancedness and one-dimensional loss cross-sections (docs/theory.md §3).
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: a client that supplies its own
 * operator. {@code LinearRegressionTarget} is the data, {@code DeepLinearNetwork} the parameters, and
 * {@code DualHessianOperator} a {@code SymmetricOperator} of dimension d_x·d_y whose top eigenvalue equals
 * that of the full Hessian, so the curvature package's estimators run on it unchanged;
 * {@code FlattestSharpness} is the closed form they are checked against. {@code GainAscent} and
 * {@code LossCrossSection} work on any DJL {@code SequentialBlock} through an {@code Objective}.
 *
 * <p><b>Reuses</b> {@code dev.minima.curvature} (objectives, operators, Lanczos), {@code dev.minima.autograd}
 * for input gradients, the losses of {@code dev.minima.loss} (whose reduction fixes the constant in front
 * of the Hessian) and EJML ({@code org.ejml:ejml-ddense}) for matrix products, inverses and SVDs, with
 * {@code curvature.SymmetricEigen} for ordered symmetric eigenpairs. {@code RandomMatrices} draws the seeded
 * Gaussian and Haar-orthogonal matrices of the experiments.
 */
package dev.minima.linear;
