package dev.minima.landscape;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Worst-case ρ-sharpness max_{δ ∈ B} L(θ + δ) − L(θ) (Foret et al. 2021, eq. (1); Andriushchenko et al. 2023,
 * eq. (1)) by projected gradient ascent, over the ℓ2 ball ‖δ‖₂ ≤ ρ or the ℓ∞ box ‖δ‖_∞ ≤ ρ, or in the adaptive form
 * δ = |θ| ⊙ γ with ‖γ‖ ≤ ρ (Kwon et al. 2021, eq. (5); Andriushchenko et al. 2023, Sec. 3), which the rescalings
 * of ReLU networks (w₁ → αw₁, b₁ → αb₁, w₂ → w₂/α) leave unchanged.
 *
 * <p>The ascent runs on γ (δ itself when not adaptive), starting from a seeded random point at half the radius:
 * ℓ2: γ ← Π(γ + a·ρ·u/‖u‖), ℓ∞: γ ← clip(γ + a·ρ·sign(u), −ρ, ρ), u = |θ| ⊙ ∇L(θ + δ) (u = ∇L when not adaptive),
 * a the step fraction. The value is the largest loss increase seen over the iterates: a lower bound on the
 * maximum, exact on a quadratic once the ascent has found the top direction (½ρ²λ_max for ℓ2 at a minimum).
 *
 * <p>Gradients go through Minima's autograd bridge (use Minima's GC-safe losses); the parameters are put back bit
 * for bit afterwards.
 */
public final class WorstCaseSharpness {

    private final double rho;
    private final PerturbationNorm norm;
    private final boolean adaptive;
    private final int steps;
    private final double stepFraction;
    private final long seed;

