package dev.minima.demos;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.minima.autograd.NativeArrays;
import dev.minima.data.MnistArrays;
import dev.minima.loss.Losses;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.ExactTrace;
import dev.minima.curvature.GaussNewtonOperator;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.HutchPlusPlus;
import dev.minima.curvature.Hutchinson;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;
import dev.minima.curvature.Vectors;
import dev.minima.curvature.XTrace;
import dev.minima.demos.support.CsvTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleBiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trace part of {@code bench} for one Hessian: its exact trace ({@link ExactTrace}: the reference, with no
 * sampling error), the products each estimator needs to come within 1% of it, and the top of the spectrum that
 * explains the difference.
 *
 * <p><b>Products to 1%</b> ({@code trace_products_1pct}): budgets m = 6·2ʲ (6, 12, 24, …, divisible by 2 and 3
 * so that Hutchinson, Hutch++ and XTrace all spend exactly m Hessian-vector products); at each budget the
 * estimator runs with {@code seeds} independent seeds, and the figure is the smallest budget at which the
 * <em>median</em> over seeds of |estimate − exact| / exact is at most 1% (null if no budget up to the largest
 * reaches it). Every (estimator, budget) point goes to the CSV curve with the median, mean and largest error.
 *
 * <p><b>Spectrum</b>: the k largest and the k smallest eigenpairs by Lanczos, the top ones' share of tr(H)
 * (Σλᵢ / tr H), and each end's share of ‖H‖_F² (Σλᵢ² / ‖H‖_F²). ‖H‖_F² = ‖HP‖_F² + ‖H(I − P)‖_F² with P the projector on the Lanczos vectors: the first term
 * is Σ‖Hvᵢ‖² (k products), the second E‖H(I − P)ω‖² over Gaussian ω (with its standard error). A Gaussian
 * Hutchinson estimate from m probes has variance 2‖H‖_F²/m (Rademacher probes: 2(‖H‖_F² − Σ hᵢᵢ²)/m, no more),
 * and the median of |N(0, σ²)| is 0.674σ, so Hutchinson should need about 2·0.674²·10⁴·‖H‖_F²/tr(H)² products
 * for a median error of 1%: {@code hutchinson_products_1pct_predicted}. Hutch++ and XTrace remove the top of the
 * spectrum exactly with a third (half) of their products and estimate the rest: they win when a few eigenvalues
 * carry much of ‖H‖_F², and lose up to a factor 3 (2) when the bulk is flat.
 */
final class TraceBenchmark {

    private static final Logger LOGGER = LoggerFactory.getLogger(TraceBenchmark.class);

    /** The estimators compared, by the name used in the bench keys. */
    static final List<String> ESTIMATORS = List.of("hutchinson", "hutchpp", "xtrace");

    /** Relative residual at which Lanczos stops (the residual bounds each eigenvalue's error). */
    private static final double LANCZOS_TOLERANCE = 1e-3;
    /**
     * Lanczos iterations at most: 30 + 12k, at most 150 (each keeps one vector: 150 × 669,706 floats ≈ 400 MB; a
     * low-rank Hessian's eigenvalues near 0 never meet a relative tolerance, so the cap bounds the cost).
     */
    private static final int LANCZOS_ITERATIONS = 150;

    private final int seeds;
    private final int maxProducts;
    private final int topK;
    private final int frobeniusProbes;
    private final long seed;
    private final CsvTable curve;

    /**
     * @param seeds seeds per budget (at least 10 for a meaningful median)
     * @param maxProducts the largest budget tried
     * @param topK eigenvalues computed by Lanczos
     * @param frobeniusProbes Gaussian probes for the deflated ‖H(I − P)‖_F² estimate
     * @param seed base seed
     * @param curve the CSV that receives every point of the error-versus-products curves
     */
    TraceBenchmark(int seeds, int maxProducts, int topK, int frobeniusProbes, long seed, CsvTable curve) {
        this.seeds = seeds;
        this.maxProducts = maxProducts;
        this.topK = topK;
        this.frobeniusProbes = frobeniusProbes;
        this.seed = seed;
        this.curve = curve;
    }

    /** @return the header of the CSV curve */
    static List<String> curveHeader() {
        return List.of("hessian", "estimator", "products", "median_rel_err", "mean_rel_err", "max_rel_err", "seeds");
    }

