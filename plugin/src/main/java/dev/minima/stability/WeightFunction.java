package dev.minima.stability;

/**
 * The univariate weight function g of Mulayoff et al. (2021), Theorem 1 (eq. 22–23):
 *
 * <pre>
 *   g₊(x) = P(X &gt; x)² · E[X − x | X &gt; x] · sqrt(1 + E[X | X &gt; x]²)
 *   g₋(x) = P(X &lt; x)² · E[x − X | X &lt; x] · sqrt(1 + E[X | X &lt; x]²)
 *   g(x)  = min(g₊(x), g₋(x)) on [x_min, x_max], 0 outside
 * </pre>
 *
 * with X uniform over the training inputs ({@link #empirical}) or drawn from a population law ({@link
 * #population}). Outside the support one of g₊, g₋ vanishes, so the min already gives the 0.
 *
 * <p>The "1 +" under the square root comes from the hidden-bias coordinates of the Hessian (Mulayoff et al. 2021,
 * supplement eq. S33, the (Σ_j I_ji)² term). For a network <em>without</em> hidden biases that term is absent and the
 * proof of Mulayoff et al. (2021), supplement Lemma 4 goes through with sqrt(E[X | ·]²) instead;
 * {@link #empirical(InputSample, boolean)} with {@code biasFeature = false} gives that variant [derived here; not in
 * the papers].
 */
public interface WeightFunction {

    /**
     * @param x a point
     * @return g₊(x)
     */
    double gPlus(double x);

    /**
     * @param x a point
     * @return g₋(x)
     */
    double gMinus(double x);

    /**
     * @param x a point
     * @return g(x) = min(g₊(x), g₋(x))
     */
    default double g(double x) {
        return Math.min(gPlus(x), gMinus(x));
    }

    /**
     * The paper's empirical weight function (X uniform over the inputs).
     *
     * @param sample a univariate sample (d = 1, n ≥ 2)
     * @return g for that sample
     */
    static WeightFunction empirical(InputSample sample) {
        return empirical(sample, true);
    }

    /**
     * The empirical weight function, optionally without the bias feature.
     *
     * @param sample a univariate sample (d = 1, n ≥ 2)
     * @param biasFeature true for the paper's g (networks with hidden biases), false for networks without
     * @return g for that sample
     */
    static WeightFunction empirical(InputSample sample, boolean biasFeature) {
        if (sample.dimension() != 1) {
            throw new IllegalArgumentException(
                    "the univariate weight function needs d = 1 inputs, got d = " + sample.dimension()
                            + "; use RadonWeightFunction for multivariate data");
        }
        return new EmpiricalWeightFunction(sample.scalars(), biasFeature);
    }

    /**
     * @param xs n ≥ 2 scalar inputs
     * @return the paper's empirical g
     */
    static WeightFunction empirical(double... xs) {
        return empirical(InputSample.ofScalars(xs));
    }

    /**
     * The population weight function by numerical integration, using P(X&lt;x)·E[x − X | X&lt;x] =
     * ∫_{−∞}^x F(t) dt and P(X&lt;x)·E[X | X&lt;x] = ∫_{−∞}^x t p(t) dt (and the mirror images for g₊).
     *
     * @param law the population law
     * @return g for that law
     */
    static WeightFunction population(UnivariateLaw law) {
        return new PopulationWeightFunction(law);
    }

    /** @return g for the uniform law on [−√3, √3]; g(0) = √21/16 ≈ 0.28641 */
    static WeightFunction uniform() {
        return population(UnivariateLaw.standardUniform());
    }

    /** @return g for N(0, 1); g(0) = ½·(1/√(2π))·√(1 + 2/π) ≈ 0.25518 */
    static WeightFunction gaussian() {
        return population(UnivariateLaw.standardGaussian());
    }

    /** @return g for the unit-variance Laplace law; g(0) ≈ 0.21651 */
    static WeightFunction laplace() {
        return population(UnivariateLaw.standardLaplace());
    }
}
