package dev.minima.stability;

/** Normal density and distribution function in double precision (package-private helpers). */
final class SpecialFunctions {

    static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);

    private SpecialFunctions() {}

    /** φ(x), the standard normal density. */
    static double normalPdf(double x) {
        return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    /** Φ(x), the standard normal distribution function (relative error ~1e-15). */
    static double normalCdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2.0));
    }

    /** Q(x) = 1 − Φ(x), accurate in the upper tail. */
    static double normalTail(double x) {
        return 0.5 * erfc(x / Math.sqrt(2.0));
    }

    /**
     * erfc(x): for |x| &lt; 2.5 from the all-positive series erf(x) = (2/√π) e^{−x²} Σ 2ⁿx^{2n+1}/(2n+1)!!
     * (no cancellation), else from the Laplace continued fraction evaluated backwards.
     */
    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            double term = ax;
            double sum = ax;
            double x2 = ax * ax;
            for (int n = 0; n < 200; n++) {
                term *= 2 * x2 / (2 * n + 3);
                sum += term;
                if (term < 1e-17 * sum) {
                    break;
                }
            }
            double erf = 2.0 / Math.sqrt(Math.PI) * Math.exp(-x2) * sum;
            r = 1.0 - erf;
        } else if (ax > 27.5) {
            r = 0.0;
        } else {
            // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
            double f = ax;
            for (int m = 120; m >= 1; m--) {
                f = ax + (m / 2.0) / f;
            }
            r = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
        }
        return x >= 0 ? r : 2.0 - r;
    }
}
