package dev.minima.demos;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;
import dev.minima.demos.support.Checks;
import dev.minima.curvature.SymmetricEigen;
import dev.minima.linear.Balancedness;
import dev.minima.linear.DeepLinearMinima;
import dev.minima.linear.DeepLinearNetwork;
import dev.minima.linear.DualHessianOperator;
import dev.minima.demos.deeplinear.DeepLinearClaims;
import dev.minima.demos.support.Charts;
import dev.minima.demos.support.Report;
import dev.minima.linear.FlattestMinimumSearch;
import dev.minima.linear.FlattestSharpness;
import dev.minima.linear.IntermediateGains;
import dev.minima.linear.LayerCoupling;
import dev.minima.linear.LinearRegressionTarget;
import dev.minima.linear.RandomMatrices;
import dev.minima.loss.Losses;
import dev.minima.loss.MinimaLoss.OutputReduction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Mulayoff &amp; Michaeli (2020) on deep linear networks: Theorem 1's flattest sharpness against the DJL Hessian and
 * against the paper's own search for flattest minima (supplement eqs. S105–S106), arbitrary vs flattest minima and
 * their intermediate gains (Fig. 3), and Lemma 1 (gradient descent from the identity reaches a flattest minimum),
 * with verdicts in {@code report.md}.
 */
@Command(name = "deep-linear", mixinStandardHelpOptions = true,
        description = "Flat minima of deep linear networks (Mulayoff & Michaeli 2020): Theorem 1, the search for"
                + " flattest minima, gains, Lemma 1.")
public final class DeepLinearCommand extends DemoCommand {

    @Option(names = "--dim", description = "d = d_x = d_y = hidden width (default: ${DEFAULT-VALUE}).")
    int dim = 4;

    @Option(names = "--depth", description = "Depth m for the Fig. 3 comparison (default: ${DEFAULT-VALUE}).")
    int depth = 6;

    @Option(names = "--minima", description = "Arbitrary and flattest minima to draw (default: ${DEFAULT-VALUE}).")
    int minima = 4;

    @Option(names = "--examples", description = "Training examples for the DJL check (default: ${DEFAULT-VALUE}).")
    int examples = 64;

    @Option(names = "--searches", description = "Runs of the paper's search for flattest minima (supplement eqs."
            + " S105–S106), each from its own random minimum (default: ${DEFAULT-VALUE}).")
    int searches = 3;

    @Option(names = "--search-proposals", description = "Most steps each search proposes (default: ${DEFAULT-VALUE}).")
    long searchProposals = 200_000;

    @Override
    protected String name() {
        return "deep-linear";
    }

