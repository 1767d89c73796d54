package dev.minima.linear;

/**
 * A 1-D cross-section of a loss landscape: the loss at θ(t) = origin + t·step for t on a uniform grid, where
 * step is the direction the section was taken along ({@link LossCrossSection}).
 *
 * @param t the grid of positions, uniform and increasing
 * @param loss the loss at each position
 * @param stepNorm ‖step‖: ‖to − from‖ for an interpolation line, 1 along a unit direction
 */
public record CrossSection(double[] t, double[] loss, double stepNorm) {

    /**
     * Makes defensive copies of the arrays: the record is immutable.
     *
     * @param t the grid of positions, uniform and increasing
     * @param loss the loss at each position
     * @param stepNorm ‖step‖: ‖to − from‖ for an interpolation line, 1 along a unit direction
     */
    public CrossSection {
        t = t.clone();
        loss = loss.clone();
    }

    /** @return a copy of {@code t} */
    @Override
    public double[] t() {
        return t.clone();
    }

    /** @return a copy of {@code loss} */
    @Override
    public double[] loss() {
        return loss.clone();
    }

    /** @return the number of points */
    public int size() {
        return t.length;
    }

    /**
     * The curvature of the section at an interior grid point, per unit of parameter distance: the central second
     * difference (ℓ_{i−1} − 2ℓ_i + ℓ_{i+1}) / (h ‖step‖)², i.e. uᵀ∇²ℓ u for the unit direction u when the loss is
     * smooth (error O(h²)).
     *
     * @param i an index with 0 &lt; i &lt; size − 1
     * @return the estimated second derivative along the unit direction
     */
    public double curvature(int i) {
        if (i <= 0 || i >= t.length - 1) {
            throw new IllegalArgumentException("curvature needs an interior point, 1.." + (t.length - 2) + ", got " + i);
        }
        double h = (t[i + 1] - t[i - 1]) / 2 * stepNorm;
        return (loss[i - 1] - 2 * loss[i] + loss[i + 1]) / (h * h);
    }

    /**
     * @param position a position t
     * @return the index of the grid point nearest to it
     */
    public int indexOf(double position) {
        int best = 0;
        for (int i = 1; i < t.length; i++) {
            if (Math.abs(t[i] - position) < Math.abs(t[best] - position)) {
                best = i;
            }
        }
        return best;
    }
}
