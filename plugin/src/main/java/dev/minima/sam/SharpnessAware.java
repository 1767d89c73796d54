package dev.minima.sam;

import dev.minima.curvature.Objective;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Settings of sharpness-aware training (immutable), built DJL-style; {@link SamStep#of(SharpnessAware)} runs
 * them.
 *
 * <p>With g = ∇L_B(w) the gradient of the batch (or micro-batch) loss at the current weights, the step
 * computes a perturbation ε, the gradient g̃ = ∇L_B(w + ε) at the perturbed weights, restores w exactly and
 * lets the base optimizer apply g̃ (Foret et al. 2021, "SAM", Eq. 3; Wen et al. 2023, Sec. 2 for 1-SAM):
 *
 * <ul>
 *   <li>{@link Variant#SAM}: ε = ρ g/‖g‖;
 *   <li>{@link Variant#ASAM}: ε = ρ T²g/‖Tg‖ with T = |w| + η element-wise (Kwon et al. 2021, Eq. 9; η =
 *       0.01 by default, {@link Builder#optAsamEta}); here T covers every perturbed parameter, biases included;
 *   <li>{@link Variant#USAM}: ε = ρ g (unnormalised SAM).
 * </ul>
 *
 * <p><b>m-SAM</b> ({@link Builder#optMicroBatch(int)}): the batch is cut into consecutive micro-batches of m
 * examples, each perturbed by its own ε_k from its own gradient; the gradient applied is Σ_k (|B_k|/|B|)
 * ∇L_{B_k}(w + ε_k), the average of the perturbed micro-batch gradients (m = 1 is per-example 1-SAM; m ≥
 * batch is SAM). When m does not divide the batch the last micro-batch is smaller and weighted by its size
 * ({@link Remainder#WEIGHTED}, the default, so every example counts 1/|B|), or the step is refused ({@link
 * Remainder#ERROR}).
 *
 * <p><b>n-SAM</b> ({@link Builder#optPerturbationObjective}): ε from the gradient of a fixed objective,
 * typically the whole training set, for gradient-descent experiments; g̃ is still the batch's.
 *
 * <p>The norm ‖g‖ is taken over the perturbed parameters only ({@link Builder#optPerturbed}); the others are
 * not moved but their gradient is also taken at w + ε. When ‖g‖ (‖Tg‖ for ASAM) is 0 there is no direction to
 * perturb along: the step applies g unperturbed and logs this once.
 */
public final class SharpnessAware {

    /** The perturbation rule. */
    public enum Variant {
        /** ε = ρ g/‖g‖. */
        SAM,
        /** ε = ρ T²g/‖Tg‖, T = |w| + η. */
        ASAM,
        /** ε = ρ g. */
        USAM
    }

    /** What to do when the micro-batch size does not divide the batch size. */
    public enum Remainder {
        /** The last micro-batch is smaller and weighted by its size. */
        WEIGHTED,
        /** Throw an {@link IllegalArgumentException}. */
        ERROR
    }

    /**
     * Caps the joint Euclidean norm of some parameters after every optimizer step: if ‖[p₁, p₂, …]‖ &gt; max,
     * each is multiplied by max/‖[p₁, p₂, …]‖ (Wen et al.'s (2023) Sim-LN runs keep ‖[W₁, b₁]‖ ≤ 10).
     *
     * @param parameters which parameters, by the name in {@code block.getParameters()}
     * @param maxNorm the cap (&gt; 0)
     */
    public record NormCap(Predicate<String> parameters, double maxNorm) {
        /**
         * @param parameters which parameters
         * @param maxNorm the cap
         */
        public NormCap {
            Objects.requireNonNull(parameters, "parameters");
            if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
                throw new IllegalArgumentException("a norm cap must be finite and > 0, got " + maxNorm);
            }
        }
    }

    private final Variant variant;
    private final SamSchedule schedule;
    private final int microBatch;
    private final Remainder remainder;
    private final double asamEta;
    private final Predicate<String> perturbed;
    private final List<NormCap> caps;
    private final Objective perturbationObjective;

    private SharpnessAware(Builder b) {
        variant = b.variant;
        schedule = b.schedule;
        microBatch = b.microBatch;
        remainder = b.remainder;
        asamEta = b.asamEta;
        perturbed = b.perturbed;
        caps = Collections.unmodifiableList(new ArrayList<>(b.caps));
        perturbationObjective = b.perturbationObjective;
    }

    /** @return a new builder (SAM, ρ = 0.05, whole-batch perturbation, every parameter perturbed) */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A parameter filter leaving out biases and normalisation scales/shifts, by DJL's parameter names ({@code
     * …bias}, {@code …gamma}, {@code …beta}): a common SAM choice.
     *
     * @return the filter
     */
    public static Predicate<String> weightsOnly() {
        return name -> !(name.endsWith("bias") || name.endsWith("gamma") || name.endsWith("beta"));
    }

    /** @return the perturbation rule */
    public Variant variant() {
        return variant;
    }

    /** @return the (learning rate, ρ) schedule */
    public SamSchedule schedule() {
        return schedule;
    }

    /** @return the micro-batch size m, or 0 for the whole batch */
    public int microBatch() {
        return microBatch;
    }

    /** @return the rule for a last micro-batch that is smaller */
    public Remainder remainder() {
        return remainder;
    }

    /** @return ASAM's η */
    public double asamEta() {
        return asamEta;
    }

    /** @return which parameters are perturbed, by name */
    public Predicate<String> perturbed() {
        return perturbed;
    }

    /** @return the norm caps applied after each optimizer step */
    public List<NormCap> caps() {
        return caps;
    }

    /** @return the objective whose gradient gives ε (n-SAM), or null for the batch's own gradient */
    public Objective perturbationObjective() {
        return perturbationObjective;
    }

    /** Builder of {@link SharpnessAware}. */
    public static final class Builder {
        private Variant variant = Variant.SAM;
        private SamSchedule schedule = SamSchedule.constant(0.05);
        private int microBatch;
        private Remainder remainder = Remainder.WEIGHTED;
        private double asamEta = 0.01;
        private Predicate<String> perturbed = name -> true;
        private final List<NormCap> caps = new ArrayList<>();
        private Objective perturbationObjective;

        private Builder() {}

        /**
         * @param variant SAM (default), ASAM or USAM
         * @return this builder
         */
        public Builder optVariant(Variant variant) {
            this.variant = Objects.requireNonNull(variant, "variant");
            return this;
        }

        /**
         * @param rho a constant perturbation radius ρ ≥ 0 (default 0.05)
         * @return this builder
         * @throws IllegalArgumentException if ρ is negative or not finite
         */
        public Builder optRho(double rho) {
            this.schedule = SamSchedule.constant(rho);
            return this;
        }

        /**
         * @param schedule phases of (learning rate, ρ); replaces {@link #optRho}
         * @return this builder
         */
        public Builder optSchedule(SamSchedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /**
         * @param m the micro-batch size (≥ 1), or 0 (default) to perturb with the whole batch's gradient
         * @return this builder
         */
        public Builder optMicroBatch(int m) {
            if (m < 0) {
                throw new IllegalArgumentException("micro-batch size must be ≥ 1 (or 0 for the whole batch), got " + m);
            }
            this.microBatch = m;
            return this;
        }

        /**
         * @param remainder what to do when m does not divide the batch (default {@link Remainder#WEIGHTED})
         * @return this builder
         */
        public Builder optMicroBatchRemainder(Remainder remainder) {
            this.remainder = Objects.requireNonNull(remainder, "remainder");
            return this;
        }

        /**
         * @param eta ASAM's η &gt; 0 in T = |w| + η (default 0.01, as Kwon et al.)
         * @return this builder
         */
        public Builder optAsamEta(double eta) {
            if (!(eta > 0) || Double.isInfinite(eta)) {
                throw new IllegalArgumentException("ASAM's eta must be finite and > 0, got " + eta);
            }
            this.asamEta = eta;
            return this;
        }

        /**
         * @param include which parameters are perturbed, by the name in {@code block.getParameters()} (default
         *     all; see {@link SharpnessAware#weightsOnly()})
         * @return this builder
         */
        public Builder optPerturbed(Predicate<String> include) {
            this.perturbed = Objects.requireNonNull(include, "include");
            return this;
        }

        /**
         * Adds a norm cap applied after each optimizer step.
         *
         * @param parameters which parameters, by name
         * @param maxNorm the cap on their joint norm
         * @return this builder
         */
        public Builder addNormCap(Predicate<String> parameters, double maxNorm) {
            caps.add(new NormCap(parameters, maxNorm));
            return this;
        }

        /**
         * n-SAM: take ε from this objective's gradient (e.g. the whole training set) instead of the batch's.
         * Its parameter space must contain every perturbed parameter of the trained block.
         *
         * @param objective the objective (not closed by Minima)
         * @return this builder
         */
        public Builder optPerturbationObjective(Objective objective) {
            this.perturbationObjective = objective;
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalArgumentException if n-SAM is combined with micro-batches
         */
        public SharpnessAware build() {
            if (perturbationObjective != null && microBatch > 0) {
                throw new IllegalArgumentException("n-SAM (a perturbation objective) takes ε from the whole objective;"
                        + " it cannot be combined with micro-batches: drop optMicroBatch or the objective");
            }
            return new SharpnessAware(this);
        }
    }
}
