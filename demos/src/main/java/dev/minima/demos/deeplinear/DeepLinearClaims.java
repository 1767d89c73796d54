package dev.minima.demos.deeplinear;

import dev.minima.demos.support.Report;
import java.util.List;
import java.util.Locale;

/**
 * Sets Mulayoff &amp; Michaeli (2020)'s claims on deep linear networks beside what {@code deep-linear} measured, with
 * tolerances fixed here: Theorem 1 as a lower bound over all minima and as attained, the paper's search for
 * flattest minima (supplement eqs. S105–S106) against the closed form, and Lemma 1 (GD from the identity).
 *
 * @param closedForm Theorem 1's 2m σ_max(T)^{2(1−1/m)} for the demo's T and depth m
 * @param canonicalDjl λ_max of the DJL block's exact Hessian (Lanczos) at the canonical minimum (eq. 27)
 * @param arbitrary λ_max of the arbitrary minima (eq. S104)
 * @param searches the searches' start and end λ_max
 * @param lemma1 the Lemma 1 runs
 * @param djlDualGap max relative gap between the DJL Hessian's and the dual operator's λ_max (same minima)
 * @param gaugeGap max relative change of λ_max under orthogonal gauge changes of the canonical minimum
 */
public record DeepLinearClaims(double closedForm, double canonicalDjl, double[] arbitrary, List<Search> searches,
        List<Lemma1Run> lemma1, double djlDualGap, double gaugeGap) {

    /** Relative gap above the closed form within which a search counts as having reached it. */
    public static final double SEARCH_TOLERANCE = 0.01;
    /** Relative rounding allowed below the closed form (eigen-solver accuracy). */
    public static final double BELOW_TOLERANCE = 1e-9;
    /** Relative tolerance of a Lanczos λ_max (stopping tolerance 10⁻¹⁰ on a float64 Hessian) and of GD's end point. */
    public static final double EXACT_TOLERANCE = 1e-6;

    /**
     * One search of the supplement's Sec. IX.1.
     *
     * @param start λ_max at the random start (S105)
     * @param end λ_max where it stopped
     * @param lowest the lowest λ_max it visited (equal to end: steps are accepted only downhill)
     * @param proposals steps proposed
     */
    public record Search(double start, double end, double lowest, long proposals) {}

    /**
     * One Lemma 1 run: GD from W_i = I on T ≻ 0.
     *
     * @param m depth
     * @param residual ‖W_m⋯W_1 − T‖_F at the end
     * @param distance max_k ‖W_k − T^{1/m}‖_F at the end
     * @param lambdaMax λ_max at the end
     * @param closedForm Theorem 1's value for this T and m
     */
    public record Lemma1Run(int m, double residual, double distance, double lambdaMax, double closedForm) {}

    /**
     * Adds the claims and checks to a report.
     *
     * @param report the report
     */
    public void addTo(Report report) {
        double lowest = Double.POSITIVE_INFINITY;
        for (double a : arbitrary) {
            lowest = Math.min(lowest, a);
        }
        for (Search s : searches) {
            lowest = Math.min(lowest, s.lowest());
        }
        report.claim("Theorem 1: no global minimum is flatter than 2m σ_max(T)^{2(1−1/m)}",
                "λ_max ≥ " + fmt(closedForm) + " on Ω (Theorem 1 for this T and m)",
                String.format(Locale.ROOT, "lowest λ_max seen: %s (%d arbitrary minima, eq. S104, and every point"
                        + " the %d searches visited)", fmt(lowest), arbitrary.length, searches.size()),
                String.format(Locale.ROOT, "λ ≥ closed form × (1 − %.0e)", BELOW_TOLERANCE),
                lowest >= closedForm * (1 - BELOW_TOLERANCE));
        double rel = Math.abs(canonicalDjl / closedForm - 1);
        report.claim("Theorem 1: the flattest minima attain λ_max = 2m σ_max(T)^{2(1−1/m)}",
                fmt(closedForm), String.format(Locale.ROOT, "%s at the canonical minimum W_k = S^{1/m} (eq. 27),"
                        + " exact Hessian of the DJL block by Lanczos (relative gap %.1e)", fmt(canonicalDjl), rel),
                String.format(Locale.ROOT, "relative gap ≤ %.0e", EXACT_TOLERANCE), rel <= EXACT_TOLERANCE);
        double worst = 0;
        StringBuilder ends = new StringBuilder();
        for (Search s : searches) {
            worst = Math.max(worst, s.end() / closedForm - 1);
            ends.append(ends.length() == 0 ? "" : ", ").append(fmt(s.start())).append(" → ").append(fmt(s.end()));
        }
        report.claim("The search over Ω (random steps S106 from a random minimum S105, kept when λ_max falls)"
                        + " reaches the flattest minima's sharpness",
                "stopped \"when the objective achieved its minimal value 2m σ_max(T)^{2(1−1/m)}, up to a minor error\""
                        + " (supp. Sec. IX.1)",
                String.format(Locale.ROOT, "%d searches, λ_max start → end: %s; worst end %+.2f%% from %s",
                        searches.size(), ends, 100 * worst, fmt(closedForm)),
                String.format(Locale.ROOT, "every search ends within +%.0f%% of the closed form", 100 * SEARCH_TOLERANCE),
                !searches.isEmpty() && worst <= SEARCH_TOLERANCE);
        double worstDistance = 0;
        double worstLambda = 0;
        double worstResidual = 0;
        StringBuilder ms = new StringBuilder();
        for (Lemma1Run r : lemma1) {
            worstDistance = Math.max(worstDistance, r.distance());
            worstLambda = Math.max(worstLambda, Math.abs(r.lambdaMax() / r.closedForm() - 1));
            worstResidual = Math.max(worstResidual, r.residual());
            ms.append(ms.length() == 0 ? "" : ", ").append(r.m());
        }
        report.claim("Lemma 1(ii): for T ≻ 0, GD from W_k = I with η ≤ (1/2m) min{1, σ_max^{−2(1−1/m)}} converges to a"
                        + " flattest minimum (W_k = T^{1/m})",
                "convergence to a flattest minimum at a linear rate",
                String.format(Locale.ROOT, "m = %s: max ‖W_k − T^{1/m}‖_F %.1e, max |λ_max / closed form − 1| %.1e,"
                        + " max ‖W_m⋯W_1 − T‖_F %.1e", ms, worstDistance, worstLambda, worstResidual),
                String.format(Locale.ROOT, "each ≤ %.0e", EXACT_TOLERANCE),
                !lemma1.isEmpty() && worstDistance <= EXACT_TOLERANCE && worstLambda <= EXACT_TOLERANCE
                        && worstResidual <= EXACT_TOLERANCE);
        report.check("The dual operator Ĥ(B) = 2Σ_k A_kA_kᵀ B C_kᵀC_k has the Hessian's λ_max at a minimum (checked"
                        + " against the DJL block's exact Hessian)",
                String.format(Locale.ROOT, "max relative gap %.1e", djlDualGap), djlDualGap <= EXACT_TOLERANCE);
        report.check("Orthogonal gauge changes W_k → Q_k W_k Q_{k−1}ᵀ leave λ_max unchanged",
                String.format(Locale.ROOT, "max relative change %.1e", gaugeGap), gaugeGap <= EXACT_TOLERANCE);
    }

    /**
     * @param v a number
     * @return it with six significant digits
     */
    public static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
