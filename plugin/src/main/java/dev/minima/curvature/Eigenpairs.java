package dev.minima.curvature;

import java.util.Arrays;

/**
 * Eigenvalue estimates of a symmetric operator, largest first, each with its residual ‖Av − λv‖ (an error
 * bar: some true eigenvalue lies within the residual of each estimate), its unit eigenvector, and the
 * number of operator products spent.
 *
 * @param values eigenvalues, largest first
 * @param residuals ‖Av − λv‖ for each eigenpair
 * @param vectors unit eigenvectors (one row per eigenvalue), or empty rows if not kept
 * @param products operator products spent
 * @param converged whether every requested eigenpair met the tolerance
 * @param history the top estimate after each product (for convergence studies)
 * @param deterministic whether the operator was a fixed matrix; false for a random operator (dropout in
 *     training mode), whose residuals are then measured by fresh products and show the operator's noise
 */
public record Eigenpairs(double[] values, double[] residuals, double[][] vectors, int products, boolean converged,
        double[] history, boolean deterministic) {

    /**
     * Eigenpairs of a deterministic operator.
     *
     * @param values eigenvalues, largest first
     * @param residuals ‖Av − λv‖ for each eigenpair
     * @param vectors unit eigenvectors (one row per eigenvalue), or empty rows if not kept
     * @param products operator products spent
     * @param converged whether every requested eigenpair met the tolerance
     * @param history the top estimate after each product
     */
    public Eigenpairs(double[] values, double[] residuals, double[][] vectors, int products, boolean converged,
            double[] history) {
        this(values, residuals, vectors, products, converged, history, true);
    }

    /** @return the largest eigenvalue estimate */
    public double max() {
        return values[0];
    }

    /** @return the number of eigenpairs */
    public int size() {
        return values.length;
    }

    /** @return a copy of the eigenvalue estimates, largest first */
    @Override
    public double[] values() {
        return values.clone();
    }

    /** @return a copy of the residuals ‖Av − λv‖, one per eigenvalue */
    @Override
    public double[] residuals() {
        return residuals.clone();
    }

    /** @return a copy of the convergence history (the top estimate after each product) */
    @Override
    public double[] history() {
        return history.clone();
    }

    /**
     * @param i index, 0 for the largest
     * @return the i-th eigenvalue
     */
    public double value(int i) {
        return values[i];
    }

    /**
     * @param i index, 0 for the largest
     * @return the i-th residual
     */
    public double residual(int i) {
        return residuals[i];
    }

    /**
     * @param i index, 0 for the largest
     * @return a copy of the i-th unit eigenvector
     */
    public double[] vector(int i) {
        return vectors[i].clone();
    }

    @Override
    public String toString() {
        return "Eigenpairs" + Arrays.toString(values) + " ± " + Arrays.toString(residuals) + " after " + products
                + " products" + (converged ? "" : " (not converged)")
                + (deterministic ? "" : " (random operator, e.g. dropout in training mode: the values are of one"
                        + " draw and the residuals measure the operator's noise)");
    }
}