    @Override
    protected void validate() {
        Checks.between("--dim", dim, 1, 1000, null);
        Checks.between("--depth", depth, 1, 1000, null);
        Checks.atLeast("--minima", minima, 1);
        Checks.atLeast("--examples", examples, 1);
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws IOException {
        if (searches < 0 || searchProposals < 0) {
            throw new IllegalArgumentException("--searches and --search-proposals must be ≥ 0, got " + searches + " and "
                    + searchProposals);
        }
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Object> summary = new LinkedHashMap<>();
        // white synthetic data: y = T x + noise, then whitened exactly, so Theorem 1 applies
        DMatrixRMaj xm = RandomMatrices.gaussian(examples, dim, random);
        DMatrixRMaj t0 = RandomMatrices.gaussian(dim, dim, random);
        double[][] x = xm.get2DData();
        double[][] y = CommonOps_DDRM.multTransB(xm, t0, null).get2DData();
        double[][] noise = RandomMatrices.gaussian(examples, dim, random).get2DData();
        for (int i = 0; i < examples; i++) {
            for (int j = 0; j < dim; j++) {
                y[i][j] += 0.1 * noise[i][j];
            }
        }
        LinearRegressionTarget raw = LinearRegressionTarget.of(x, y);
        LinearRegressionTarget target = raw.whitened();
        double[][] xWhite = raw.whiten(x);
        FlattestSharpness closed = FlattestSharpness.of(target, depth, Losses.mse(OutputReduction.SUM_OUTPUTS));
        summary.put("d", dim);
        summary.put("m", depth);
        summary.put("sigmaMaxT", closed.sigmaMax());
        summary.put("flattestSharpnessClosedForm", closed.lambdaMax());
        summary.put("largestStableStep", closed.largestStableStep());

        DeepLinearMinima factory = DeepLinearMinima.builder().setTarget(target).setDepth(depth).build();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<DeepLinearNetwork> arbitrary = new ArrayList<>();
        List<DeepLinearNetwork> flattest = new ArrayList<>();
        for (int i = 0; i < minima; i++) {
            arbitrary.add(factory.arbitrary(seed * 1000 + i));
            flattest.add(DeepLinearMinima.orthogonalGauge(factory.canonical(), seed * 1000 + i));
        }
        for (int i = 0; i < minima; i++) {
            rows.add(describe("arbitrary", i, arbitrary.get(i)));
        }
        rows.add(describe("canonical", 0, factory.canonical()));
        for (int i = 0; i < minima; i++) {
            rows.add(describe("flattest (gauge)", i, flattest.get(i)));
        }
        summary.put("minima", rows);
        Map<String, Object> djl = djlCheck(target, xWhite, y, factory.canonical(), arbitrary.get(0));
        summary.put("djlHessianCheck", djl);
        List<Map<String, Object>> lemma1 = lemma1(random);
        summary.put("lemma1", lemma1);
        Path chart = outDir.resolve("gains.png");
        gainsChart(arbitrary.get(0), factory.canonical(), chart);
        summary.put("chart", chart.toString());

        // the paper's search for flattest minima (supplement Sec. IX.1, eqs. S105–S106), stopped at +0.1% or budget
        List<DeepLinearClaims.Search> found = new ArrayList<>();
        List<Map<String, Object>> searchRows = new ArrayList<>();
        XYChart searchChart = Charts.lines("Search for a flattest minimum (Mulayoff & Michaeli (2020), eqs."
                + " S105–S106), d = " + dim + ", m = " + depth, "accepted step", "λ_max", false, true);
        double[][] tWhite = target.t();
        for (int i = 0; i < searches; i++) {
            FlattestMinimumSearch.Result r = FlattestMinimumSearch.builder().setTarget(tWhite).setDepth(depth)
                    .optSeed(seed * 1000 + 500 + i).optMaxProposals(searchProposals)
                    .optStopAt(closed.lambdaMax() * 1.001).build().run();
            found.add(new DeepLinearClaims.Search(r.startLambdaMax(), r.lambdaMax(), r.lambdaMax(), r.proposals()));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("seed", seed * 1000 + 500 + i);
            row.put("startIndex", r.startIndex());
            row.put("startLambdaMax", r.startLambdaMax());
            row.put("lambdaMax", r.lambdaMax());
            row.put("relativeGapToClosedForm", r.lambdaMax() / closed.lambdaMax() - 1);
            row.put("proposals", r.proposals());
            row.put("accepted", r.accepted());
            row.put("productError", r.productError());
            double minCoupling = 1;
            for (double c : LayerCoupling.of(r.network()).coupling()) {
                minCoupling = Math.min(minCoupling, c);
            }
            row.put("minCoupling", minCoupling);
            row.put("maxBalancednessGap", Balancedness.of(r.network()).max());
            searchRows.add(row);
            double[] h = r.history();
            double[] steps = new double[h.length];
            for (int k = 0; k < h.length; k++) {
                steps[k] = k;
            }
            Charts.add(searchChart, "search " + (i + 1), steps, h, false);
            logger.info("search {}: λ_max {} → {} ({} proposals, closed form {})", i + 1, r.startLambdaMax(),
                    r.lambdaMax(), r.proposals(), closed.lambdaMax());
        }
        if (searches > 0) {
            double maxLen = searchRows.stream().mapToLong(m -> (long) m.get("accepted")).max().orElse(1) + 1;
            Charts.add(searchChart, "Theorem 1: 2m σ_max^{2(1−1/m)}", new double[] {0, maxLen},
                    new double[] {closed.lambdaMax(), closed.lambdaMax()}, false);
            Charts.savePng(searchChart, outDir.resolve("search.png"));
        }
        summary.put("searches", searchRows);

        double[] arbitraryLambdas = rows.stream().filter(r -> "arbitrary".equals(r.get("kind")))
                .mapToDouble(r -> (double) r.get("lambdaMax")).toArray();
        double canonicalLambda = rows.stream().filter(r -> "canonical".equals(r.get("kind")))
                .mapToDouble(r -> (double) r.get("lambdaMax")).findFirst().orElse(Double.NaN);
        double gauge = rows.stream().filter(r -> "flattest (gauge)".equals(r.get("kind")))
                .mapToDouble(r -> Math.abs((double) r.get("lambdaMax") / canonicalLambda - 1)).max().orElse(0);
        double djlGap = Math.max((double) djl.get("canonicalRelativeDifference"),
                (double) djl.get("arbitrary0RelativeDifference"));
        List<DeepLinearClaims.Lemma1Run> lemmaRuns = new ArrayList<>();
        for (Map<String, Object> r : lemma1) {
            lemmaRuns.add(new DeepLinearClaims.Lemma1Run((int) r.get("m"), (double) r.get("residual"),
                    (double) r.get("maxDistanceToTRoot"), (double) r.get("lambdaMaxAfterGd"),
                    (double) r.get("flattestClosedForm")));
        }
        DeepLinearClaims claims = new DeepLinearClaims(closed.lambdaMax(), (double) djl.get("canonicalDjlHessian"),
                arbitraryLambdas, found, lemmaRuns, djlGap, gauge);
        Report report = new Report("Flat minima of deep linear networks (Mulayoff & Michaeli (2020))");
        report.intro(String.format(java.util.Locale.ROOT, "d = %d (inputs, outputs and hidden widths), depth m = %d;"
                + " T from %d Gaussian examples y = T₀x + 0.1·noise, whitened so that Σ_x = I (Theorem 1's setting);"
                + " σ_max(T) = %.6g; loss ℓ = Ê‖y − f(x)‖² (sum over outputs, no ½); --seed %d. Closed form"
                + " 2m σ_max(T)^{2(1−1/m)} = %.6g.", dim, depth, examples, closed.sigmaMax(), seed,
                closed.lambdaMax()));
        claims.addTo(report);
        report.note("The searches start from random minima (eq. S105) and take random multiplicative steps on the"
                + " manifold of minima (eq. S106), keeping a step only if λ_max falls; they stop 0.1% above the closed"
                + " form or after --search-proposals steps. The step size ε (which the paper leaves open) starts at"
                + " 0.1, grows ×1.5 after an accepted step and halves after 200 rejections in a row. λ_max is exact"
                + " at every point (dense dual operator). Per search: summary.json `searches`; chart: search.png.");
        report.note("Lemma 1 runs use their own T ≻ 0 (eigenvalues in (0.5, 2.5]), m = 2, 4, 6, 10, and stop when"
                + " ‖W_m⋯W_1 − T‖_F ≤ 10⁻¹³ or after 200,000 steps.");
        report.write(outDir.resolve("report.md"));
        summary.put("disagreements", report.disagreements());
        summary.put("failedChecks", report.failedChecks());
        summary.put("files", List.of("gains.png", "search.png", "report.md"));
        return summary;
    }

    private Map<String, Object> describe(String kind, int index, DeepLinearNetwork net) {
        Map<String, Object> row = new LinkedHashMap<>();
        DualHessianOperator dual = DualHessianOperator.of(net);
        row.put("kind", kind);
        row.put("index", index);
        row.put("lambdaMax", Lanczos.builder().optTolerance(1e-10).optMaxIterations(dim * dim).build().run(dual).max());
        row.put("trace", dual.trace());
        IntermediateGains g = IntermediateGains.of(net);
        row.put("prefixGains", g.prefixGains());
        row.put("topSignalGains", g.topSignalGains());
        row.put("bounds", g.bounds());
        row.put("maxBalancednessGap", Balancedness.of(net).max());
        double minCoupling = 1;
        for (double c : LayerCoupling.of(net).coupling()) {
            minCoupling = Math.min(minCoupling, c);
        }
        row.put("minCoupling", minCoupling);
        row.put("theorem4", FlattestSharpness.satisfiesTheorem4(net, 1e-9));
        logger.info("{} {}: λ_max {} trace {}", kind, index, row.get("lambdaMax"), row.get("trace"));
        return row;
    }

    /** λ_max from the real Hessian of the DJL block (double backprop, float64) on the whitened data. */
    private Map<String, Object> djlCheck(LinearRegressionTarget target, double[][] xWhite, double[][] y,
            DeepLinearNetwork canonical, DeepLinearNetwork arbitrary) {
        Map<String, Object> out = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (DeepLinearNetwork net : new DeepLinearNetwork[] {canonical, arbitrary}) {
                try (Objective objective = Objective.builder().setBlock(net.toBlock(manager, DataType.FLOAT64))
                                .setLoss(Losses.mse(OutputReduction.SUM_OUTPUTS))
                                .addBatch(array(manager, xWhite), array(manager, y)).build();
                        HessianOperator h = HessianOperator.of(objective)) {
                    double viaDjl = Lanczos.builder().optTolerance(1e-10).optMaxIterations(200).build().run(h).max();
                    double viaDual = Lanczos.builder().optTolerance(1e-10).optMaxIterations(dim * dim).build()
                            .run(DualHessianOperator.builder().setNetwork(net).optTarget(target).build()).max();
                    String key = net == canonical ? "canonical" : "arbitrary0";
                    out.put(key + "DjlHessian", viaDjl);
                    out.put(key + "DualOperator", viaDual);
                    out.put(key + "RelativeDifference", Math.abs(viaDjl - viaDual) / viaDual);
                }
            }
        }
        return out;
    }

