package dev.minima.curvature;

/**
 * An estimate of the spectral density φ(t) = (1/n) Σ_i δ(t − λ_i) of a symmetric operator by stochastic
 * Lanczos quadrature, smoothed with a Gaussian of width {@code sigma}.
 *
 * @param grid the points t where the density is evaluated, increasing
 * @param density the smoothed density at each grid point (integrates to ≈ 1 over the grid)
 * @param nodes the Gauss quadrature nodes θ (Ritz values) of each probe, one row per probe
 * @param weights the quadrature weights τ² of each probe (each row sums to 1)
 * @param sigma the width of the Gaussian kernel
 * @param products operator products spent
 */
public record SpectralDensityEstimate(
        double[] grid, double[] density, double[][] nodes, double[][] weights, double sigma, int products) {

    /** @return a copy of the grid */
    @Override
    public double[] grid() {
        return grid.clone();
    }

    /** @return a copy of the density */
    @Override
    public double[] density() {
        return density.clone();
    }

    /** @return a copy of the nodes, one row per probe */
    @Override
    public double[][] nodes() {
        return deepCopy(nodes);
    }

    /** @return a copy of the weights, one row per probe */
    @Override
    public double[][] weights() {
        return deepCopy(weights);
    }

    /** @return the number of probes */
    public int probes() {
        return nodes.length;
    }

    /** @return the trapezoidal integral of the smoothed density over the grid (≈ 1) */
    public double integral() {
        double s = 0;
        for (int i = 1; i < grid.length; i++) {
            s += 0.5 * (density[i] + density[i - 1]) * (grid[i] - grid[i - 1]);
        }
        return s;
    }

    /**
     * The quadrature mass of the spectrum in [lo, hi], averaged over probes: an estimate of the fraction of
     * eigenvalues there (unsmoothed).
     *
     * @param lo lower end
     * @param hi upper end
     * @return Σ τ² over nodes θ in [lo, hi], averaged over probes
     */
    public double mass(double lo, double hi) {
        double s = 0;
        for (int p = 0; p < nodes.length; p++) {
            for (int k = 0; k < nodes[p].length; k++) {
                if (nodes[p][k] >= lo && nodes[p][k] <= hi) {
                    s += weights[p][k];
                }
            }
        }
        return s / nodes.length;
    }

    /**
     * @return Σ τ²θ averaged over probes: the quadrature estimate of tr(A)/n (exact for each probe's quadratic
     *     form vᵀAv/‖v‖²)
     */
    public double mean() {
        double s = 0;
        for (int p = 0; p < nodes.length; p++) {
            for (int k = 0; k < nodes[p].length; k++) {
                s += weights[p][k] * nodes[p][k];
            }
        }
        return s / nodes.length;
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
