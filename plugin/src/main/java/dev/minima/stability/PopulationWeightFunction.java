package dev.minima.stability;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The population univariate weight function (Mulayoff et al. 2021, Fig. 2, blue curves) by adaptive quadrature:
 * g₋(x) = (∫_{lo}^x F) · sqrt(F(x)² + (∫_{lo}^x t p(t) dt)²) and g₊(x) = (∫_x^{hi} (1 − F)) ·
 * sqrt((1 − F(x))² + (∫_x^{hi} t p(t) dt)²).
 */
final class PopulationWeightFunction implements WeightFunction {

    /** Absolute quadrature tolerance; g values are O(0.1), so this is ~1e-12 relative. */
    private static final double TOL = 1e-13;

    private final UnivariateLaw law;

    PopulationWeightFunction(UnivariateLaw law) {
        this.law = law;
    }

    private double integral(DoubleUnaryOperator f, double a, double b) {
        List<Double> cuts = new ArrayList<>();
        cuts.add(a);
        for (double c : law.kinks()) {
            if (c > a && c < b) {
                cuts.add(c);
            }
        }
        cuts.add(b);
        double s = 0;
        for (int i = 0; i + 1 < cuts.size(); i++) {
            s += Quadrature.integrate(f, cuts.get(i), cuts.get(i + 1), TOL);
        }
        return s;
    }

    @Override
    public double gMinus(double x) {
        double lo = law.lower();
        double hi = law.upper();
        double upTo = Math.min(x, hi);
        if (!(upTo > lo)) {
            return 0.0;
        }
        double area = integral(law::cdf, lo, upTo) + (x > hi ? (x - hi) : 0.0);
        double firstMoment = integral(t -> t * law.density(t), lo, upTo);
        double f = law.cdf(x);
        return area * Math.sqrt(f * f + firstMoment * firstMoment);
    }

    @Override
    public double gPlus(double x) {
        double lo = law.lower();
        double hi = law.upper();
        double from = Math.max(x, lo);
        if (!(hi > from)) {
            return 0.0;
        }
        double area = integral(t -> 1.0 - law.cdf(t), from, hi) + (x < lo ? (lo - x) : 0.0);
        double firstMoment = integral(t -> t * law.density(t), from, hi);
        double tail = 1.0 - law.cdf(x);
        return area * Math.sqrt(tail * tail + firstMoment * firstMoment);
    }
}
