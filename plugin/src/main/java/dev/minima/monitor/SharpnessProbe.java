package dev.minima.monitor;

import dev.minima.curvature.Preconditioner;
import dev.minima.curvature.ScaledOperator;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.minima.autograd.AutogradBridge;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.SymmetricOperator;
import dev.minima.curvature.Vectors;

/**
 * Measures the curvature of an {@link Objective} at the parameters' current values: loss, gradient norm,
 * λ_max (optionally the top k and λ_min) by Lanczos on the exact Hessian, an optional trace, and an optional
 * preconditioned sharpness λ_max(P^{-1/2}HP^{-1/2}).
 *
 * <p>The probe is stateful on purpose: each Lanczos run starts from the eigenvector found by the previous
 * measurement (a warm start), so during training, where the top eigenvector moves slowly, a measurement
 * costs a few Hessian-vector products instead of tens. Random starts use the seed, so results are
 * reproducible. The parameters and their {@code .grad} are never modified.
 *
 * <pre>{@code
 * SharpnessProbe probe = SharpnessProbe.builder().optTopK(1).optSeed(0).build();
 * CurvatureSnapshot s = probe.measure(objective, null);
 * }</pre>
 */
public final class SharpnessProbe {

    private final int topK;
    private final boolean smallest;
    private final TraceEstimator traceEstimator;
    private final double tolerance;
    private final int maxIterations;
    private final long seed;
    private final boolean warmStart;
    private double[] lastTop;
    private double[] lastBottom;
    private double[] lastPreconditioned;

