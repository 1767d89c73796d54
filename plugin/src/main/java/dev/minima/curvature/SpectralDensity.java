package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spectral density of a symmetric operator by stochastic Lanczos quadrature (Lin, Saad and Yang 2016,
 * "Approximating spectral densities of large matrices"; as in Ghorbani, Krishnan and Xiao 2019 and PyHessian):
 * for each of {@code probes} normalised Rademacher vectors v, m Lanczos steps with full reorthogonalisation give T_m = Y diag(θ) Yᵀ; the nodes θ_k
 * and weights τ_k² = Y_{1k}² are the Gauss quadrature of vᵀ f(A) v, so
 * φ(t) ≈ (1/probes) Σ_probes Σ_k τ_k² g_σ(t − θ_k) with a Gaussian kernel g_σ. Each probe's weights sum to 1,
 * so the density integrates to 1; the grid spans the nodes ± 5σ.
 *
 * <pre>{@code
 * SpectralDensityEstimate d = SpectralDensity.builder().optProbes(4).optLanczosSteps(80).optSeed(0).build().run(h);
 * }</pre>
 */
public final class SpectralDensity {

    private static final Logger LOGGER = LoggerFactory.getLogger(SpectralDensity.class);

    private final int probes;
    private final int steps;
    private final long seed;
    private final int gridPoints;
    private final double sigma;
    private final double relativeSigma;

    private SpectralDensity(Builder b) {
        this.probes = b.probes;
        this.steps = b.steps;
        this.seed = b.seed;
        this.gridPoints = b.gridPoints;
        this.sigma = b.sigma;
        this.relativeSigma = b.relativeSigma;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param op a symmetric operator
     * @return nodes, weights and the smoothed density
     */
    public SpectralDensityEstimate run(SymmetricOperator op) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] nodes = new double[probes][];
        double[][] weights = new double[probes][];
        int products = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        try (NDManager scratch = Vectors.scratch(op)) {
            for (int p = 0; p < probes; p++) {
                LanczosTridiagonal t;
                try (NDManager scope = scratch.newSubManager()) {
                    NDArray v = Vectors.rademacher(scope, op.dimension(), op.dataType(), random);
                    v.divi(Vectors.norm(v));
                    t = LanczosTridiagonal.of(op, v, steps);
                }
                products += t.products();
                SymmetricEigen eig = SymmetricEigen.ofTridiagonal(t.alpha(), t.beta());
                int m = t.alpha().length;
                nodes[p] = eig.values();
                weights[p] = new double[m];
                for (int k = 0; k < m; k++) {
                    double y = eig.vector(k)[0];
                    weights[p][k] = y * y;
                }
                lo = Math.min(lo, nodes[p][0]);
                hi = Math.max(hi, nodes[p][m - 1]);
            }
        }
        double s = sigma > 0 ? sigma : relativeSigma * (hi > lo ? hi - lo : Math.max(Math.abs(hi), 1.0));
        double[] grid = new double[gridPoints];
        double[] density = new double[gridPoints];
        double a = lo - 5 * s;
        double b = hi + 5 * s;
        double norm = 1.0 / (probes * s * Math.sqrt(2 * Math.PI));
        for (int i = 0; i < gridPoints; i++) {
            double t = a + (b - a) * i / (gridPoints - 1);
            grid[i] = t;
            double d = 0;
            for (int p = 0; p < probes; p++) {
                for (int k = 0; k < nodes[p].length; k++) {
                    double z = (t - nodes[p][k]) / s;
                    d += weights[p][k] * Math.exp(-0.5 * z * z);
                }
            }
            density[i] = d * norm;
        }
        LOGGER.debug("SLQ: {} probes, {} products, spectrum within [{}, {}], sigma {}", probes, products, lo, hi, s);
        return new SpectralDensityEstimate(grid, density, nodes, weights, s, products);
    }

    /** Builder of {@link SpectralDensity}. */
    public static final class Builder {
        private int probes = 1;
        private int steps = 90;
        private long seed;
        private int gridPoints = 1000;
        private double sigma;
        private double relativeSigma = 0.01;

        private Builder() {}

        /**
         * @param probes random probes n_v (default 1, PyHessian's); the density's variance falls as 1/probes
         * @return this builder
         */
        public Builder optProbes(int probes) {
            if (probes < 1) {
                throw new IllegalArgumentException("probes must be at least 1, got " + probes);
            }
            this.probes = probes;
            return this;
        }

        /**
         * @param steps Lanczos steps m per probe, one product each (default 90; capped at the dimension)
         * @return this builder
         */
        public Builder optLanczosSteps(int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("Lanczos steps must be at least 1, got " + steps);
            }
            this.steps = steps;
            return this;
        }

        /**
         * @param seed seed of the probes (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param points grid points of the smoothed density (default 1000, at least 2)
         * @return this builder
         */
        public Builder optGridPoints(int points) {
            if (points < 2) {
                throw new IllegalArgumentException("the grid needs at least 2 points, got " + points);
            }
            this.gridPoints = points;
            return this;
        }

        /**
         * @param sigma an absolute kernel width (overrides the relative width)
         * @return this builder
         */
        public Builder optSigma(double sigma) {
            if (!(sigma > 0)) {
                throw new IllegalArgumentException("sigma must be positive, got " + sigma);
            }
            this.sigma = sigma;
            return this;
        }

        /**
         * @param fraction the kernel width as a fraction of the spread of the nodes (default 0.01)
         * @return this builder
         */
        public Builder optRelativeSigma(double fraction) {
            if (!(fraction > 0)) {
                throw new IllegalArgumentException("relative sigma must be positive, got " + fraction);
            }
            this.relativeSigma = fraction;
            this.sigma = 0;
            return this;
        }

        /** @return the estimator */
        public SpectralDensity build() {
            return new SpectralDensity(this);
        }
    }
}
