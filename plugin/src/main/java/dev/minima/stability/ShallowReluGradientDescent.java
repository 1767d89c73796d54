package dev.minima.stability;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Full-batch gradient descent on the ½-MSE of a one-hidden-layer ReLU network, in float64 plain Java
 * arrays: the trainer of the papers' step-size sweeps (Mulayoff et al. 2021, supplement Sec. I, Nacson et al. 2023,
 * Sec. 6), which train to L ≤ 10⁻⁸ and need millions of steps per step size. The loop allocates nothing per step.
 *
 * <p>Schedule: the step at iteration t (0-based) is η_t = η·min(1, (t + 1)/W) with a linear warm-up over the
 * first W iterations (Mulayoff et al. 2021, supplement Sec. I uses W = 5×10⁵; W = 0 disables it). An optional step
 * switch multiplies η by a factor the first time the loss falls below a level (Mulayoff et al. 2021, supplement Sec. I,
 * Fig. 1: ×3 at L &lt; 0.1). Training stops when L(θ_t) ≤ the threshold (converged; θ_t is returned), when L is
 * non-finite or above the divergence level (diverged), or after the step cap.
 *
 * <pre>{@code
 * ShallowReluLoss loss = ShallowReluLoss.univariate(x, y, 80);
 * double[] theta0 = ShallowReluInit.pytorchDefault(80, 1, 1.0, seed);
 * GradientDescentRun run = ShallowReluGradientDescent.builder().setStepSize(0.1)
 *         .optWarmupSteps(5000).optLossThreshold(1e-8).optMaxSteps(2_000_000).build().run(loss, theta0);
 * }</pre>
 */
public final class ShallowReluGradientDescent {

    private static final Logger logger = LoggerFactory.getLogger(ShallowReluGradientDescent.class);

    private final double stepSize;
    private final long warmupSteps;
    private final double lossThreshold;
    private final long maxSteps;
    private final double switchBelow;
    private final double switchFactor;
    private final double divergenceLoss;

