package dev.minima.monitor;

import dev.minima.curvature.HessianCovarianceOperator;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.loss.Loss;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.SymmetricOperator;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks Wu, Ma &amp; E's (2018) linear stability condition for SGD with learning rate η and batch size B at the
 * current parameters (meant for a minimum), on a probe set of examples (docs/theory.md §0):
 * a = λ_max(H) by Lanczos on the probe Hessian, s² = λ_max(Σ) by Lanczos on
 * v ↦ (1/n)Σ_i H_i(H_i v) − H(Hv) with exact per-example Hessian-vector products (as the authors' code
 * does with power iteration), and optionally the mean-square radius
 * λ_max{(I − ηH)² + η²(n−B)/(B(n−1))·Σ}.
 *
 * <pre>{@code
 * SgdStability r = SgdStabilityCheck.builder().setBlock(block).setLoss(Losses.halfMse())
 *         .setProbe(x, y).setLearningRate(0.1).setBatchSize(10).build().run();
 * }</pre>
 *
 * <p>Cost: each Σ product takes 2n per-example and 2 full-batch Hessian-vector products, and n gradient
 * graphs of one example are kept in memory, so keep the probe small (tens to a few hundred examples).
 */
public final class SgdStabilityCheck {

    private static final Logger LOGGER = LoggerFactory.getLogger(SgdStabilityCheck.class);

    private final Block block;
    private final Loss loss;
    private final NDList data;
    private final NDList labels;
    private final double eta;
    private final int batchSize;
    private final long trainingSetSize;
    private final boolean meanSquare;
    private final double tolerance;
    private final int maxIterations;
    private final long seed;

