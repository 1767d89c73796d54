package dev.minima.monitor;

import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Adadelta;
import ai.djl.training.optimizer.Adagrad;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.AdamW;
import ai.djl.training.optimizer.Nag;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.optimizer.RmsProp;
import ai.djl.training.optimizer.Sgd;
import ai.djl.training.tracker.ParameterTracker;
import java.lang.reflect.Field;

/**
 * The step size and the linear-stability threshold of a DJL optimizer, read from the optimizer itself.
 *
 * <p><b>Step size.</b> DJL's optimizers keep their learning-rate tracker and momentum in private fields
 * without getters; this class reads them reflectively (DJL 0.35.1 names: {@code learningRateTracker},
 * {@code momentum}, {@code beta1} in the optimizer class, {@code numUpdate} and {@code beginNumUpdate} in
 * {@link Optimizer}). {@link #eta()} asks the tracker for the rate of the next update, t = numUpdate + 1, as
 * the optimizer will ({@code updateCount}), so schedules are followed record by record.
 *
 * <p><b>Threshold.</b> On a quadratic with curvature λ along the top eigenvector:
 *
 * <ul>
 *   <li>plain SGD, w ← w − ηg: stable iff λ &lt; 2/η;
 *   <li>DJL's SGD with momentum β (pytorch-native {@code sgdUpdate}: v ← βv + ηg, w ← w − v, heavy ball):
 *       the characteristic polynomial z² − (1 + β − ηλ)z + β has a root at −1 when ηλ = 2 + 2β, so the
 *       threshold is (2 + 2β)/η (Cohen et al. 2021, appendix on momentum);
 *   <li>DJL's NAG (s ← βs + g, w ← w − η(g + βs)): the 2×2 iteration has a root at −1 when
 *       ηλ(1 + 2β) = 2 + 2β, so the threshold is (2 + 2β)/((1 + 2β)η);
 *   <li>Adam/AdamW: λ_max(H) has no fixed threshold; the preconditioned sharpness λ_max(P⁻¹H) is compared with
 *       (2 + 2β₁)/((1 − β₁)η) (Cohen et al. 2022, §3; see {@link AdamPreconditioner});
 *   <li>RMSProp, AdaGrad, AdaDelta: no threshold is known; records carry NaN. (DJL 0.35.1's PyTorch engine
 *       implements only the SGD and Adam updates; NAG, RMSProp, AdaGrad and AdaDelta throw there, so their
 *       rules matter on other engines only.)
 * </ul>
 */
public final class StabilityRule {

    /** What a record's threshold compares against. */
    public enum Kind {
        /** 2/η: plain gradient descent. */
        GD,
        /** (2 + 2β)/η: heavy-ball momentum. */
        HEAVY_BALL,
        /** (2 + 2β)/((1 + 2β)η): Nesterov momentum. */
        NESTEROV,
        /** (2 + 2β₁)/((1 − β₁)η) for the preconditioned sharpness: Adam. */
        ADAM_PRECONDITIONED,
        /** No known threshold (NaN). */
        NONE
    }

    private final Kind kind;
    private final double beta;
    private final Optimizer optimizer;
    private final ParameterTracker tracker;
    private final String parameterId;

    private StabilityRule(Kind kind, double beta, Optimizer optimizer, ParameterTracker tracker, String parameterId) {
        this.kind = kind;
        this.beta = beta;
        this.optimizer = optimizer;
        this.tracker = tracker;
        this.parameterId = parameterId;
    }

    /**
     * A rule for a learning rate given from outside (no optimizer read).
     *
     * @param kind the kind of threshold
     * @param beta the momentum β (ignored for {@link Kind#GD})
     * @return the rule
     */
    public static StabilityRule of(Kind kind, double beta) {
        return new StabilityRule(kind, beta, null, null, "");
    }

