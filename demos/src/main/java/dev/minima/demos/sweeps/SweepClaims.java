package dev.minima.demos.sweeps;

import dev.minima.demos.support.Report;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The claims both sweeps check, evaluated on the runs that converged after the warm-up ("usable" runs, as
 * Mulayoff et al. (2021), supplement Sec. I plots them): GD sits at the edge of stability above an init-dependent
 * threshold; S ≤ 1/η − 1/2; 1 + 2S ≤ flattest λ ≤ λ ≤ 2/η; the Gram and DJL-Hessian sharpness agree; S decreases with
 * η.
 *
 * @param points all runs, ascending in η
 */
public record SweepClaims(List<SweepPoint> points) {

    /** λη/2 at or above this counts as "at the edge of stability". */
    public static final double EDGE_RATIO = 0.95;

    /** Slack on λ ≤ 2/η: GD stops at L ≤ 10⁻⁸ while still settling onto the edge. */
    public static final double EDGE_SLACK = 0.02;

    /** Relative slack on the inequalities between computed quantities (rounding, flattest-search tolerance). */
    public static final double ORDER_SLACK = 1e-6;

    /**
     * Sorts and copies the points.
     *
     * @param points all runs
     */
    public SweepClaims {
        points = new ArrayList<>(points);
        points.sort(Comparator.comparingDouble(SweepPoint::eta));
        points = List.copyOf(points);
    }

    /** @return the runs that converged after the warm-up */
    public List<SweepPoint> usable() {
        return points.stream().filter(SweepPoint::usable).toList();
    }

    /**
     * The smallest usable η from which every larger usable run sits at the edge (λη/2 ≥ {@link #EDGE_RATIO}).
     *
     * @return that η, or NaN if the largest usable run is not at the edge
     */
    public double edgeThreshold() {
        List<SweepPoint> u = usable();
        double eta = Double.NaN;
        for (int i = u.size() - 1; i >= 0 && u.get(i).edgeRatio() >= EDGE_RATIO; i--) {
            eta = u.get(i).eta();
        }
        return eta;
    }

    /** @return usable runs at the edge that lie below the edge threshold's run of edge runs (non-monotone cases) */
    public long edgeRunsBelowThreshold() {
        double t = edgeThreshold();
        return usable().stream().filter(p -> p.edgeRatio() >= EDGE_RATIO && !(p.eta() >= t)).count();
    }

    /** @return usable runs with S &gt; 1/η − 1/2 */
    public long boundViolations() {
        return usable().stream().filter(p -> p.stabilityNorm() > p.bound() + ORDER_SLACK * Math.max(1, p.bound()))
                .count();
    }

    /** @return usable runs violating 1 + 2S ≤ flattest λ */
    public long lowerBoundAboveFlattest() {
        return usable().stream().filter(p -> p.lowerBound() > p.flattestLambda() * (1 + ORDER_SLACK)).count();
    }

    /** @return usable runs violating flattest λ ≤ λ (the flattest search starts at β = 1, so it cannot be sharper) */
    public long flattestAboveLambda() {
        return usable().stream().filter(p -> p.flattestLambda() > p.lmax() * (1 + ORDER_SLACK)).count();
    }

    /** @return usable runs violating 1 + 2S ≤ λ_Gram */
    public long lowerBoundAboveLambda() {
        return usable().stream().filter(p -> p.lowerBound() > p.lmax() * (1 + ORDER_SLACK)).count();
    }

    /** @return usable runs with λ &gt; (2/η)(1 + {@link #EDGE_SLACK}) */
    public long lambdaAboveEdge() {
        return usable().stream().filter(p -> p.lmax() > p.threshold() * (1 + EDGE_SLACK)).count();
    }

    /** @return max over usable runs of λη/2 */
    public double maxEdgeRatio() {
        return usable().stream().mapToDouble(SweepPoint::edgeRatio).max().orElse(Double.NaN);
    }