    private SgdStabilityCheck(Builder b) {
        this.block = b.block;
        this.loss = b.loss;
        this.data = b.data;
        this.labels = b.labels;
        this.eta = b.eta;
        this.batchSize = b.batchSize;
        this.trainingSetSize = b.trainingSetSize > 0 ? b.trainingSetSize : b.data.get(0).getShape().get(0);
        this.meanSquare = b.meanSquare;
        this.tolerance = b.tolerance;
        this.maxIterations = b.maxIterations;
        this.seed = b.seed;
        if (batchSize > trainingSetSize) {
            throw new IllegalArgumentException("batch size " + batchSize + " exceeds the training-set size "
                    + trainingSetSize + ": set optTrainingSetSize(n) to the size of the data SGD samples from");
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the check at the block's current parameters.
     *
     * @return the result
     */
    public SgdStability run() {
        ParameterSpace space = ParameterSpace.of(block);
        long n = trainingSetSize;
        int b = batchSize;
        double c = b >= n ? 0.0 : (double) (n - b) / ((double) b * (n - 1)); // variance factor of B-of-n sampling
        double sThreshold = c == 0 ? Double.POSITIVE_INFINITY : Math.sqrt(1.0 / c) / eta;
        try (HessianCovarianceOperator sigma = HessianCovarianceOperator.of(block, loss, space, data, labels)) {
            Eigenpairs top = lanczos().run(sigma.hessian());
            long before = sigma.hessian().products();
            Eigenpairs cov = lanczos().run(sigma);
            long products = top.products() + (long) cov.products() * 2 * sigma.size()
                    + (sigma.hessian().products() - before);
            double a = top.value(0);
            double s2 = cov.value(0);
            double s = Math.sqrt(Math.max(0, s2));
            double radius = Double.NaN;
            if (meanSquare) {
                SymmetricOperator m = meanSquareOperator(sigma, c);
                long hBefore = sigma.hessian().products();
                Eigenpairs ms = lanczos().run(m);
                radius = ms.value(0);
                products += (long) ms.products() * 2 * sigma.size() + (sigma.hessian().products() - hBefore);
            }
            SgdStability.Verdict verdict;
            if (a > 2.0 / eta) {
                verdict = SgdStability.Verdict.UNSTABLE_SHARPNESS;
            } else if (s > sThreshold) {
                verdict = SgdStability.Verdict.UNSTABLE_NON_UNIFORMITY;
            } else if (meanSquare) {
                verdict = radius > 1 ? SgdStability.Verdict.UNSTABLE_MEAN_SQUARE
                        : SgdStability.Verdict.STABLE_MEAN_SQUARE;
            } else {
                verdict = SgdStability.Verdict.NECESSARY_CONDITIONS_HOLD;
            }
            SgdStability r = new SgdStability(a, top.residual(0), s, s2, cov.residual(0), eta, b, n, 2.0 / eta,
                    sThreshold, radius, products, verdict);
            LOGGER.info("SGD stability (eta {}, B {}, n {}): a = {} (<= {}?), s = {} (<= {}?){} -> {}", eta, b, n, a,
                    2.0 / eta, s, sThreshold, meanSquare ? ", mean-square radius " + radius : "", verdict);
            return r;
        }
    }

    private Lanczos lanczos() {
        return Lanczos.builder().optTopK(1).optTolerance(tolerance).optMaxIterations(maxIterations).optSeed(seed)
                .optKeepVectors(false).build();
    }

    /** v ↦ (I − ηH)²v + η²cΣv = v − 2ηHv + η²H(Hv) + η²cΣv. */
    private SymmetricOperator meanSquareOperator(HessianCovarianceOperator sigma, double c) {
        return new SymmetricOperator() {
            @Override
            public long dimension() {
                return sigma.dimension();
            }

            @Override
            public ai.djl.ndarray.types.DataType dataType() {
                return sigma.dataType();
            }

            @Override
            public ai.djl.Device device() {
                return sigma.device();
            }

            @Override
            public NDArray apply(NDArray v) {
                NDManager target = v.getManager();
                try (NDManager scope = target.newSubManager()) {
                    NDArray x = v.duplicate();
                    x.attach(scope);
                    HessianCovarianceOperator.Products p = sigma.products(x);
                    NDArray r = x.sub(p.hv().mul(2 * eta)).add(p.hhv().mul(eta * eta))
                            .add(p.sigmaV().mul(eta * eta * c));
                    r.attach(target);
                    return r;
                }
            }
        };
    }

    /** Builder of {@link SgdStabilityCheck}. */
    public static final class Builder {
        private Block block;
        private Loss loss;
        private NDList data;
        private NDList labels;
        private double eta = Double.NaN;
        private int batchSize;
        private long trainingSetSize;
        private boolean meanSquare;
        private double tolerance = 1e-6;
        private int maxIterations = 100;
        private long seed;

        private Builder() {}

        /**
         * @param block an initialised block at (or near) a minimum
         * @return this builder
         */
        public Builder setBlock(Block block) {
            this.block = block;
            return this;
        }

        /**
         * @param loss a per-example-mean loss from Minima's {@code Losses}
         * @return this builder
         */
        public Builder setLoss(Loss loss) {
            this.loss = loss;
            return this;
        }

        /**
         * @param data probe inputs, batch first (n ≥ 2)
         * @param labels probe labels
         * @return this builder
         */
        public Builder setProbe(NDList data, NDList labels) {
            this.data = data;
            this.labels = labels;
            return this;
        }

        /**
         * @param data probe inputs, batch first (n ≥ 2)
         * @param labels probe labels
         * @return this builder
         */
        public Builder setProbe(NDArray data, NDArray labels) {
            return setProbe(new NDList(data), new NDList(labels));
        }

        /**
         * @param eta SGD's learning rate (positive)
         * @return this builder
         */
        public Builder setLearningRate(double eta) {
            this.eta = eta;
            return this;
        }

        /**
         * @param batchSize SGD's batch size B (positive)
         * @return this builder
         */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param n the size of the data SGD samples its batches from (default: the probe size)
         * @return this builder
         */
        public Builder optTrainingSetSize(long n) {
            this.trainingSetSize = n;
            return this;
        }

        /**
         * @param meanSquare also compute the mean-square radius (one more Lanczos run; default false)
         * @return this builder
         */
        public Builder optMeanSquare(boolean meanSquare) {
            this.meanSquare = meanSquare;
            return this;
        }

        /**
         * @param tolerance Lanczos relative residual tolerance (default 1e-6)
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /**
         * @param maxIterations Lanczos products per run (default 100)
         * @return this builder
         */
        public Builder optMaxIterations(int maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * @param seed seed of the Lanczos start vectors (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @return the check
         * @throws IllegalArgumentException naming a missing or invalid setting
         */
        public SgdStabilityCheck build() {
            Objects.requireNonNull(block, "setBlock(block) is required");
            Objects.requireNonNull(loss, "setLoss(loss) is required");
            if (data == null || labels == null) {
                throw new IllegalArgumentException("setProbe(data, labels) is required: the per-example Hessians are"
                        + " taken on these examples");
            }
            if (!(eta > 0) || Double.isInfinite(eta)) {
                throw new IllegalArgumentException("setLearningRate(eta) needs a positive finite eta, got " + eta);
            }
            if (batchSize <= 0) {
                throw new IllegalArgumentException("setBatchSize(B) needs a positive batch size, got " + batchSize);
            }
            if (data.isEmpty() || data.get(0).getShape().dimension() == 0 || data.get(0).getShape().get(0) < 2) {
                throw new IllegalArgumentException("the probe needs at least 2 examples to estimate the Hessian"
                        + " covariance, got " + (data.isEmpty() ? "none" : data.get(0).getShape()));
            }
            if (trainingSetSize < 0) {
                throw new IllegalArgumentException("the training-set size must be positive, got " + trainingSetSize);
            }
            return new SgdStabilityCheck(this);
        }
    }
}
