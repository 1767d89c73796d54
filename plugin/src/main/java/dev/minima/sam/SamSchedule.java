package dev.minima.sam;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Phases of (learning rate, perturbation radius ρ), each lasting a number of steps or epochs, as in
 * Wen et al. (2023), Table 2 (e.g. 2-MLP-Bias 1-SAM: lr 0.01 with ρ 0.05 for 2·10⁵ epochs, then ρ 0.1 for 4·10⁵
 * epochs). After the last phase's length has passed the last phase stays in force.
 *
 * <p>ρ is read by {@link SamStep}; the learning rate reaches the base optimizer through the DJL {@code
 * Tracker} of {@link SamStep#learningRateTracker()}, which follows the same phase as ρ.
 *
 * <pre>{@code
 * SamSchedule table2 = SamSchedule.builder().optUnit(SamSchedule.Unit.EPOCHS)
 *         .addPhase(0.01f, 0.05, 200_000)
 *         .addPhase(0.01f, 0.1, 400_000)
 *         .build();
 * }</pre>
 */
public final class SamSchedule {

    /** What phase lengths count. */
    public enum Unit {
        /** SAM steps (optimizer updates). */
        STEPS,
        /** Epochs ended with {@link SamStep#endEpoch()} (done by {@link SharpnessAwareTraining#fit}). */
        EPOCHS
    }

    /**
     * One phase.
     *
     * @param index the phase's position, from 0
     * @param learningRate the base optimizer's learning rate in this phase (NaN if the schedule sets none)
     * @param rho the perturbation radius ρ
     * @param start the first step or epoch of the phase
     * @param length how many steps or epochs the phase lasts (the last phase also lasts beyond)
     */
    public record Phase(int index, float learningRate, double rho, long start, long length) {}

    private final Unit unit;
    private final List<Phase> phases;

    private SamSchedule(Unit unit, List<Phase> phases) {
        this.unit = unit;
        this.phases = Collections.unmodifiableList(phases);
    }

    /**
     * A constant ρ with no learning rate of its own (the optimizer keeps its own tracker).
     *
     * @param rho the perturbation radius
     * @return the schedule
     * @throws IllegalArgumentException if ρ is negative or not finite
     */
    public static SamSchedule constant(double rho) {
        checkRho(rho);
        return new SamSchedule(Unit.STEPS, List.of(new Phase(0, Float.NaN, rho, 0, Long.MAX_VALUE)));
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return what phase lengths count */
    public Unit unit() {
        return unit;
    }

    /** @return the phases, in order */
    public List<Phase> phases() {
        return phases;
    }

    /** @return true if every phase sets a learning rate (so a learning-rate tracker can follow it) */
    public boolean hasLearningRates() {
        for (Phase p : phases) {
            if (Float.isNaN(p.learningRate())) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param steps SAM steps taken so far
     * @param epochs epochs ended so far
     * @return the phase in force
     */
    public Phase phaseAt(long steps, long epochs) {
        long t = unit == Unit.STEPS ? steps : epochs;
        for (Phase p : phases) {
            if (t - p.start() < p.length()) {
                return p;
            }
        }
        return phases.get(phases.size() - 1);
    }

    static void checkRho(double rho) {
        if (!(rho >= 0) || Double.isInfinite(rho)) {
            throw new IllegalArgumentException("rho (the perturbation radius ρ) must be finite and ≥ 0, got " + rho
                    + ": use 0 for plain training or a small radius such as 0.05");
        }
    }

    /** Builder of {@link SamSchedule}. */
    public static final class Builder {
        private Unit unit = Unit.EPOCHS;
        private final List<Phase> phases = new ArrayList<>();
        private long next;

        private Builder() {}

        /**
         * @param unit what phase lengths count (default {@link Unit#EPOCHS}, as Wen et al.'s (2023) Table 2)
         * @return this builder
         */
        public Builder optUnit(Unit unit) {
            this.unit = unit;
            return this;
        }

        /**
         * Appends a phase.
         *
         * @param learningRate the optimizer's learning rate (≥ 0)
         * @param rho the perturbation radius (≥ 0)
         * @param length how many steps or epochs (≥ 1)
         * @return this builder
         * @throws IllegalArgumentException if a value is out of range
         */
        public Builder addPhase(float learningRate, double rho, long length) {
            if (!(learningRate >= 0) || Float.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learning rate must be finite and ≥ 0, got " + learningRate);
            }
            checkRho(rho);
            if (length < 1) {
                throw new IllegalArgumentException("a phase must last at least 1 step or epoch, got " + length);
            }
            phases.add(new Phase(phases.size(), learningRate, rho, next, length));
            next = length > Long.MAX_VALUE - next ? Long.MAX_VALUE : next + length;
            return this;
        }

        /**
         * @return the schedule
         * @throws IllegalArgumentException if no phase was added
         */
        public SamSchedule build() {
            if (phases.isEmpty()) {
                throw new IllegalArgumentException("a schedule needs at least one phase: call addPhase(lr, rho, length)");
            }
            return new SamSchedule(unit, new ArrayList<>(phases));
        }
    }
}
