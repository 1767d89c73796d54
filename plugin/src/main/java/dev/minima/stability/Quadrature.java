package dev.minima.stability;

import java.util.function.DoubleUnaryOperator;

/** Adaptive Simpson quadrature with Richardson correction (package-private). */
final class Quadrature {

    private static final int MAX_DEPTH = 40;

    private Quadrature() {}

    /**
     * ∫_a^b f to an absolute tolerance.
     *
     * @param f a continuous integrand (kinks only at the endpoints, or split the interval)
     * @param a lower limit
     * @param b upper limit
     * @param tol absolute tolerance
     * @return the integral (0 when b ≤ a)
     */
    static double integrate(DoubleUnaryOperator f, double a, double b, double tol) {
        if (!(b > a)) {
            return 0.0;
        }
        double fa = f.applyAsDouble(a);
        double fb = f.applyAsDouble(b);
        double m = 0.5 * (a + b);
        double fm = f.applyAsDouble(m);
        double whole = (b - a) / 6 * (fa + 4 * fm + fb);
        return step(f, a, b, fa, fm, fb, whole, tol, MAX_DEPTH);
    }

    private static double step(
            DoubleUnaryOperator f, double a, double b, double fa, double fm, double fb, double whole,
            double tol, int depth) {
        double m = 0.5 * (a + b);
        double lm = 0.5 * (a + m);
        double rm = 0.5 * (m + b);
        double flm = f.applyAsDouble(lm);
        double frm = f.applyAsDouble(rm);
        double left = (m - a) / 6 * (fa + 4 * flm + fm);
        double right = (b - m) / 6 * (fm + 4 * frm + fb);
        double delta = left + right - whole;
        if (depth <= 0 || Math.abs(delta) <= 15 * tol) {
            return left + right + delta / 15;
        }
        return step(f, a, m, fa, flm, fm, left, tol / 2, depth - 1)
                + step(f, m, b, fm, frm, fb, right, tol / 2, depth - 1);
    }
}
