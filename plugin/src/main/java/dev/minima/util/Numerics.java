package dev.minima.util;

import java.util.Arrays;

/**
 * Small numeric helpers used by the library and the demos alike: the median of a sample and a logarithmically
 * spaced grid.
 */
public final class Numerics {

    private Numerics() {}

    /**
     * The median: the middle value of the sorted sample, or the mean of the two middle values for an even count.
     *
     * @param values the sample (not modified; any order)
     * @return the median, NaN for an empty sample
     */
    public static double median(double[] values) {
        int n = values.length;
        if (n == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /**
     * {@code count} numbers from {@code min} to {@code max}, equally spaced on a logarithmic scale:
     * min·(max/min)^(i/(count − 1)) for i = 0 … count − 1.
     *
     * @param min the first number, &gt; 0
     * @param max the last number, ≥ min and finite
     * @param count how many, ≥ 1 (one number gives {@code min})
     * @return the grid, ascending
     * @throws IllegalArgumentException if the range or the count is not as above
     */
    public static double[] logSpaced(double min, double max, int count) {
        if (!(min > 0) || !(max >= min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("a log-spaced grid needs 0 < min ≤ max < ∞, got [" + min + ", " + max
                    + "]");
        }
        if (count < 1) {
            throw new IllegalArgumentException("a log-spaced grid needs at least one number, got " + count);
        }
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = count == 1 ? min : min * Math.pow(max / min, i / (count - 1.0));
        }
        return out;
    }
}
