package dev.minima.stability;

/**
 * A population law of a scalar input X, for the population version of the univariate weight function
 * g (Mulayoff et al. 2021, eq. 22–23, Fig. 2 "theoretical graph ... via numerical integration"). The three standard
 * laws are zero-mean and unit-variance, like the normalised samples of Mulayoff et al. (2021), Fig. 2.
 *
 * <p>Integrals are taken over [{@link #lower()}, {@link #upper()}]: the support, truncated where the
 * remaining tail mass is below 1e-17 for unbounded laws. {@link #kinks()} lists interior points where the
 * density is not smooth, so that quadrature can split there.
 */
public interface UnivariateLaw {

    /**
     * @param x a point
     * @return the density p(x)
     */
    double density(double x);

    /**
     * @param x a point
     * @return F(x) = P(X ≤ x)
     */
    double cdf(double x);

    /** @return the lower integration limit */
    double lower();

    /** @return the upper integration limit */
    double upper();

    /** @return interior points where the density has a kink or jump (may be empty) */
    default double[] kinks() {
        return new double[0];
    }

    /** @return a short name */
    String name();

    /** @return the uniform law on [−√3, √3] (mean 0, variance 1) */
    static UnivariateLaw standardUniform() {
        double h = Math.sqrt(3.0);
        return new UnivariateLaw() {
            @Override
            public double density(double x) {
                return x < -h || x > h ? 0.0 : 1.0 / (2 * h);
            }

            @Override
            public double cdf(double x) {
                return x <= -h ? 0.0 : x >= h ? 1.0 : (x + h) / (2 * h);
            }

            @Override
            public double lower() {
                return -h;
            }

            @Override
            public double upper() {
                return h;
            }

            @Override
            public String name() {
                return "uniform";
            }
        };
    }

    /** @return the standard Gaussian N(0, 1), truncated to [−10, 10] for integration (tail &lt; 1e-23) */
    static UnivariateLaw standardGaussian() {
        return new UnivariateLaw() {
            @Override
            public double density(double x) {
                return SpecialFunctions.normalPdf(x);
            }

            @Override
            public double cdf(double x) {
                return SpecialFunctions.normalCdf(x);
            }

            @Override
            public double lower() {
                return -10;
            }

            @Override
            public double upper() {
                return 10;
            }

            @Override
            public String name() {
                return "gaussian";
            }
        };
    }

    /**
     * @return the Laplace law with scale 1/√2 (mean 0, variance 1), truncated to [−32, 32] for integration
     *     (tail e^{−32√2}/2 &lt; 1e-20)
     */
    static UnivariateLaw standardLaplace() {
        double s = 1.0 / Math.sqrt(2.0);
        return new UnivariateLaw() {
            @Override
            public double density(double x) {
                return Math.exp(-Math.abs(x) / s) / (2 * s);
            }

            @Override
            public double cdf(double x) {
                return x < 0 ? 0.5 * Math.exp(x / s) : 1.0 - 0.5 * Math.exp(-x / s);
            }

            @Override
            public double lower() {
                return -32;
            }

            @Override
            public double upper() {
                return 32;
            }

            @Override
            public double[] kinks() {
                return new double[] {0.0};
            }

            @Override
            public String name() {
                return "laplace";
            }
        };
    }
}
