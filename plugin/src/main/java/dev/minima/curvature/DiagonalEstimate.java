package dev.minima.curvature;

/**
 * A stochastic estimate of the diagonal of a symmetric operator.
 *
 * @param diagonal the estimate of each a_ii
 * @param standardErrors the standard error of each entry (NaN with one sample)
 * @param products operator products spent
 * @param samples probes averaged
 */
public record DiagonalEstimate(double[] diagonal, double[] standardErrors, int products, int samples) {

    /** @return a copy of the estimated diagonal */
    @Override
    public double[] diagonal() {
        return diagonal.clone();
    }

    /** @return a copy of the per-entry standard errors */
    @Override
    public double[] standardErrors() {
        return standardErrors.clone();
    }

    /**
     * @param i a coordinate
     * @return the estimate of a_ii
     */
    public double get(int i) {
        return diagonal[i];
    }

    /** @return Σ_i of the estimated diagonal (a Hutchinson trace estimate from the same probes) */
    public double sum() {
        double s = 0;
        for (double d : diagonal) {
            s += d;
        }
        return s;
    }

    @Override
    public String toString() {
        return "Diagonal of dimension " + diagonal.length + " (" + samples + " samples, " + products + " products)";
    }
}
