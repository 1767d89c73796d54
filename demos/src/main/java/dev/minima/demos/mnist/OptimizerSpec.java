package dev.minima.demos.mnist;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL optimizer with a fixed learning rate, described by value so that it can be reported: plain SGD
 * (no momentum, no weight decay) or Adam with given β₁, β₂.
 *
 * @param name "sgd" or "adam"
 * @param learningRate the fixed learning rate η
 * @param beta1 Adam's β₁ (ignored for SGD)
 * @param beta2 Adam's β₂ (ignored for SGD)
 * @param warmupSteps steps of linear warm-up from 0 to η (DJL's {@code WarmUpTracker}); 0 for none
 */
public record OptimizerSpec(String name, double learningRate, double beta1, double beta2, int warmupSteps) {

    /**
     * @param name "sgd" or "adam"
     * @param learningRate the fixed learning rate η
     * @param beta1 Adam's β₁
     * @param beta2 Adam's β₂
     * @param warmupSteps steps of linear warm-up
     * @throws IllegalArgumentException for an unknown name, a non-positive rate or negative warm-up
     */
    public OptimizerSpec {
        if (!"sgd".equals(name) && !"adam".equals(name)) {
            throw new IllegalArgumentException("optimizer must be sgd or adam, got '" + name + "'");
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException(name + " learning rate must be positive and finite, got " + learningRate);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
    }

    /**
     * @param learningRate η
     * @return plain SGD
     */
    public static OptimizerSpec sgd(double learningRate) {
        return new OptimizerSpec("sgd", learningRate, 0, 0, 0);
    }

    /**
     * @param learningRate η
     * @param beta1 β₁
     * @param beta2 β₂
     * @return Adam
     */
    public static OptimizerSpec adam(double learningRate, double beta1, double beta2) {
        return new OptimizerSpec("adam", learningRate, beta1, beta2, 0);
    }

    /**
     * @param steps steps of linear warm-up from 0 to η
     * @return this optimizer with a warm-up
     */
    public OptimizerSpec withWarmup(int steps) {
        return new OptimizerSpec(name, learningRate, beta1, beta2, steps);
    }

    /**
     * @return a new DJL optimizer: {@code Optimizer.sgd()} or {@code Optimizer.adam()} with {@code Tracker.fixed},
     *     behind a linear {@code WarmUpTracker} when there is a warm-up
     */
    public Optimizer build() {
        Tracker fixed = Tracker.fixed((float) learningRate);
        Tracker lr = warmupSteps == 0 ? fixed
                : Tracker.warmUp().setMainTracker(fixed).optWarmUpSteps(warmupSteps).optWarmUpBeginValue(0f).build();
        if ("sgd".equals(name)) {
            return Optimizer.sgd().setLearningRateTracker(lr).build();
        }
        return Optimizer.adam()
                .optLearningRateTracker(lr)
                .optBeta1((float) beta1)
                .optBeta2((float) beta2)
                .build();
    }

    /**
     * The linear-stability threshold 2/η: meaningful for SGD; for Adam the relevant quantity is the
     * preconditioned sharpness (Cohen et al. 2022), so null.
     *
     * @return 2/η for SGD, null for Adam
     */
    public Double threshold() {
        return "sgd".equals(name) ? 2 / learningRate : null;
    }

    /** @return the settings as a JSON-friendly map */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("optimizer", name);
        m.put("learning_rate", learningRate);
        if ("adam".equals(name)) {
            m.put("beta1", beta1);
            m.put("beta2", beta2);
        }
        if (warmupSteps > 0) {
            m.put("warmup_steps", warmupSteps);
        }
        return m;
    }
}
