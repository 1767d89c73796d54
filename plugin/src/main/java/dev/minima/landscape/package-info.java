/**
 * Seeing the loss landscape of a DJL model around its current parameters.
 *
 * <ul>
 *   <li>{@link dev.minima.landscape.LossSurface}: 1-D and 2-D slices of the loss (and the accuracy of a classifier)
 *       along given directions, random filter-normalised ones ({@link dev.minima.landscape.Directions}, Li et al.
 *       2018) or the top Hessian eigenvectors;</li>
 *   <li>{@link dev.minima.landscape.WorstCaseSharpness} and {@link dev.minima.landscape.AverageCaseSharpness}: the
 *       sharpness measures compared by Andriushchenko et al. (2023), worst case (ℓ2 or ℓ∞ ball, projected gradient
 *       ascent) and average case (Gaussian perturbations), each also adaptive (Kwon et al. 2021);</li>
 *   <li>{@link dev.minima.landscape.LayerCurvature}: λ_max and trace of the Hessian block of each parameter;</li>
 *   <li>{@link dev.minima.landscape.LandscapeCharts}: PNG pictures of all of these, several models side by side
 *       on the same scales.</li>
 * </ul>
 *
 * <p>Every measurement runs on an {@link dev.minima.curvature.Objective} (block, loss and data) and puts the
 * parameters back bit for bit afterwards, also when it fails.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: a client of the objective.
 * Surfaces and the two sharpness measures evaluate the objective's loss (and, for the worst case, its gradient
 * through the autograd bridge) at perturbed parameters; {@code LayerCurvature} restricts the Hessian operator
 * to one block of parameters and runs the curvature package's estimators on it. The definitions are in
 * docs/theory.md §7.
 *
 * <p><b>Reuses</b> {@code dev.minima.curvature} (objectives, parameter space, Hessian and restricted operators,
 * Lanczos, Hutchinson), {@code dev.minima.autograd}, and XChart plus Java2D (contour maps) for the pictures.
 */
package dev.minima.landscape;
