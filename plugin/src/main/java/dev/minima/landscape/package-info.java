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
 */
package dev.minima.landscape;