    /**
     * Reads a trainer's optimizer (through DJL's {@code LocalParameterServer}).
     *
     * @param trainer the trainer
     * @return the optimizer
     * @throws IllegalArgumentException if it cannot be read
     */
    public static Optimizer optimizerOf(Trainer trainer) {
        try {
            Object store = read(Trainer.class, "parameterStore", trainer);
            Object server = read(ai.djl.training.ParameterStore.class, "parameterServer", store);
            if (server == null) {
                throw new IllegalArgumentException("the trainer has no parameter server");
            }
            Object opt = read(server.getClass(), "optimizer", server);
            if (!(opt instanceof Optimizer o)) {
                throw new IllegalArgumentException("the parameter server " + server.getClass().getName()
                        + " holds no optimizer");
            }
            return o;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the monitor cannot read the trainer's optimizer (" + e.getMessage()
                    + "): pass SharpnessListener.builder().optLearningRate(eta) or optLearningRateTracker(tracker)", e);
        }
    }

    /**
     * Reads a DJL optimizer's learning-rate tracker and momentum.
     *
     * @param optimizer the optimizer the trainer uses
     * @param parameterId a parameter id passed to a per-parameter tracker
     * @return the rule
     * @throws IllegalArgumentException if the optimizer is not one of DJL's or has no learning rate (AdaDelta);
     *     the message names the override
     */
    public static StabilityRule of(Optimizer optimizer, String parameterId) {
        Class<?> c = optimizer.getClass();
        if (c == Adadelta.class) {
            throw new IllegalArgumentException("DJL's Adadelta has no learning rate, so the monitor has no step size"
                    + " to compare the sharpness with: pass SharpnessListener.builder().optLearningRate(eta)");
        }
        Kind kind;
        double beta = 0;
        if (c == Sgd.class) {
            beta = floatField(optimizer, c, "momentum");
            kind = beta == 0 ? Kind.GD : Kind.HEAVY_BALL;
        } else if (c == Nag.class) {
            beta = floatField(optimizer, c, "momentum");
            kind = Kind.NESTEROV;
        } else if (c == Adam.class || c == AdamW.class) {
            beta = floatField(optimizer, c, "beta1");
            kind = Kind.ADAM_PRECONDITIONED;
        } else if (c == RmsProp.class || c == Adagrad.class) {
            kind = Kind.NONE;
        } else {
            throw new IllegalArgumentException("the optimizer " + c.getName() + " is not one of DJL's SGD, NAG, Adam,"
                    + " AdamW, RMSProp or AdaGrad, so the monitor cannot read its learning rate: pass"
                    + " SharpnessListener.builder().optLearningRate(eta) or optLearningRateTracker(tracker)");
        }
        Object t = readChecked(c, "learningRateTracker", optimizer);
        if (!(t instanceof ParameterTracker tracker)) {
            throw new IllegalArgumentException("the optimizer " + c.getSimpleName() + " has no learning-rate tracker:"
                    + " pass SharpnessListener.builder().optLearningRate(eta)");
        }
        return new StabilityRule(kind, beta, optimizer, tracker, parameterId == null ? "" : parameterId);
    }

    /** @return the kind of threshold */
    public Kind kind() {
        return kind;
    }

    /** @return the momentum β (β₁ for Adam), 0 without momentum */
    public double beta() {
        return beta;
    }

    /** @return whether the threshold applies to the preconditioned sharpness */
    public boolean preconditioned() {
        return kind == Kind.ADAM_PRECONDITIONED;
    }

    /** @return whether this rule reads the learning rate from an optimizer */
    public boolean readsOptimizer() {
        return optimizer != null;
    }

    /** @return the optimizer read, or null */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** @return the update count t of the next update (1 for the first), or -1 without an optimizer */
    public int nextUpdate() {
        if (optimizer == null) {
            return -1;
        }
        int num = (int) readChecked(Optimizer.class, "numUpdate", optimizer);
        int begin = (int) readChecked(Optimizer.class, "beginNumUpdate", optimizer);
        return Math.max(num, begin) + 1;
    }

    /**
     * @return the optimizer's learning rate for its next update, read from its tracker now
     * @throws IllegalStateException without an optimizer
     */
    public double eta() {
        if (tracker == null) {
            throw new IllegalStateException("this rule reads no optimizer");
        }
        return tracker.getNewValue(parameterId, nextUpdate());
    }

    /**
     * @param eta the learning rate
     * @return the largest stable sharpness for this optimizer at η (NaN for {@link Kind#NONE})
     */
    public double threshold(double eta) {
        return switch (kind) {
            case GD -> 2.0 / eta;
            case HEAVY_BALL -> (2.0 + 2.0 * beta) / eta;
            case NESTEROV -> (2.0 + 2.0 * beta) / ((1.0 + 2.0 * beta) * eta);
            case ADAM_PRECONDITIONED -> (2.0 + 2.0 * beta) / ((1.0 - beta) * eta);
            case NONE -> Double.NaN;
        };
    }

    /** @return a short description for logs and CSV, e.g. {@code heavy-ball (2+2b)/eta, b=0.9} */
    public String describe() {
        return switch (kind) {
            case GD -> "gd 2/eta";
            case HEAVY_BALL -> "heavy-ball (2+2b)/eta b=" + (float) beta;
            case NESTEROV -> "nesterov (2+2b)/((1+2b)eta) b=" + (float) beta;
            case ADAM_PRECONDITIONED -> "adam preconditioned (2+2b1)/((1-b1)eta) b1=" + (float) beta;
            case NONE -> "none";
        };
    }

    @Override
    public String toString() {
        return describe();
    }

    private static float floatField(Object o, Class<?> owner, String name) {
        return (float) readChecked(owner, name, o);
    }

    private static Object readChecked(Class<?> owner, String name, Object target) {
        try {
            return read(owner, name, target);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (written for DJL 0.35.1): pass"
                    + " SharpnessListener.builder().optLearningRate(eta) or optLearningRateTracker(tracker)", e);
        }
    }

    private static Object read(Class<?> owner, String name, Object target) {
        Class<?> c = owner;
        while (c != null) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                c = c.getSuperclass();
            } catch (IllegalAccessException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read field '" + name + "' of " + owner.getName(), e);
            }
        }
        throw new IllegalArgumentException("DJL's " + owner.getSimpleName() + " has no field '" + name + "'");
    }
}
