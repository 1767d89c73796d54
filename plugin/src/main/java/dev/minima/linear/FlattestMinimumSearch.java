package dev.minima.linear;

import dev.minima.curvature.SymmetricEigen;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The numerical search for a flattest global minimum of a deep linear network that Mulayoff &amp; Michaeli (2020)
 * describe in their supplement (Sec. IX.1, eqs. S105–S106): start from a random point of the manifold of global
 * minima Ω, take random multiplicative steps that stay on Ω, and keep a step only if it lowers λ_max of the
 * Hessian. The closed form of Theorem 1 is not used by the search, so the value it reaches is an independent
 * check of that theorem.
 *
 * <ul>
 *   <li>Start (S105): A_1, …, A_m with i.i.d. N(0, 1) entries, j uniform in {1, …, m}; W_i = A_i for i ≠ j and
 *       W_j = (A_m ⋯ A_{j+1})⁻¹ T (A_{j−1} ⋯ A_1)⁻¹, so W_m ⋯ W_1 = T.
 *   <li>Step (S106): with fresh Gaussian A_1, …, A_{m−1} and B_i = I + ε A_i, W_m ← W_m B_{m−1},
 *       W_i ← B_i⁻¹ W_i B_{i−1}, W_1 ← B_1⁻¹ W_1: the product is unchanged.
 *   <li>Acceptance: the step is kept only if λ_max decreases; otherwise a new set of directions is drawn.
 * </ul>
 *
 * <p>The paper leaves the step size ε_t open; here it starts at {@code optInitialStep}, grows ×1.5 after an
 * accepted step and halves after {@code optPatience} rejections in a row. λ_max is the top eigenvalue of the
 * dense dual operator ({@link DualHessianOperator}, d² × d²), exact at every point of Ω. The loss is the
 * paper's ℓ = Ê‖y − f(x)‖² with white inputs, the convention of {@link FlattestSharpness#of(double[][], int)}.
 *
 * <pre>{@code
 * FlattestMinimumSearch.Result r = FlattestMinimumSearch.builder().setTarget(t).setDepth(6).optSeed(1).build().run();
 * r.lambdaMax();   // → 2m σ_max(T)^{2(1−1/m)} up to the stopping tolerance
 * }</pre>
 */
public final class FlattestMinimumSearch {

    private static final Logger logger = LoggerFactory.getLogger(FlattestMinimumSearch.class);

    private final DMatrixRMaj t;
    private final int depth;
    private final long seed;
    private final long maxProposals;
    private final double initialStep;
    private final int patience;
    private final double stopAt;