    /**
     * Lemma 1: for T ≻ 0, GD from W_i = I with η = (1/2m) min{1, σ_max^{−2(1−1/m)}} converges to W_i = T^{1/m},
     * a flattest minimum. Runs in double precision on ℓ = ‖W_m⋯W_1 − T‖²_F (white inputs).
     */
    private List<Map<String, Object>> lemma1(SplittableRandom random) {
        DMatrixRMaj q = RandomMatrices.orthogonal(dim, random);
        DMatrixRMaj lambda = new DMatrixRMaj(dim, dim);
        for (int i = 0; i < dim; i++) {
            lambda.set(i, i, 0.5 + 2.0 * (dim - i) / dim); // eigenvalues in (0.5, 2.5]
        }
        DMatrixRMaj t = CommonOps_DDRM.multTransB(CommonOps_DDRM.mult(q, lambda, null), q, null);
        double sigma = NormOps_DDRM.normP2(t);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int m : new int[] {2, 4, 6, 10}) {
            double eta = Math.min(1.0, Math.pow(sigma, -2.0 * (1 - 1.0 / m))) / (2.0 * m);
            List<double[][]> w = new ArrayList<>();
            for (int k = 0; k < m; k++) {
                w.add(CommonOps_DDRM.identity(dim).get2DData());
            }
            int steps = 0;
            double gap = Double.POSITIVE_INFINITY;
            while (steps < 200_000 && gap > 1e-13) {
                DeepLinearNetwork net = DeepLinearNetwork.of(w);
                DMatrixRMaj residual = CommonOps_DDRM.subtract(new DMatrixRMaj(net.product()), t, null);
                gap = NormOps_DDRM.normF(residual);
                List<double[][]> next = new ArrayList<>();
                for (int k = 1; k <= m; k++) {
                    // ∇_{W_k} ‖P − T‖²_F = 2 A_kᵀ (P − T) P_{k−1}ᵀ
                    DMatrixRMaj grad = CommonOps_DDRM.multTransB(
                            CommonOps_DDRM.multTransA(new DMatrixRMaj(net.suffix(k)), residual, null),
                            new DMatrixRMaj(net.prefix(k - 1)), null);
                    next.add(CommonOps_DDRM.add(new DMatrixRMaj(w.get(k - 1)), -2 * eta, grad, null).get2DData());
                }
                w = next;
                steps++;
            }
            DeepLinearNetwork net = DeepLinearNetwork.of(w);
            DMatrixRMaj root = new DMatrixRMaj(SymmetricEigen.of(t.get2DData()).power(1.0 / m));
            double worst = 0;
            for (int k = 1; k <= m; k++) {
                worst = Math.max(worst,
                        NormOps_DDRM.normF(CommonOps_DDRM.subtract(new DMatrixRMaj(net.weight(k)), root, null)));
            }
            double lam = Lanczos.builder().optTolerance(1e-10).optMaxIterations(dim * dim).build()
                    .run(DualHessianOperator.of(net)).max();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("m", m);
            row.put("eta", eta);
            row.put("steps", steps);
            row.put("residual", gap);
            row.put("lambdaMaxAfterGd", lam);
            row.put("flattestClosedForm", FlattestSharpness.of(t.get2DData(), m).lambdaMax());
            row.put("maxDistanceToTRoot", worst);
            logger.info("Lemma 1, m = {}: {} steps, λ_max {} vs closed form {}", m, steps, lam, row.get("flattestClosedForm"));
            out.add(row);
        }
        return out;
    }

    /** Fig. 3 of Mulayoff &amp; Michaeli (2020): singular values of W_k⋯W_1 (dots), the gain of v (circles) and the √m bound. */
    private void gainsChart(DeepLinearNetwork arbitrary, DeepLinearNetwork flattest, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500)
                .title("Intermediate gains, d = " + dim + ", m = " + depth + " (Mulayoff & Michaeli 2020, Fig. 3)")
                .xAxisTitle("layer k").yAxisTitle("singular values of W_k⋯W_1").build();
        chart.getStyler().setYAxisLogarithmic(true);
        addSeries(chart, "arbitrary", IntermediateGains.of(arbitrary), -0.1, false);
        addSeries(chart, "flattest", IntermediateGains.of(flattest), 0.1, true);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
    }

    private void addSeries(XYChart chart, String name, IntermediateGains g, double shift, boolean bound) {
        List<Double> kx = new ArrayList<>();
        List<Double> sv = new ArrayList<>();
        double[] ks = new double[depth];
        double[] top = new double[depth];
        double[] bd = new double[depth];
        for (int k = 1; k <= depth; k++) {
            for (double s : g.prefixSingularValues()[k]) {
                kx.add(k + shift);
                sv.add(Math.max(s, 1e-6));
            }
            ks[k - 1] = k + shift;
            top[k - 1] = g.topSignalGains()[k];
            bd[k - 1] = g.bounds()[k];
        }
        chart.addSeries(name + ": singular values", kx, sv).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter)
                .setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries(name + ": gain of v", ks, top).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter)
                .setMarker(SeriesMarkers.DIAMOND);
        if (bound) {
            chart.addSeries("√m σ_max(T)^{k/m}", ks, bd).setMarker(SeriesMarkers.NONE);
        }
    }

    private static ai.djl.ndarray.NDArray array(NDManager manager, double[][] m) {
        double[] flat = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, flat, i * m[0].length, m[0].length);
        }
        return dev.minima.autograd.NativeArrays.of(manager, flat, new ai.djl.ndarray.types.Shape(m.length,
                m[0].length), DataType.FLOAT64);
    }
}