    /**
     * @return usable runs whose Gram and DJL-Hessian λ differ by more than the Weyl bound plus the Lanczos
     *     residual (plus 10⁻⁹ relative): at interpolation they must agree within that
     */
    public long gramLanczosDisagreements() {
        return usable().stream().filter(p -> Math.abs(p.lmax() - p.lmaxLanczos())
                > p.weylBound() + p.lanczosResidual() + 1e-9 * p.lmax()).count();
    }

    /** @return max over usable runs of |λ_Gram − λ_Lanczos| / λ_Gram */
    public double maxGramLanczosRelativeGap() {
        return usable().stream().mapToDouble(p -> Math.abs(p.lmax() - p.lmaxLanczos()) / p.lmax()).max()
                .orElse(Double.NaN);
    }

    /** @return usable runs whose flattest λ equals its S88 certificate within 10⁻³ (certified minimum) */
    public long certified() {
        return usable().stream().filter(p -> Math.abs(p.flattestLambda() - p.flattestCertificate())
                <= 1e-3 * p.flattestLambda()).count();
    }

    /** @return Spearman rank correlation of S with η over usable runs (NaN with fewer than 3) */
    public double normTrend() {
        List<SweepPoint> u = usable();
        return spearman(u.stream().mapToDouble(SweepPoint::eta).toArray(),
                u.stream().mapToDouble(SweepPoint::stabilityNorm).toArray());
    }

    /** @return Spearman rank correlation of ‖b‖ with η over usable runs */
    public double biasTrend() {
        List<SweepPoint> u = usable();
        return spearman(u.stream().mapToDouble(SweepPoint::eta).toArray(),
                u.stream().mapToDouble(SweepPoint::biasNorm).toArray());
    }