    private FlattestMinimumSearch(Builder b) {
        this.t = b.t;
        this.depth = b.depth;
        this.seed = b.seed;
        this.maxProposals = b.maxProposals;
        this.initialStep = b.initialStep;
        this.patience = b.patience;
        this.stopAt = b.stopAt;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The outcome of one search.
     *
     * @param network the minimum reached
     * @param startLambdaMax λ_max at the random start (S105)
     * @param lambdaMax λ_max at the minimum reached
     * @param proposals steps proposed (S106)
     * @param accepted steps kept
     * @param startIndex the layer j that absorbed T at the start (1-based)
     * @param productError ‖W_m ⋯ W_1 − T‖_F / ‖T‖_F at the end (rounding drift of the multiplicative steps)
     * @param history λ_max after each accepted step, starting with the start value
     */
    public record Result(DeepLinearNetwork network, double startLambdaMax, double lambdaMax, long proposals,
            long accepted, int startIndex, double productError, double[] history) {}

    /**
     * Runs the search.
     *
     * @return the minimum reached and its trace
     */
    public Result run() {
        int d = t.numRows;
        SplittableRandom random = new SplittableRandom(seed);
        List<DMatrixRMaj> a = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            a.add(RandomMatrices.gaussian(d, d, random));
        }
        int j = 1 + random.nextInt(depth);
        DMatrixRMaj left = CommonOps_DDRM.identity(d); // A_m ⋯ A_{j+1}
        for (int i = depth; i > j; i--) {
            left = CommonOps_DDRM.mult(left, a.get(i - 1), null);
        }
        DMatrixRMaj right = CommonOps_DDRM.identity(d); // A_{j−1} ⋯ A_1
        for (int i = j - 1; i >= 1; i--) {
            right = CommonOps_DDRM.mult(right, a.get(i - 1), null);
        }
        List<DMatrixRMaj> w = new ArrayList<>(a);
        w.set(j - 1, CommonOps_DDRM.mult(CommonOps_DDRM.mult(Dense.inverse("A_m ⋯ A_{j+1}", left), t, null),
                Dense.inverse("A_{j−1} ⋯ A_1", right), null));
        double lambda = lambdaMax(w);
        double start = lambda;
        List<Double> history = new ArrayList<>(List.of(lambda));
        double eps = initialStep;
        int misses = 0;
        long proposals = 0;
        long accepted = 0;
        while (proposals < maxProposals && lambda > stopAt && eps > 1e-14) {
            proposals++;
            List<DMatrixRMaj> b = new ArrayList<>(); // B_i = I + ε A_i, i = 1..m−1
            List<DMatrixRMaj> bInv = new ArrayList<>();
            for (int i = 1; i < depth; i++) {
                DMatrixRMaj bi = RandomMatrices.gaussian(d, d, random);
                CommonOps_DDRM.scale(eps, bi);
                CommonOps_DDRM.addEquals(bi, CommonOps_DDRM.identity(d));
                b.add(bi);
                bInv.add(Dense.inverse("B_" + i, bi));
            }
            List<DMatrixRMaj> next = new ArrayList<>(depth);
            for (int k = 1; k <= depth; k++) {
                DMatrixRMaj wk = w.get(k - 1);
                if (k < depth) {
                    wk = CommonOps_DDRM.mult(bInv.get(k - 1), wk, null);
                }
                if (k > 1) {
                    wk = CommonOps_DDRM.mult(wk, b.get(k - 2), null);
                }
                next.add(wk);
            }
            double candidate = lambdaMax(next);
            if (candidate < lambda) {
                w = next;
                lambda = candidate;
                history.add(lambda);
                accepted++;
                misses = 0;
                eps = Math.min(1.0, eps * 1.5);
            } else if (++misses >= patience) {
                eps /= 2;
                misses = 0;
            }
        }
        DeepLinearNetwork net = network(w);
        double error = NormOps_DDRM.normF(CommonOps_DDRM.subtract(net.productMatrix(), t, null)) / NormOps_DDRM.normF(t);
        logger.debug("flattest-minimum search (seed {}): λ_max {} → {} in {} proposals, {} accepted", seed, start,
                lambda, proposals, accepted);
        return new Result(net, start, lambda, proposals, accepted, j, error,
                history.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double lambdaMax(List<DMatrixRMaj> w) {
        return SymmetricEigen.of(DualHessianOperator.of(network(w)).dense()).max();
    }

    private static DeepLinearNetwork network(List<DMatrixRMaj> w) {
        return DeepLinearNetwork.of(w.stream().map(DMatrixRMaj::get2DData).toList());
    }

    /** Builder of {@link FlattestMinimumSearch}. */
    public static final class Builder {
        private DMatrixRMaj t;
        private int depth;
        private long seed;
        private long maxProposals = 200_000;
        private double initialStep = 0.1;
        private int patience = 200;
        private double stopAt = 0;

        private Builder() {}

        /**
         * @param t the end-to-end matrix T (square, d × d, invertible products are drawn around it)
         * @return this builder
         */
        public Builder setTarget(double[][] t) {
            this.t = Dense.checked("target T", t);
            return this;
        }

        /**
         * @param depth m ≥ 2
         * @return this builder
         */
        public Builder setDepth(int depth) {
            this.depth = depth;
            return this;
        }

        /**
         * @param seed seed of the start and of the step directions (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param maxProposals the most steps to propose (default 200,000)
         * @return this builder
         */
        public Builder optMaxProposals(long maxProposals) {
            this.maxProposals = maxProposals;
            return this;
        }

        /**
         * @param initialStep the first ε (default 0.1)
         * @return this builder
         */
        public Builder optInitialStep(double initialStep) {
            this.initialStep = initialStep;
            return this;
        }

        /**
         * @param patience rejections in a row after which ε is halved (default 200)
         * @return this builder
         */
        public Builder optPatience(int patience) {
            this.patience = patience;
            return this;
        }

        /**
         * Stops as soon as λ_max ≤ this value (the paper stops at Theorem 1's minimum "up to a minor error";
         * default 0: run until the proposals or the step size are exhausted).
         *
         * @param stopAt the target value
         * @return this builder
         */
        public Builder optStopAt(double stopAt) {
            this.stopAt = stopAt;
            return this;
        }

        /**
         * @return the search
         * @throws IllegalArgumentException if T is missing or not square, m &lt; 2, or a setting is out of range
         */
        public FlattestMinimumSearch build() {
            if (t == null) {
                throw new IllegalArgumentException("setTarget(T) is required");
            }
            if (t.numRows != t.numCols) {
                throw new IllegalArgumentException("the search of Mulayoff & Michaeli (2020), eq. S105, needs a square"
                        + " T (d × d, hidden widths d), got " + t.numRows + " × " + t.numCols);
            }
            if (depth < 2) {
                throw new IllegalArgumentException("depth m must be at least 2 (m = 1 has a single minimum), got "
                        + depth);
            }
            if (maxProposals < 0 || !(initialStep > 0) || !(initialStep <= 1) || patience < 1 || !(stopAt >= 0)) {
                throw new IllegalArgumentException("bad search settings: proposals " + maxProposals + ", initial step "
                        + initialStep + " (needs 0 < ε ≤ 1), patience " + patience + ", stop at " + stopAt);
            }
            return new FlattestMinimumSearch(this);
        }
    }
}
