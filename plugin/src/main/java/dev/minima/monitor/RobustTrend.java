package dev.minima.monitor;

/**
 * Robust trend of a short series: the Theil–Sen slope (median of pairwise slopes; Sen 1968), insensitive to
 * a few outliers such as the oscillations of λ_max at the edge, and the fraction of increasing pairs
 * (Kendall's concordance), which says how consistently the series rises.
 */
final class RobustTrend {

    private RobustTrend() {}

    /**
     * @param x abscissae (strictly increasing)
     * @param y ordinates
     * @return the median of (y_j − y_i)/(x_j − x_i) over i &lt; j, or NaN for fewer than 2 points
     */
    static double theilSen(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                slopes[k++] = (y[j] - y[i]) / (x[j] - x[i]);
            }
        }
        return median(slopes);
    }

    /**
     * @param y a series
     * @return the fraction of pairs i &lt; j with y_j &gt; y_i (1 for a strictly increasing series)
     */
    static double increasingFraction(double[] y) {
        int n = y.length;
        if (n < 2) {
            return Double.NaN;
        }
        int up = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                pairs++;
                if (y[j] > y[i]) {
                    up++;
                }
            }
        }
        return (double) up / pairs;
    }

    /**
     * @param values values (not modified)
     * @return their median
     */
    static double median(double[] values) {
        return dev.minima.util.Numerics.median(values);
    }
}
