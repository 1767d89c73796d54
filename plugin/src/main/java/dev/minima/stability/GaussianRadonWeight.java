package dev.minima.stability;

/**
 * Closed form of the weight g of Nacson et al. (2023), Theorem 1 for standard Gaussian data X ~ N(0, I_d), any d
 * (docs/theory.md §2, derived from Nacson et al. 2023, App. H.2): with β = |b| and ‖v‖ = 1,
 *
 * <pre>
 *   g(v, b) = (φ(β) − β·Q(β)) · sqrt(φ(β)² + Q(β)²),
 * </pre>
 *
 * where E[σ(Z − β)] = φ(β) − βQ(β) and E[(X, 1)·1{Z &gt; β}] = (v φ(β), Q(β)) for Z = Xᵀv ~ N(0, 1);
 * the side b ≥ 0 is the smaller one. Values: g(0) = 0.25518, g(0.5) = 0.092594, g(1) = 0.024107, g(2) =
 * 0.00049746. The same function is the univariate population g for N(0, 1) (Mulayoff et al. 2021, Fig. 2b).
 */
public final class GaussianRadonWeight {

    private GaussianRadonWeight() {}

    /**
     * @param b the offset of a unit-direction hyperplane
     * @return g(v, b) for X ~ N(0, I)
     */
    public static double g(double b) {
        if (!Double.isFinite(b)) {
            throw new IllegalArgumentException("offset b must be finite, got " + b);
        }
        double beta = Math.abs(b);
        double phi = SpecialFunctions.normalPdf(beta);
        double q = SpecialFunctions.normalTail(beta);
        return Math.max(0.0, phi - beta * q) * Math.sqrt(phi * phi + q * q);
    }

    /**
     * g̃(v, b) for X ~ N(0, I) and unit v (either side): (φ(b) − bQ(b)) · sqrt(φ(b)² + Q(b)²).
     *
     * @param b the offset
     * @return g̃(v, b)
     */
    public static double gTilde(double b) {
        double phi = SpecialFunctions.normalPdf(b);
        double q = SpecialFunctions.normalTail(b);
        return Math.max(0.0, phi - b * q) * Math.sqrt(phi * phi + q * q);
    }
}