    private WorstCaseSharpness(Builder b) {
        this.rho = b.rho;
        this.norm = b.norm;
        this.adaptive = b.adaptive;
        this.steps = b.steps;
        this.stepFraction = b.stepFraction;
        this.seed = b.seed;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the measure's name, e.g. "adaptive worst-case linf" */
    public String measure() {
        return (adaptive ? "adaptive " : "") + "worst-case " + norm.label();
    }

    /**
     * @param objective block, loss and data
     * @return the estimate, with the perturbation that reached it
     * @throws dev.minima.curvature.NonFiniteLossException if the loss is not finite at an iterate
     */
    public SharpnessEstimate run(Objective objective) {
        Objects.requireNonNull(objective, "objective");
        ParameterSpace space = objective.space();
        try (NDManager base = NDManager.newBaseManager(space.device(), "PyTorch")) {
            NDArray theta = space.values(base);
            Evaluator evaluator = new Evaluator(objective, base);
            NDArray scale = adaptive ? theta.abs() : null;
            NDArray u = start(base, space);
            NDArray bestDelta = base.zeros(theta.getShape(), theta.getDataType());
            double best = 0;
            int evaluations = 1;
            double baseLoss;
            try {
                baseLoss = evaluator.lossAndAccuracy(base, false)[0];
                for (int t = 0; t <= steps; t++) {
                    try (NDManager scope = base.newSubManager()) {
                        NDArray delta = scale == null ? u.duplicate() : scale.mul(u);
                        delta.attach(scope);
                        space.assign(delta.add(theta));
                        double loss;
                        NDArray g = null;
                        if (t < steps) {
                            Object[] lg = evaluator.lossAndGradient(scope);
                            loss = (double) lg[0];
                            g = (NDArray) lg[1];
                        } else {
                            loss = evaluator.lossAndAccuracy(scope, false)[0];
                        }
                        evaluations++;
                        if (loss - baseLoss > best) {
                            best = loss - baseLoss;
                            bestDelta.set(new ai.djl.ndarray.index.NDIndex("..."), delta);
                        }
                        if (g == null) {
                            break;
                        }
                        NDArray ascent = scale == null ? g : g.mul(scale);
                        NDArray next = step(u, ascent, scope);
                        if (next == null) {
                            break; // zero gradient: a stationary point of the perturbed loss
                        }
                        u.set(new ai.djl.ndarray.index.NDIndex("..."), next);
                    }
                }
            } finally {
                space.assign(theta);
            }
            double[] delta = Vectors.toDoubles(bestDelta);
            double l2 = 0;
            double linf = 0;
            for (double v : delta) {
                l2 += v * v;
                linf = Math.max(linf, Math.abs(v));
            }
            return new SharpnessEstimate(measure(), best, 0, baseLoss, rho, Math.sqrt(l2), linf, evaluations, delta);
        }
    }

    private NDArray start(NDManager base, ParameterSpace space) {
        SplittableRandom random = new SplittableRandom(seed);
        NDArray z = Vectors.gaussian(base, space.dimension(), space.dataType(), random);
        if (norm == PerturbationNorm.L2) {
            double n = Vectors.norm(z);
            z.muli(NativeArrays.scalar(base, 0.5 * rho / n, z.getDataType()));
        } else {
            NDArray s = z.sign().mul(NativeArrays.scalar(base, 0.5 * rho, z.getDataType()));
            z.close();
            z = s;
        }
        return z;
    }

    /** One projected ascent step of γ, or null when the ascent direction is zero. */
    private NDArray step(NDArray u, NDArray ascent, NDManager scope) {
        if (norm == PerturbationNorm.L2) {
            double n = Vectors.norm(ascent);
            if (!(n > 0)) {
                return null;
            }
            NDArray next = u.add(ascent.mul(NativeArrays.scalar(scope, stepFraction * rho / n, u.getDataType())));
            next.attach(scope);
            double len = Vectors.norm(next);
            if (len > rho) {
                next.muli(NativeArrays.scalar(scope, rho / len, u.getDataType()));
            }
            return next;
        }
        NDArray sign = ascent.sign();
        if (Vectors.norm(sign) == 0) {
            return null;
        }
        NDArray moved = sign.mul(NativeArrays.scalar(scope, stepFraction * rho, u.getDataType()));
        moved.addi(u);
        return moved.clip(-rho, rho);
    }

    /** Builder of {@link WorstCaseSharpness}. */
    public static final class Builder {
        private double rho = 0.05;
        private PerturbationNorm norm = PerturbationNorm.L2;
        private boolean adaptive;
        private int steps = 20;
        private double stepFraction = 0.5;
        private long seed;

        private Builder() {}

        /**
         * @param rho the radius of the ball, &gt; 0 (default 0.05); relative to |θ| when adaptive
         * @return this builder
         */
        public Builder optRho(double rho) {
            this.rho = rho;
            return this;
        }

        /**
         * @param norm the ball's norm (default ℓ2)
         * @return this builder
         */
        public Builder optNorm(PerturbationNorm norm) {
            this.norm = Objects.requireNonNull(norm, "norm");
            return this;
        }

        /**
         * @param adaptive scale the ball elementwise by |θ| (default false)
         * @return this builder
         */
        public Builder optAdaptive(boolean adaptive) {
            this.adaptive = adaptive;
            return this;
        }

        /**
         * @param steps gradient ascent steps, ≥ 1 (default 20)
         * @return this builder
         */
        public Builder optSteps(int steps) {
            this.steps = steps;
            return this;
        }

        /**
         * @param fraction each step's length as a fraction of ρ, in (0, 2] (default 0.5)
         * @return this builder
         */
        public Builder optStepFraction(double fraction) {
            this.stepFraction = fraction;
            return this;
        }

        /**
         * @param seed seed of the random starting point (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @return the estimator
         * @throws IllegalArgumentException if ρ ≤ 0 or not finite, steps &lt; 1, or the step fraction is outside
         *     (0, 2]
         */
        public WorstCaseSharpness build() {
            if (!(rho > 0) || !Double.isFinite(rho)) {
                throw new IllegalArgumentException("rho must be positive and finite, got " + rho
                        + ": the radius of the perturbation ball, e.g. optRho(0.05)");
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be at least 1, got " + steps);
            }
            if (!(stepFraction > 0) || stepFraction > 2) {
                throw new IllegalArgumentException("the step fraction must be in (0, 2], got " + stepFraction);
            }
            return new WorstCaseSharpness(this);
        }
    }
}
