package dev.minima.stability;

import java.util.Arrays;

/**
 * The empirical univariate weight function of Mulayoff et al. (2021), eq. (22–23), O(log n) per evaluation from sorted
 * prefix sums: with N₊ = #{x_j &gt; x} and S₊ = Σ_{x_j &gt; x} x_j, g₊(x) = (S₊ − N₊x)/n · sqrt((N₊/n)² + (S₊/n)²).
 */
final class EmpiricalWeightFunction implements WeightFunction {

    private final double[] sorted;
    private final double[] prefix;
    private final boolean biasFeature;
    private final int n;

    EmpiricalWeightFunction(double[] xs, boolean biasFeature) {
        this.sorted = xs.clone();
        Arrays.sort(sorted);
        this.n = sorted.length;
        this.prefix = new double[n + 1];
        for (int j = 0; j < n; j++) {
            prefix[j + 1] = prefix[j] + sorted[j];
        }
        this.biasFeature = biasFeature;
    }

    /** Number of sorted entries ≤ x. */
    private int countAtMost(double x) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Number of sorted entries &lt; x. */
    private int countBelow(double x) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public double gPlus(double x) {
        int m = countAtMost(x);
        int count = n - m;
        if (count == 0) {
            return 0.0;
        }
        double sum = prefix[n] - prefix[m];
        double p = (double) count / n;
        double s = sum / n;
        double excess = Math.max(0.0, s - p * x);
        return excess * Math.sqrt((biasFeature ? p * p : 0.0) + s * s);
    }

    @Override
    public double gMinus(double x) {
        int count = countBelow(x);
        if (count == 0) {
            return 0.0;
        }
        double sum = prefix[count];
        double p = (double) count / n;
        double s = sum / n;
        double excess = Math.max(0.0, p * x - s);
        return excess * Math.sqrt((biasFeature ? p * p : 0.0) + s * s);
    }
}
