package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Extreme eigenpairs of a symmetric operator by the Lanczos method with full reorthogonalisation.
 *
 * <p>A product that comes back NaN or infinite stops the run with {@link NonFiniteProductException}. On an
 * operator that is not deterministic ({@link SymmetricOperator#isDeterministic()}: dropout in training mode)
 * the residuals are measured with one fresh product per pair and the result is marked not converged and not
 * deterministic.
 *
 * <p>After j products the Ritz values of the j×j tridiagonal matrix T_j approximate the extreme eigenvalues;
 * the residual of a Ritz pair (θ, y) is exactly β_j |s_j| (s the eigenvector of T_j), so it is known without
 * further products and reported as the error bar. Iteration stops when every requested pair has residual ≤
 * {@code tolerance · max(|θ|, 1e-12)}. Full reorthogonalisation (Gram–Schmidt twice against every Lanczos
 * vector) keeps the basis orthonormal, so no ghost eigenvalues appear. A warm start (e.g. the previous top
 * eigenvector during training) makes the next estimate cost a few products.
 *
 * <pre>{@code
 * Eigenpairs top = Lanczos.builder().optTopK(3).optSeed(0).build().run(hessian);
 * }</pre>
 */
public final class Lanczos {

    /** Which end of the spectrum to report. */
    public enum Which {
        /** The k largest (algebraic) eigenvalues. */
        LARGEST,
        /** The k smallest (algebraic) eigenvalues. */
        SMALLEST,
        /** The k largest and the k smallest together (e.g. sharpness and the most negative curvature). */
        BOTH_ENDS
    }

    private final int topK;
    private final int maxIterations;
    private final double tolerance;
    private final long seed;
    private final Which which;
    private final double[] warmStart;
    private final boolean keepVectors;

    private Lanczos(Builder b) {
        this.topK = b.topK;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
        this.seed = b.seed;
        this.which = b.which;
        this.warmStart = b.warmStart;
        this.keepVectors = b.keepVectors;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs Lanczos on an operator.
     *
     * @param op the operator
     * @return the requested eigenpairs, ordered from the requested end inward (largest first for LARGEST,
     *     smallest first for SMALLEST); for BOTH_ENDS the k largest then the k smallest, all largest first
     */
    public Eigenpairs run(SymmetricOperator op) {
        long n = op.dimension();
        int k = (int) Math.min(topK, n);
        int m = (int) Math.min(maxIterations, n);
        try (NDManager scratch = Vectors.scratch(op)) {
            NDArray q = start(scratch, op);
            List<NDArray> basis = new ArrayList<>();
            double[] alpha = new double[m];
            double[] beta = new double[m];
            double[] history = new double[m];
            int steps = 0;
            boolean converged = false;
            SymmetricEigen ritz = null;
            double lastBeta = 0;
            for (int j = 0; j < m; j++) {
                basis.add(q);
                NDArray w = op.apply(q);
                w.attach(scratch);
                alpha[j] = NonFiniteProductException.check(Vectors.dot(q, w), "Lanczos", j + 1);
                // Gram–Schmidt twice against every basis vector (full reorthogonalisation)
                for (int pass = 0; pass < 2; pass++) {
                    for (NDArray b : basis) {
                        try (NDArray c = b.dot(w);
                                NDArray bc = b.mul(c)) { // freed at once: O(m²) temporaries otherwise
                            w.subi(bc);
                        }
                    }
                }
                double bj = NonFiniteProductException.check(Vectors.norm(w), "Lanczos", j + 1);
                steps = j + 1;
                beta[j] = bj;
                lastBeta = bj;
                ritz = SymmetricEigen.ofTridiagonal(Arrays.copyOf(alpha, steps), Arrays.copyOf(beta, steps - 1));
                history[j] = which == Which.SMALLEST ? ritz.min() : ritz.max();
                boolean breakdown = bj <= 1e-12 * Math.max(1.0, Math.abs(history[j]));
                if (steps >= wanted(k, n) && (breakdown || allConverged(ritz, k, bj, steps))) {
                    converged = true;
                    break;
                }
                if (breakdown) {
                    break; // invariant subspace smaller than k: the Ritz values are exact
                }
                q = w.div(bj);
                q.attach(scratch);
            }
            int[] selected = selected(steps, k);
            int found = selected.length;
            double[] values = new double[found];
            double[] residuals = new double[found];
            double[][] vectors = new double[found][];
            boolean deterministic = op.isDeterministic();
            int products = steps;
            for (int i = 0; i < found; i++) {
                int idx = selected[i];
                values[i] = ritz.value(idx);
                residuals[i] = Math.abs(lastBeta * ritz.vector(idx)[steps - 1]);
                vectors[i] = keepVectors || !deterministic ? ritzVector(basis, ritz.vector(idx), scratch) : new double[0];
                if (!deterministic) {
                    // β|s| assumes one fixed matrix; a random operator's residual is measured with a fresh product
                    residuals[i] = measuredResidual(op, vectors[i], values[i], scratch);
                    products++;
                    if (!keepVectors) {
                        vectors[i] = new double[0];
                    }
                }
            }
            if (!deterministic) {
                converged = false; // no tolerance on the noise of a random operator is met by construction
            }
            return new Eigenpairs(values, residuals, vectors, products, converged, Arrays.copyOf(history, steps),
                    deterministic);
        }
    }

    /** @return how many Ritz values the requested pairs need */
    private int wanted(int k, long n) {
        return which == Which.BOTH_ENDS ? (int) Math.min(2L * k, n) : k;
    }

    /** @return indices into the ascending Ritz values, in output order */
    private int[] selected(int steps, int k) {
        int top = Math.min(k, steps);
        int count = which == Which.BOTH_ENDS ? top + Math.min(k, steps - top) : top;
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) {
            if (which == Which.SMALLEST) {
                idx[i] = i;
            } else if (i < top) {
                idx[i] = steps - 1 - i;
            } else {
                idx[i] = count - 1 - i; // the bottom ones, largest first
            }
        }
        return idx;
    }

    private boolean allConverged(SymmetricEigen ritz, int k, double bj, int steps) {
        // BOTH_ENDS: relative to the spectral radius, since the small end of a Hessian sits near 0
        double radius = Math.max(Math.abs(ritz.max()), Math.abs(ritz.min()));
        for (int idx : selected(steps, k)) {
            double theta = ritz.value(idx);
            double scale = which == Which.BOTH_ENDS ? radius : Math.abs(theta);
            double res = Math.abs(bj * ritz.vector(idx)[steps - 1]);
            if (res > tolerance * Math.max(scale, 1e-12)) {
                return false;
            }
        }
        return true;
    }

    private NDArray start(NDManager scratch, SymmetricOperator op) {
        NDArray v;
        if (warmStart != null) {
            if (warmStart.length != op.dimension()) {
                throw new IllegalArgumentException("warm start of length " + warmStart.length
                        + " does not fit an operator of dimension " + op.dimension());
            }
            v = Vectors.of(scratch, warmStart, op.dataType());
        } else {
            v = Vectors.gaussian(scratch, op.dimension(), op.dataType(), new SplittableRandom(seed));
        }
        double norm = Vectors.norm(v);
        if (!(norm > 0) || !Double.isFinite(norm)) {
            if (warmStart == null) {
                throw new IllegalStateException("random start vector has norm " + norm);
            }
            v = Vectors.gaussian(scratch, op.dimension(), op.dataType(), new SplittableRandom(seed));
            norm = Vectors.norm(v);
        }
        return v.div(norm);
    }

    private static double measuredResidual(SymmetricOperator op, double[] y, double theta, NDManager scratch) {
        try (NDManager scope = scratch.newSubManager()) {
            NDArray v = Vectors.of(scope, y, op.dataType());
            NDArray av = op.apply(v);
            av.attach(scope);
            NDArray r = av.sub(v.mul(theta)); // not differentiated
            return NonFiniteProductException.check(Vectors.norm(r), "Lanczos", 0);
        }
    }

    private static double[] ritzVector(List<NDArray> basis, double[] s, NDManager scratch) {
        NDArray y = basis.get(0).mul(s[0]);
        for (int j = 1; j < basis.size() && j < s.length; j++) {
            try (NDArray term = basis.get(j).mul(s[j])) {
                y.addi(term);
            }
        }
        double nrm = Vectors.norm(y);
        return Vectors.toDoubles(y.div(nrm));
    }

    /** Builder of {@link Lanczos}. */
    public static final class Builder {
        private int topK = 1;
        private int maxIterations = 100;
        private double tolerance = 1e-3;
        private long seed;
        private Which which = Which.LARGEST;
        private double[] warmStart;
        private boolean keepVectors = true;

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
         * @param maxIterations the most operator products (default 100)
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
         * @param tolerance stop when every residual ≤ tolerance·|λ| (BOTH_ENDS: tolerance·max|λ|) (default 1e-3; the
         *     eigenvalue error is then of order residual²/gap, far smaller)
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
         * @param seed seed of the random start vector (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param which the end of the spectrum (default LARGEST)
         * @return this builder
         */
        public Builder optWhich(Which which) {
            this.which = which;
            return this;
        }

        /**
         * @param vector a start vector, e.g. the previous top eigenvector (null for a random start)
         * @return this builder
         */
        public Builder optWarmStart(double[] vector) {
            this.warmStart = vector == null ? null : vector.clone();
            return this;
        }

        /**
         * @param keep whether to compute and keep the eigenvectors (default true)
         * @return this builder
         */
        public Builder optKeepVectors(boolean keep) {
            this.keepVectors = keep;
            return this;
        }

        /** @return the estimator */
        public Lanczos build() {
            return new Lanczos(this);
        }
    }
}