    /**
     * Measures the Hessian of a block's softmax cross-entropy on some images.
     *
     * @param hessian "init" or "trained", for the keys and the CSV
     * @param block the bench MLP (float32)
     * @param images the images whose mean loss is differentiated
     * @return the figures of {@link #run}
     */
    Map<String, Object> measure(String hessian, Block block, MnistArrays images) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = NativeArrays.of(m, images.pixels(), new Shape(images.size(), 784), DataType.FLOAT32);
            double[] labels = Arrays.stream(images.labels()).asDoubleStream().toArray();
            NDArray y = NativeArrays.of(m, labels, new Shape(images.size()), DataType.INT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                    .addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj)) {
                return run(hessian, obj, h);
            }
        }
    }

    /**
     * Measures one Hessian.
     *
     * @param hessian "init" or "trained", for the keys and the CSV
     * @param objective the objective (a ReLU MLP with softmax cross-entropy)
     * @param h its Hessian operator
     * @return the figures: {@code exact}, {@code rounding}, {@code products_1pct} (per estimator) and the spectrum
     */
    Map<String, Object> run(String hessian, Objective objective, HessianOperator h) {
        Map<String, Object> out = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        double exact = ExactTrace.builder().build().trace(objective);
        double exactMs = (System.nanoTime() - t0) / 1e6;
        double single = ExactTrace.builder().optDataType(DataType.FLOAT32).build().trace(objective);
        out.put("trace_exact", exact);
        out.put("trace_exact_ms", exactMs);
        // the same computation in float32 differs by its rounding; float64's unit roundoff is 2^-29 of float32's
        out.put("trace_float32_rel_diff", Math.abs(single - exact) / exact);
        LOGGER.info("{}: exact trace {} ({} ms), float32 {}", hessian, exact, exactMs, single);

        out.putAll(spectrum(h, exact));
        try (GaussNewtonOperator g = GaussNewtonOperator.of(objective)) {
            // ‖G‖_F² against ‖H‖_F²: what ‖H‖_F² holds beyond the Gauss–Newton part is the network's own curvature
            // Σ (∂ℓ/∂f)∇²f, whose diagonal (hence trace) is zero for a ReLU MLP
            double[] ggn = squaredNorm(g, seed + 29);
            out.put("ggn_frobenius2", ggn[0]);
            out.put("ggn_frobenius2_se", ggn[1]);
            LOGGER.info("{}: Gauss–Newton part ‖G‖_F² = {} ± {}", hessian, ggn[0], ggn[1]);
        }

        Map<String, Object> products = new LinkedHashMap<>();
        products.put("hutchinson", firstBudget(hessian, "hutchinson", exact,
                (b, s) -> Hutchinson.builder().optSamples(b).optSeed(s).build().run(h).value()));
        products.put("hutchpp", firstBudget(hessian, "hutchpp", exact,
                (b, s) -> HutchPlusPlus.builder().optProducts(b).optSeed(s).build().run(h).value()));
        products.put("xtrace", firstBudget(hessian, "xtrace", exact,
                (b, s) -> XTrace.builder().optProducts(b).optSeed(s).build().run(h).value()));
        out.put("trace_products_1pct", products);
        return out;
    }

    private Map<String, Object> spectrum(HessianOperator h, double trace) {
        Map<String, Object> out = new LinkedHashMap<>();
        // both ends: at initialisation the network's own curvature Σ (∂ℓ/∂f)∇²f has zero trace but large
        // eigenvalues of both signs, which weigh in ‖H‖_F² (and in Hutchinson's variance) but cancel in tr(H)
        Eigenpairs ends = Lanczos.builder().optTopK(topK).optWhich(Lanczos.Which.BOTH_ENDS)
                .optTolerance(LANCZOS_TOLERANCE).optMaxIterations(Math.min(LANCZOS_ITERATIONS, 30 + 12 * topK))
                .optSeed(seed + 17)
                .optKeepVectors(true).build().run(h);
        double[] lambda = ends.values(); // the k largest, then the k smallest
        int k = lambda.length / 2;
        double sum = 0;
        double sumSq = 0;
        double bottomSq = 0;
        for (int i = 0; i < lambda.length; i++) {
            if (i < k) {
                sum += lambda[i];
                sumSq += lambda[i] * lambda[i];
            } else {
                bottomSq += lambda[i] * lambda[i];
            }
        }
        double hp = 0; // ‖HP‖_F² = Σ ‖H vᵢ‖²
        double tail; // ‖H(I − P)‖_F², estimated
        double tailSe;
        DataType type = h.dataType();
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> v = new ArrayList<>();
            for (int i = 0; i < lambda.length; i++) {
                v.add(Vectors.of(m, ends.vector(i), type));
            }
            for (NDArray vi : v) {
                try (NDArray hv = h.apply(vi)) {
                    double n = Vectors.norm(hv);
                    hp += n * n;
                }
            }
            SplittableRandom r = new SplittableRandom(seed + 23);
            double[] q = new double[frobeniusProbes];
            for (int j = 0; j < q.length; j++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray w = Vectors.gaussian(s, h.dimension(), type, r);
                    for (NDArray vi : v) {
                        try (NDArray c = vi.mul(Vectors.dot(vi, w))) { // not differentiated
                            w.subi(c);
                        }
                    }
                    try (NDArray hw = h.apply(w)) {
                        double n = Vectors.norm(hw);
                        q[j] = n * n;
                    }
                }
            }
            double[] meanSe = meanAndStandardError(q);
            tail = meanSe[0];
            tailSe = meanSe[1];
        }
        double frob2 = hp + tail;
        out.put("lambda_top", Arrays.stream(lambda, 0, k).boxed().toList());
        out.put("lambda_bottom", Arrays.stream(lambda, k, lambda.length).boxed().toList());
        out.put("lambda_residual_max", Arrays.stream(ends.residuals()).max().orElse(Double.NaN));
        out.put("lanczos_products", ends.products());
        out.put("top_k", k);
        out.put("top_k_trace_share", sum / trace);
        out.put("frobenius2", frob2);
        out.put("frobenius2_se", tailSe);
        out.put("top_k_frobenius2_share", sumSq / frob2);
        out.put("bottom_k_frobenius2_share", bottomSq / frob2);
        out.put("effective_rank", trace * trace / frob2);
        out.put("hutchinson_products_1pct_predicted", 2 * 0.6745 * 0.6745 * 1e4 * frob2 / (trace * trace));
        LOGGER.info("top and bottom {} eigenvalues {}: top {} of tr(H), {} of ‖H‖_F² = {} ± {}; bottom {} of ‖H‖_F²",
                k, lambda, sum / trace, sumSq / frob2, frob2, tailSe, bottomSq / frob2);
        return out;
    }

    /** E‖Aω‖² = ‖A‖_F² over Gaussian ω, with its standard error. */
    private double[] squaredNorm(dev.minima.curvature.SymmetricOperator a, long probeSeed) {
        SplittableRandom r = new SplittableRandom(probeSeed);
        double[] q = new double[frobeniusProbes];
        try (NDManager m = NDManager.newBaseManager()) {
            for (int j = 0; j < q.length; j++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray w = Vectors.gaussian(s, a.dimension(), a.dataType(), r);
                    try (NDArray aw = a.apply(w)) {
                        double n = Vectors.norm(aw);
                        q[j] = n * n;
                    }
                }
            }
        }
        return meanAndStandardError(q);
    }

    /** The mean of the samples and its standard error √(s²/n) (NaN for fewer than two samples). */
    private static double[] meanAndStandardError(double[] q) {
        double mean = Arrays.stream(q).average().orElse(Double.NaN);
        double var = 0;
        for (double x : q) {
            var += (x - mean) * (x - mean);
        }
        return new double[] {mean, q.length > 1 ? Math.sqrt(var / (q.length - 1) / q.length) : Double.NaN};
    }

    /** The smallest budget whose median relative error over the seeds is at most 1%, or null. */
    private Integer firstBudget(String hessian, String name, double exact, ToDoubleBiFunction<Integer, Long> estimate) {
        for (int b = 6; b <= maxProducts; b *= 2) {
            double[] err = new double[seeds];
            for (int s = 0; s < seeds; s++) {
                long runSeed = seed * 1_000_003L + 10_007L * s + b;
                err[s] = Math.abs(estimate.applyAsDouble(b, runSeed) - exact) / Math.abs(exact);
            }
            double[] sorted = err.clone();
            Arrays.sort(sorted);
            double median = seeds % 2 == 1 ? sorted[seeds / 2] : 0.5 * (sorted[seeds / 2 - 1] + sorted[seeds / 2]);
            double mean = Arrays.stream(err).average().orElse(Double.NaN);
            curve.row(hessian, name, b, median, mean, sorted[seeds - 1], seeds);
            LOGGER.info("{} {} at {} products: median relative error {}", hessian, name, b, median);
            if (median <= 0.01) {
                return b;
            }
        }
        return null;
    }
}
