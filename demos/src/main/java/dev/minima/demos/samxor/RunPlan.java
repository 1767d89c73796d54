package dev.minima.demos.samxor;

import java.util.List;
import java.util.Objects;

/**
 * What one training run does: a scenario, a method, its (learning rate, ρ) phases in epochs (Wen, Ma &amp; Li (2023),
 * Table 2 lists several rows for a run whose hyper-parameters change), weight decay, batch size, an optional
 * cap on ‖[W₁, b₁]‖ and the first layer's initial scale. One epoch is one pass over the n training points:
 * n steps of 1-SAM at batch 1, one step of full-batch GD.
 *
 * @param scenario the scenario (network)
 * @param method 1-SAM or GD+WD
 * @param phases the phases, in order (ρ is 0 for GD+WD)
 * @param weightDecay the SGD weight decay wd (update g + wd·θ)
 * @param batchSize 1 for 1-SAM, n for full-batch GD
 * @param normCap the cap on ‖[W₁, b₁]‖ after each step, or 0 for none
 * @param firstLayerScale the factor on the first layer's initial range
 * @param evalEvery evaluate every this many epochs (and after the last)
 */
public record RunPlan(Scenario scenario, Method method, List<Phase> phases, float weightDecay, int batchSize,
        double normCap, double firstLayerScale, long evalEvery) {

    /**
     * One row of Table 2.
     *
     * @param learningRate the learning rate
     * @param rho the perturbation radius ρ (0 for GD+WD)
     * @param epochs how many epochs the phase lasts (≥ 1)
     */
    public record Phase(float learningRate, double rho, long epochs) {
        /**
         * @param learningRate the learning rate (&gt; 0)
         * @param rho ρ (≥ 0)
         * @param epochs the length (≥ 1)
         */
        public Phase {
            if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
            }
            if (!(rho >= 0) || Double.isInfinite(rho)) {
                throw new IllegalArgumentException("ρ must be finite and ≥ 0, got " + rho);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("a phase must last at least one epoch, got " + epochs
                        + ": raise --sam-epochs / --gd-epochs");
            }
        }
    }

    /**
     * @param scenario the scenario
     * @param method the method
     * @param phases the phases
     * @param weightDecay wd
     * @param batchSize the batch size
     * @param normCap the cap, or 0
     * @param firstLayerScale the init factor
     * @param evalEvery the evaluation interval in epochs
     */
    public RunPlan {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(method, "method");
        phases = List.copyOf(phases);
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a run needs at least one phase");
        }
        if (!(weightDecay >= 0) || batchSize < 1 || !(normCap >= 0) || !(firstLayerScale > 0) || evalEvery < 1) {
            throw new IllegalArgumentException("bad run settings: wd " + weightDecay + ", batch " + batchSize
                    + ", cap " + normCap + ", init scale " + firstLayerScale + ", eval every " + evalEvery);
        }
    }

    /** @return the total number of epochs */
    public long epochs() {
        long e = 0;
        for (Phase p : phases) {
            e += p.epochs();
        }
        return e;
    }

    /** @return a short name for files and logs, e.g. {@code II-1-SAM} */
    public String id() {
        return scenario.name() + "-" + method.label();
    }

    /**
     * @param epoch an epoch index from 0
     * @return the phase in force during that epoch (the last one beyond the end)
     */
    public Phase phaseAt(long epoch) {
        long start = 0;
        for (Phase p : phases) {
            if (epoch < start + p.epochs()) {
                return p;
            }
            start += p.epochs();
        }
        return phases.get(phases.size() - 1);
    }
}
