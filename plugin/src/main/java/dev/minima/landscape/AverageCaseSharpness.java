package dev.minima.landscape;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.util.ProgressBar;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Average-case sharpness E_δ L(θ + δ) − L(θ) for Gaussian δ ~ N(0, σ²I), or in the adaptive form δ ~ N(0,
 * σ² diag(θ²)) (Andriushchenko et al. 2023, eq. (2) and Sec. 3), estimated by Monte Carlo with its standard
 * error.
 *
 * <p>Each sample is an antithetic pair: ½[L(θ + δ) + L(θ − δ)] − L(θ). The pair has the same expectation (δ is
 * symmetric) and cancels the first-order term ∇Lᵀδ, whose spread would otherwise dominate the error away from
 * an exact minimum. On a quadratic L = ½(θ − c)ᵀA(θ − c) every pair equals ½δᵀAδ, whose mean is ½σ² tr(A)
 * (adaptive: ½σ² Σ_i A_ii θ_i²). The standard error is the sample standard deviation over √samples. The
 * parameters are put back bit for bit afterwards.
 */
public final class AverageCaseSharpness {

    private final double sigma;
    private final boolean adaptive;
    private final int samples;
    private final long seed;
    private final boolean progress;

    private AverageCaseSharpness(Builder b) {
        this.sigma = b.sigma;
        this.adaptive = b.adaptive;
        this.samples = b.samples;
        this.seed = b.seed;
        this.progress = b.progress;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the measure's name, "average-case" or "adaptive average-case" */
    public String measure() {
        return (adaptive ? "adaptive " : "") + "average-case";
    }

    /**
     * @param objective block, loss and data
     * @return the mean loss increase and its standard error
     * @throws dev.minima.curvature.NonFiniteLossException if the loss is not finite at a sample
     */
    public SharpnessEstimate run(Objective objective) {
        Objects.requireNonNull(objective, "objective");
        ParameterSpace space = objective.space();
        SplittableRandom random = new SplittableRandom(seed);
        double sum = 0;
        double sumSq = 0;
        double l2 = 0;
        double linf = 0;
        double baseLoss;
        ProgressBar bar = progress ? new ProgressBar(measure() + " sharpness", samples) : null;
        if (bar != null) {
            bar.start(0);
        }
        try (NDManager base = NDManager.newBaseManager(space.device(), "PyTorch")) {
            NDArray theta = space.values(base);
            NDArray scale = adaptive ? theta.abs() : null;
            Evaluator evaluator = new Evaluator(objective, base);
            try {
                baseLoss = evaluator.lossAndAccuracy(base, false)[0];
                for (int k = 0; k < samples; k++) {
                    try (NDManager scope = base.newSubManager()) {
                        NDArray delta = Vectors.gaussian(scope, space.dimension(), space.dataType(), random);
                        delta.muli(NativeArrays.scalar(scope, sigma, delta.getDataType()));
                        if (scale != null) {
                            delta.muli(scale);
                        }
                        l2 += Vectors.norm(delta);
                        linf += Vectors.scalar(delta.abs().max());
                        space.assign(delta.add(theta));
                        double plus = evaluator.lossAndAccuracy(scope, false)[0];
                        space.assign(delta.neg().addi(theta));
                        double minus = evaluator.lossAndAccuracy(scope, false)[0];
                        double v = 0.5 * (plus + minus) - baseLoss;
                        sum += v;
                        sumSq += v * v;
                    }
                    if (bar != null) {
                        bar.update(k + 1);
                    }
                }
            } finally {
                space.assign(theta);
            }
        }
        if (bar != null) {
            bar.end();
        }
        double mean = sum / samples;
        double var = Math.max(0, (sumSq - samples * mean * mean) / (samples - 1));
        return new SharpnessEstimate(measure(), mean, Math.sqrt(var / samples), baseLoss, sigma, l2 / samples,
                linf / samples, 1 + 2 * samples, new double[0]);
    }

    /** Builder of {@link AverageCaseSharpness}. */
    public static final class Builder {
        private double sigma = 0.01;
        private boolean adaptive;
        private int samples = 50;
        private long seed;
        private boolean progress;

        private Builder() {}

        /**
         * @param sigma the standard deviation of δ, &gt; 0 (default 0.01); relative to |θ| when adaptive
         * @return this builder
         */
        public Builder optSigma(double sigma) {
            this.sigma = sigma;
            return this;
        }

        /**
         * @param adaptive scale δ elementwise by |θ| (default false)
         * @return this builder
         */
        public Builder optAdaptive(boolean adaptive) {
            this.adaptive = adaptive;
            return this;
        }

        /**
         * @param samples antithetic pairs, ≥ 2 (default 50)
         * @return this builder
         */
        public Builder optSamples(int samples) {
            this.samples = samples;
            return this;
        }

        /**
         * @param seed seed of the Gaussian draws (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param progress show a DJL progress bar (default false)
         * @return this builder
         */
        public Builder optProgressBar(boolean progress) {
            this.progress = progress;
            return this;
        }

        /**
         * @return the estimator
         * @throws IllegalArgumentException if σ ≤ 0 or not finite, or fewer than 2 samples
         */
        public AverageCaseSharpness build() {
            if (!(sigma > 0) || !Double.isFinite(sigma)) {
                throw new IllegalArgumentException("sigma must be positive and finite, got " + sigma
                        + ": the standard deviation of the Gaussian perturbation, e.g. optSigma(0.01)");
            }
            if (samples < 2) {
                throw new IllegalArgumentException("at least 2 samples are needed for a standard error, got " + samples);
            }
            return new AverageCaseSharpness(this);
        }
    }
}