    private SharpnessProbe(Builder b) {
        this.topK = b.topK;
        this.smallest = b.smallest;
        this.traceEstimator = b.traceEstimator;
        this.tolerance = b.tolerance;
        this.maxIterations = b.maxIterations;
        this.seed = b.seed;
        this.warmStart = b.warmStart;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Forgets the warm-start vectors (e.g. after the parameter space changed). */
    public void resetWarmStart() {
        lastTop = null;
        lastBottom = null;
        lastPreconditioned = null;
    }

    /**
     * Measures the objective's curvature at the current parameters.
     *
     * @param objective the probe objective
     * @param preconditioner an adaptive optimiser's preconditioner, or null
     * @return the snapshot
     * @throws dev.minima.curvature.NonFiniteLossException if the probe loss is NaN or infinite
     */
    public CurvatureSnapshot measure(Objective objective, Preconditioner preconditioner) {
        ParameterSpace space = objective.space();
        if (lastTop != null && lastTop.length != space.dimension()) {
            resetWarmStart();
        }
        try (NDManager scope = NDManager.newBaseManager(space.device(), "PyTorch")) {
            if (objective.canRetainGraph()) {
                // one create-graph gradient gives the loss, the gradient norm and every product
                try (HessianOperator h = HessianOperator.of(objective, true)) {
                    return curvature(h, h.retainedLoss(), h.retainedGradientNorm(), space, preconditioner, scope);
                }
            }
            double[] lossAndNorm = lossAndGradientNorm(objective, scope);
            try (HessianOperator h = HessianOperator.of(objective)) {
                return curvature(h, lossAndNorm[0], lossAndNorm[1], space, preconditioner, scope);
            }
        }
    }

    private CurvatureSnapshot curvature(SymmetricOperator h, double loss, double gradientNorm, ParameterSpace space,
            Preconditioner preconditioner, NDManager scope) {
        long products = 0;
        boolean converged = true;
        Eigenpairs top = lanczos(topK, Lanczos.Which.LARGEST, lastTop).run(h);
        products += top.products();
        if (top.size() < topK && lastTop != null) {
            // the warm start spans an invariant subspace smaller than k (e.g. an exact eigenvector):
            // restart from a random vector to find the others
            top = lanczos(topK, Lanczos.Which.LARGEST, null).run(h);
            products += top.products();
        }
        lastTop = warmStart ? top.vector(0) : null;
        converged &= top.converged();
        double lambdaMin = Double.NaN;
        if (smallest) {
            Eigenpairs bottom = lanczos(1, Lanczos.Which.SMALLEST, lastBottom).run(h);
            lastBottom = warmStart ? bottom.vector(0) : null;
            products += bottom.products();
            converged &= bottom.converged();
            lambdaMin = bottom.value(0);
        }
        double trace = Double.NaN;
        double traceError = Double.NaN;
        if (traceEstimator != null) {
            dev.minima.curvature.TraceEstimate t = traceEstimator.estimate(h);
            trace = t.value();
            traceError = t.standardError();
            products += t.products();
        }
        double preconditioned = Double.NaN;
        if (preconditioner != null) {
            NDArray d = preconditioner.inverseSqrtDiagonal(space, scope);
            SymmetricOperator scaled = new ScaledOperator(h, d);
            Eigenpairs p = lanczos(1, Lanczos.Which.LARGEST, lastPreconditioned).run(scaled);
            lastPreconditioned = warmStart ? p.vector(0) : null;
            products += p.products();
            converged &= p.converged();
            preconditioned = p.value(0);
        }
        return new CurvatureSnapshot(loss, gradientNorm, top.value(0), top.residual(0), top.values(), lambdaMin,
                trace, traceError, preconditioned, products, converged);
    }

    private Lanczos lanczos(int k, Lanczos.Which which, double[] start) {
        return Lanczos.builder().optTopK(k).optWhich(which).optTolerance(tolerance).optMaxIterations(maxIterations)
                .optSeed(seed).optWarmStart(warmStart ? start : null).build();
    }

    /** Loss and ‖∇L‖ in one forward and one backward pass (the bridge leaves {@code .grad} alone). */
    private static double[] lossAndGradientNorm(Objective objective, NDManager scope) {
        ParameterSpace space = objective.space();
        AutogradBridge bridge = AutogradBridge.on(space.device());
        double[] loss = {0};
        NDArray[] sum = {null};
        objective.forEachBatch(scope, (l, w, s, b) -> {
            loss[0] += w * Vectors.scalar(l);
            NDArray g = space.flatten(bridge.gradient(l, space.arrays(), false, s)).mul(w);
            if (sum[0] == null) {
                sum[0] = g;
                sum[0].attach(scope);
            } else {
                sum[0].addi(g);
            }
        });
        return new double[] {loss[0], Vectors.norm(sum[0])};
    }

    /** Builder of {@link SharpnessProbe}. */
    public static final class Builder {
        private int topK = 1;
        private boolean smallest;
        private TraceEstimator traceEstimator;
        private double tolerance = 1e-3;
        private int maxIterations = 60;
        private long seed;
        private boolean warmStart = true;

        private Builder() {}

        /**
         * @param k how many of the largest eigenvalues to report (default 1)
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
         * @param smallest also estimate the smallest eigenvalue (negative curvature), default false
         * @return this builder
         */
        public Builder optSmallest(boolean smallest) {
            this.smallest = smallest;
            return this;
        }

        /**
         * @param estimator a trace estimator, e.g. {@link TraceEstimator#hutchinson(int, long)}; null for none
         * @return this builder
         */
        public Builder optTrace(TraceEstimator estimator) {
            this.traceEstimator = estimator;
            return this;
        }

        /**
         * @param tolerance Lanczos stops when the residual ≤ tolerance·|λ| (default 1e-3)
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
         * @param maxIterations the most Hessian-vector products per Lanczos run (default 60)
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
         * @param seed seed of random Lanczos starts (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param warmStart start each Lanczos run from the previous eigenvector (default true)
         * @return this builder
         */
        public Builder optWarmStart(boolean warmStart) {
            this.warmStart = warmStart;
            return this;
        }

        /** @return the probe */
        public SharpnessProbe build() {
            return new SharpnessProbe(this);
        }
    }
}
