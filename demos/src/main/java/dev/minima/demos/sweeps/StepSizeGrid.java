package dev.minima.demos.sweeps;

import dev.minima.util.Numerics;

/** Step sizes spaced uniformly on a log scale, as in Mulayoff et al. (2021), supplement Sec. I ("uniformly spaced in a logarithmic scale"). */
public final class StepSizeGrid {

    private StepSizeGrid() {}

    /**
     * @param min the smallest step (&gt; 0)
     * @param max the largest step (≥ min)
     * @param count how many (≥ 1; one value gives {@code min})
     * @return the steps, ascending
     */
    public static double[] logSpaced(double min, double max, int count) {
        if (!(min > 0) || !(max >= min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("step-size range must satisfy 0 < min ≤ max < ∞, got [" + min + ", "
                    + max + "]: set --eta-min and --eta-max accordingly");
        }
        if (count < 1) {
            throw new IllegalArgumentException("need at least one step size, got --etas " + count);
        }
        return Numerics.logSpaced(min, max, count);
    }
}