    private ShallowReluGradientDescent(Builder b) {
        this.stepSize = b.stepSize;
        this.warmupSteps = b.warmupSteps;
        this.lossThreshold = b.lossThreshold;
        this.maxSteps = b.maxSteps;
        this.switchBelow = b.switchBelow;
        this.switchFactor = b.switchFactor;
        this.divergenceLoss = b.divergenceLoss;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the base step size η */
    public double stepSize() {
        return stepSize;
    }

    /**
     * @param t iteration (0-based)
     * @param eta the current base step (η, or η·factor after a switch)
     * @return the step applied at iteration t: η·min(1, (t + 1)/W)
     */
    double scheduled(long t, double eta) {
        return warmupSteps > 0 && t < warmupSteps ? eta * ((t + 1.0) / warmupSteps) : eta;
    }

    /**
     * Trains from θ₀ (not modified).
     *
     * @param loss the training loss (its workspace is used; do not share it with another thread meanwhile)
     * @param theta0 initial parameters [W; b; v; c]
     * @return the run's end point and its record
     */
    public GradientDescentRun run(ShallowReluLoss loss, double[] theta0) {
        if (theta0 == null || theta0.length != loss.parameterCount()) {
            throw new IllegalArgumentException("theta0 has " + (theta0 == null ? 0 : theta0.length)
                    + " entries, the network has " + loss.parameterCount() + " parameters [W; b; v; c]");
        }
        final double[] theta = theta0.clone();
        final double[] grad = new double[theta.length];
        final int p = theta.length;
        Trace trace = new Trace();
        double eta = stepSize;
        long switchStep = -1;
        boolean converged = false;
        boolean diverged = false;
        double value = Double.NaN;
        long t = 0;
        while (true) {
            value = loss.lossAndGradient(theta, grad);
            if (!(value <= divergenceLoss)) { // NaN, ∞ or above the divergence level
                diverged = true;
                break;
            }
            trace.offer(t, value);
            if (value <= lossThreshold) {
                converged = true;
                break;
            }
            if (t >= maxSteps) {
                break;
            }
            if (switchStep < 0 && value < switchBelow) {
                eta *= switchFactor;
                switchStep = t;
            }
            final double step = scheduled(t, eta);
            for (int i = 0; i < p; i++) {
                theta[i] -= step * grad[i];
            }
            t++;
        }
        trace.last(t, value);
        logger.debug("GD η = {}: {} after {} steps (L = {})", stepSize,
                converged ? "converged" : diverged ? "diverged" : "stopped at the step cap", t, value);
        return new GradientDescentRun(stepSize, theta, value, t, converged, converged && t < warmupSteps, diverged,
                eta, switchStep, trace.steps(), trace.losses());
    }

    /** Loss record at geometrically spaced iterations (about 25 per decade) plus the last one. */
    private static final class Trace {
        private long[] steps = new long[64];
        private double[] losses = new double[64];
        private int size;
        private long next;

        void offer(long t, double value) {
            if (t >= next) {
                add(t, value);
                next = Math.max(t + 1, (long) Math.floor(t * 1.1));
            }
        }

        void last(long t, double value) {
            if (size == 0 || steps[size - 1] != t) {
                add(t, value);
            }
        }

        private void add(long t, double value) {
            if (size == steps.length) {
                steps = Arrays.copyOf(steps, 2 * size);
                losses = Arrays.copyOf(losses, 2 * size);
            }
            steps[size] = t;
            losses[size] = value;
            size++;
        }

        long[] steps() {
            return Arrays.copyOf(steps, size);
        }

        double[] losses() {
            return Arrays.copyOf(losses, size);
        }
    }

    /** Builder of {@link ShallowReluGradientDescent}. */
    public static final class Builder {
        private double stepSize = Double.NaN;
        private long warmupSteps;
        private double lossThreshold = 1e-8;
        private long maxSteps = 10_000_000L;
        private double switchBelow = Double.NEGATIVE_INFINITY;
        private double switchFactor = 1;
        private double divergenceLoss = 1e12;

        private Builder() {}

        /**
         * @param eta the step size η &gt; 0 (required)
         * @return this builder
         */
        public Builder setStepSize(double eta) {
            if (!(eta > 0) || !Double.isFinite(eta)) {
                throw new IllegalArgumentException("step size must be positive and finite, got " + eta);
            }
            this.stepSize = eta;
            return this;
        }

        /**
         * @param steps length W of the linear warm-up (default 0: none)
         * @return this builder
         */
        public Builder optWarmupSteps(long steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("warm-up steps must be ≥ 0, got " + steps);
            }
            this.warmupSteps = steps;
            return this;
        }

        /**
         * @param threshold stop once L ≤ threshold (default 10⁻⁸, the papers' criterion)
         * @return this builder
         */
        public Builder optLossThreshold(double threshold) {
            if (!(threshold >= 0)) {
                throw new IllegalArgumentException("loss threshold must be ≥ 0, got " + threshold);
            }
            this.lossThreshold = threshold;
            return this;
        }

        /**
         * @param steps the most GD updates (default 10⁷)
         * @return this builder
         */
        public Builder optMaxSteps(long steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("step cap must be ≥ 0, got " + steps);
            }
            this.maxSteps = steps;
            return this;
        }

        /**
         * Multiplies η by {@code factor} the first time the loss falls below {@code lossBelow} (Mulayoff et al. 2021,
         * supplement Sec. I: factor 3 at L &lt; 0.1).
         *
         * @param lossBelow the loss level that triggers the switch
         * @param factor the factor (&gt; 0)
         * @return this builder
         */
        public Builder optStepSwitch(double lossBelow, double factor) {
            if (!(factor > 0) || !Double.isFinite(factor) || !(lossBelow > 0)) {
                throw new IllegalArgumentException("step switch needs a positive loss level and a positive finite factor, got "
                        + lossBelow + " and " + factor);
            }
            this.switchBelow = lossBelow;
            this.switchFactor = factor;
            return this;
        }

        /**
         * @param level a loss above this (or non-finite) ends the run as diverged (default 10¹²)
         * @return this builder
         */
        public Builder optDivergenceLoss(double level) {
            if (!(level > 0)) {
                throw new IllegalArgumentException("divergence level must be positive, got " + level);
            }
            this.divergenceLoss = level;
            return this;
        }

        /**
         * @return the trainer
         * @throws IllegalStateException if no step size was set
         */
        public ShallowReluGradientDescent build() {
            if (Double.isNaN(stepSize)) {
                throw new IllegalStateException("setStepSize(eta) is required");
            }
            return new ShallowReluGradientDescent(this);
        }
    }
}
