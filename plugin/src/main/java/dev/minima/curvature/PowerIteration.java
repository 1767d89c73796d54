package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Top-k eigenpairs by power iteration with deflation, as in PyHessian (Yao et al. 2020, Algorithm 1): each
 * pair is found by iterating v ← Av/‖Av‖ on the complement of the pairs already found (the products are
 * projected off them, Gram–Schmidt twice), with the Rayleigh quotient vᵀAv as the estimate.
 *
 * <p>Power iteration converges to the eigenvalue of largest <em>magnitude</em> at rate |λ₂/λ₁| per product,
 * so it needs many more products than {@link Lanczos} for the same accuracy; it is here because PyHessian's
 * numbers are defined by it. Stopping rules ({@link StoppingRule}): PyHessian's relative change of the
 * estimate (its default: tolerance 1e-3, at most 100 iterations per pair), or the residual ‖Av − λv‖ ≤
 * tolerance·|λ|, an error bar that does not stall on slow convergence. The reported residual is always the
 * true ‖Av − λv‖. The pairs are returned largest first.
 *
 * <pre>{@code
 * Eigenpairs top = PowerIteration.builder().optTopK(2).optSeed(0).build().run(h);
 * }</pre>
 */
public final class PowerIteration {

    private static final Logger LOGGER = LoggerFactory.getLogger(PowerIteration.class);

    /** When an eigenpair is considered found. */
    public enum StoppingRule {
        /** PyHessian's rule: |λ_new − λ_old| / (|λ_old| + 1e-6) &lt; tolerance. */
        RELATIVE_CHANGE,
        /** ‖Av − λv‖ ≤ tolerance·|λ| for the deflated operator. */
        RESIDUAL
    }

    private final int topK;
    private final int maxIterations;
    private final double tolerance;
    private final long seed;
    private final StoppingRule rule;

    private PowerIteration(Builder b) {
        this.topK = b.topK;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
        this.seed = b.seed;
        this.rule = b.rule;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param op a symmetric operator
     * @return the top-k (by magnitude) eigenpairs, sorted largest first, with residuals and vectors
     */
    public Eigenpairs run(SymmetricOperator op) {
        int k = (int) Math.min(topK, op.dimension());
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[k];
        double[] residuals = new double[k];
        double[][] vectors = new double[k][];
        List<Double> history = new ArrayList<>();
        boolean allConverged = true;
        try (NDManager scratch = Vectors.scratch(op)) {
            List<NDArray> found = new ArrayList<>(k);
            for (int p = 0; p < k; p++) {
                NDArray v = Vectors.gaussian(scratch, op.dimension(), op.dataType(), random);
                project(v, found);
                project(v, found);
                v.divi(Vectors.norm(v));
                double previous = Double.NaN;
                double lambda = 0;
                double trueResidual = Double.NaN;
                boolean converged = false;
                for (int it = 0; it < maxIterations; it++) {
                    try (NDManager scope = scratch.newSubManager()) {
                        NDArray w = op.apply(v);
                        w.attach(scope);
                        lambda = NonFiniteProductException.check(Vectors.dot(v, w), "power iteration", history.size() + 1);
                        trueResidual = residual(w, v, lambda);
                        project(w, found);
                        project(w, found);
                        double deflatedResidual = residual(w, v, lambda);
                        history.add(p == 0 ? lambda : values[0]);
                        converged = rule == StoppingRule.RELATIVE_CHANGE
                                ? Math.abs(lambda - previous) / (Math.abs(previous) + 1e-6) < tolerance
                                : deflatedResidual <= tolerance * Math.max(Math.abs(lambda), 1e-300);
                        double norm = Vectors.norm(w);
                        if (converged || !(norm > 0)) {
                            converged = converged || norm == 0; // v lies in the kernel: λ = 0 exactly
                            break;
                        }
                        NDArray next = w.div(norm);
                        next.attach(scratch);
                        v = next;
                        previous = lambda;
                    }
                }
                if (!converged) {
                    allConverged = false;
                    LOGGER.debug("power iteration: pair {} not converged after {} iterations ({} = {})", p,
                            maxIterations, lambda, trueResidual);
                }
                found.add(v);
                values[p] = lambda;
                residuals[p] = trueResidual;
                vectors[p] = Vectors.toDoubles(v);
            }
        }
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        double[] sv = new double[k];
        double[] sr = new double[k];
        double[][] svec = new double[k][];
        for (int i = 0; i < k; i++) {
            sv[i] = values[order[i]];
            sr[i] = residuals[order[i]];
            svec[i] = vectors[order[i]];
        }
        double[] h = history.stream().mapToDouble(Double::doubleValue).toArray();
        return new Eigenpairs(sv, sr, svec, h.length, allConverged, h);
    }

    private static double residual(NDArray w, NDArray v, double lambda) {
        try (NDArray lv = v.mul(lambda); // not differentiated: a Java scalar is safe here
                NDArray r = w.sub(lv)) {
            return Vectors.norm(r);
        }
    }

    /** w ← (I − Σ uuᵀ) w over the found unit vectors, in place. */
    private static void project(NDArray w, List<NDArray> found) {
        for (NDArray u : found) {
            try (NDArray c = u.dot(w);
                    NDArray uc = u.mul(c)) {
                w.subi(uc);
            }
        }
    }

    /** Builder of {@link PowerIteration}. */
    public static final class Builder {
        private int topK = 1;
        private int maxIterations = 100;
        private double tolerance = 1e-3;
        private long seed;
        private StoppingRule rule = StoppingRule.RELATIVE_CHANGE;

        private Builder() {}

        /**
         * @param k how many eigenpairs (default 1)
         * @return this builder
         */
        public Builder optTopK(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("topK must be at least 1, got " + k);
            }
            this.topK = k;
            return this;
        }

        /**
         * @param maxIterations the most products per eigenpair (default 100, PyHessian's)
         * @return this builder
         */
        public Builder optMaxIterations(int maxIterations) {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be at least 1, got " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * @param tolerance the stopping rule's tolerance (default 1e-3, PyHessian's)
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            if (!(tolerance > 0)) {
                throw new IllegalArgumentException("tolerance must be positive, got " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /**
         * @param rule the stopping rule (default {@link StoppingRule#RELATIVE_CHANGE})
         * @return this builder
         */
        public Builder optStoppingRule(StoppingRule rule) {
            this.rule = java.util.Objects.requireNonNull(rule, "rule");
            return this;
        }

        /**
         * @param seed seed of the random start vectors (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the estimator */
        public PowerIteration build() {
            return new PowerIteration(this);
        }
    }
}