    /** @return counts of runs: total, usable, converged in warm-up, diverged, stopped at the cap */
    public Map<String, Object> counts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runs", points.size());
        m.put("usable", usable().size());
        m.put("converged_in_warmup", points.stream().filter(SweepPoint::convergedInWarmup).count());
        m.put("diverged", points.stream().filter(SweepPoint::diverged).count());
        m.put("not_converged", points.stream().filter(p -> !p.converged() && !p.diverged()).count());
        return m;
    }

    /** @return the checks as numbers, for summary.json */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(counts());
        m.put("edge_threshold_eta", edgeThreshold());
        m.put("max_edge_ratio", maxEdgeRatio());
        m.put("bound_violations", boundViolations());
        m.put("lower_bound_above_flattest", lowerBoundAboveFlattest());
        m.put("flattest_above_lambda", flattestAboveLambda());
        m.put("lambda_above_edge", lambdaAboveEdge());
        m.put("gram_lanczos_disagreements", gramLanczosDisagreements());
        m.put("max_gram_lanczos_relative_gap", maxGramLanczosRelativeGap());
        m.put("certified_flattest", certified());
        m.put("norm_eta_spearman", normTrend());
        m.put("bias_eta_spearman", biasTrend());
        return m;
    }

    /**
     * Adds the shared claims to a report.
     *
     * @param report the report
     * @param countsClaim the paper's run counts, e.g. "200 step sizes: 2 converged in warm-up, 15 never, 183 plotted"
     */
    public void addTo(Report report, String countsClaim) {
        Map<String, Object> c = counts();
        int usable = usable().size();
        report.claim(countsClaim, String.format(Locale.ROOT, "%d step sizes: %d converged in warm-up, %d diverged, "
                + "%d stopped at the step cap, %d usable", points.size(), c.get("converged_in_warmup"),
                c.get("diverged"), c.get("not_converged"), usable), usable > 0);
        double t = edgeThreshold();
        long atEdge = usable().stream().filter(p -> p.edgeRatio() >= EDGE_RATIO).count();
        String below = usable().stream().filter(p -> !(p.eta() >= t))
                .map(p -> fmt(p.eta()) + "→" + fmt(p.edgeRatio())).reduce((a, b) -> a + ", " + b).orElse("none");
        report.claim("GD solutions sit at the edge of stability, λ_max ≈ 2/η, for η above an init-dependent "
                        + "threshold; below it λ_max < 2/η",
                Double.isNaN(t) ? "no usable run at the edge (max λη/2 = " + fmt(maxEdgeRatio()) + ")"
                        : String.format(Locale.ROOT, "%d of %d usable runs have λη/2 ≥ %.2f, all of them from η = %s"
                                + " up (max λη/2 = %s); below (η→λη/2): %s", atEdge, usable, EDGE_RATIO, fmt(t),
                                fmt(maxEdgeRatio()), below),
                !Double.isNaN(t) && edgeRunsBelowThreshold() == 0);
        report.claim("Theorem 1: S ≤ 1/η − 1/2 for every linearly stable solution",
                boundViolations() + " violations in " + usable + " usable runs", boundViolations() == 0 && usable > 0);
        report.claim("1 + 2S ≤ flattest λ ≤ λ_max(θ_GD) ≤ 2/η",
                String.format(Locale.ROOT, "violations: 1+2S > flattest %d, flattest > λ %d, λ > (2/η)(1+%.0f%%) %d"
                        + " of %d", lowerBoundAboveFlattest(), flattestAboveLambda(), 100 * EDGE_SLACK, lambdaAboveEdge(),
                        usable),
                lowerBoundAboveFlattest() + flattestAboveLambda() + lambdaAboveEdge() == 0 && usable > 0);
        report.claim("At interpolation the Hessian's λ_max equals the Gram matrix's (λ_max(ΦᵀΦ/n))",
                String.format(Locale.ROOT, "DJL Hessian (Lanczos) vs Gram: max relative gap %s; %d of %d runs outside "
                        + "the Weyl bound (1/n)Σ|r_j|√(1+‖x_j‖²) + residual", fmt(maxGramLanczosRelativeGap()),
                        gramLanczosDisagreements(), usable),
                gramLanczosDisagreements() == 0 && usable > 0);
        double rho = normTrend();
        List<SweepPoint> u = usable();
        String range = u.isEmpty() ? "" : String.format(Locale.ROOT, "; S = %s at η = %s, largest S = %s at η = %s,"
                + " S = %s at η = %s", fmt(u.get(0).stabilityNorm()), fmt(u.get(0).eta()),
                fmt(u.stream().mapToDouble(SweepPoint::stabilityNorm).max().orElse(Double.NaN)),
                fmt(u.stream().max(Comparator.comparingDouble(SweepPoint::stabilityNorm)).get().eta()),
                fmt(u.get(u.size() - 1).stabilityNorm()), fmt(u.get(u.size() - 1).eta()));
        report.claim("Solutions get smoother as η grows (1 + 2S decreasing in η)",
                "Spearman ρ(η, S) = " + fmt(rho) + " over usable runs" + range, rho < 0);
    }

    /** @return Spearman's rank correlation (average ranks for ties); NaN with fewer than 3 points */
    static double spearman(double[] a, double[] b) {
        if (a.length < 3) {
            return Double.NaN;
        }
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElse(0);
        double mb = Arrays.stream(rb).average().orElse(0);
        double num = 0;
        double da = 0;
        double db = 0;
        for (int i = 0; i < a.length; i++) {
            num += (ra[i] - ma) * (rb[i] - mb);
            da += (ra[i] - ma) * (ra[i] - ma);
            db += (rb[i] - mb) * (rb[i] - mb);
        }
        return da == 0 || db == 0 ? Double.NaN : num / Math.sqrt(da * db);
    }

    private static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[v.length];
        int i = 0;
        while (i < v.length) {
            int j = i;
            while (j + 1 < v.length && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            for (int t = i; t <= j; t++) {
                r[idx[t]] = (i + j) / 2.0;
            }
            i = j + 1;
        }
        return r;
    }

    /**
     * @param v a number
     * @return four significant digits
     */
    public static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
