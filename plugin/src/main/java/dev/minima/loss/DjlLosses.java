package dev.minima.loss;

import ai.djl.training.loss.L1Loss;
import ai.djl.training.loss.L2Loss;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SigmoidBinaryCrossEntropyLoss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import java.lang.reflect.Field;

/**
 * Maps DJL's standard losses to GC-safe equivalents with the same value and gradient, so that a user's own
 * {@code DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())} can be differentiated twice by Minima.
 *
 * <p>DJL 0.35.1's losses multiply by Java numbers ({@code mul(Number)}); a garbage collection between the
 * forward and the backward pass frees that operand and the gradient comes back wrong. The mapped losses build
 * every constant in libtorch. Mapped (weights included, read from DJL's private fields because DJL has no
 * getters for them):
 *
 * <ul>
 *   <li>{@code SoftmaxCrossEntropyLoss} (sparse or one-hot labels, {@code fromLogit} true or false, class axis
 *       last) → {@link WeightedSoftmaxCrossEntropy};
 *   <li>{@code L2Loss} (w · mean (y − f)², w = ½ by default) → {@link SquaredErrorLoss};
 *   <li>{@code L1Loss} with weight 1 (mean |y − f|) → {@link AbsoluteErrorLoss} (DJL 0.35.1's L1Loss with
 *       another weight returns weight · mean(label), which is refused);
 *   <li>{@code SigmoidBinaryCrossEntropyLoss} on logits (w · mean BCE) → {@link BinaryCrossEntropyWithLogits}
 *       scaled by w.
 * </ul>
 *
 * <p>Not mapped, with an exception that says so: other loss classes (including subclasses of the above, whose
 * {@code evaluate} may differ), a class axis other than the last, and {@code SigmoidBinaryCrossEntropyLoss}
 * with {@code fromSigmoid = true} (in DJL 0.35.1 that branch returns the log-likelihood without its minus sign,
 * so no cross-entropy reproduces it).
 */
public final class DjlLosses {

    private DjlLosses() {}

    /**
     * @param loss a loss
     * @return the loss itself if it is a {@link MinimaLoss}, else its GC-safe equivalent
     * @throws IllegalArgumentException if the loss cannot be mapped; the message names the two ways out
     */
    public static MinimaLoss toGcSafe(Loss loss) {
        if (loss == null) {
            throw new IllegalArgumentException("no loss to map: the trainer has none; pass optLoss(...)");
        }
        if (loss instanceof MinimaLoss m) {
            return m;
        }
        Class<?> c = loss.getClass();
        String name = loss.getName();
        if (c == SoftmaxCrossEntropyLoss.class) {
            int axis = intField(loss, "classAxis");
            if (axis != -1) {
                throw unmappable(loss, "its class axis is " + axis + " (only the last axis, -1, is mapped)");
            }
            return new WeightedSoftmaxCrossEntropy(name, floatField(loss, "weight"), boolField(loss, "sparseLabel"),
                    boolField(loss, "fromLogit"));
        }
        if (c == L2Loss.class) {
            return new SquaredErrorLoss(name, floatField(loss, "weight"), MinimaLoss.OutputReduction.MEAN);
        }
        if (c == L1Loss.class) {
            float w = floatField(loss, "weight");
            if (w != 1f) {
                throw unmappable(loss, "its weight is " + w + ", and DJL 0.35.1's L1Loss with a weight other than 1"
                        + " returns weight * mean(label) (it multiplies the labels, not the loss), which has no"
                        + " gradient; train with Loss.l1Loss() and weight 1");
            }
            return new AbsoluteErrorLoss(name, 1.0);
        }
        if (c == SigmoidBinaryCrossEntropyLoss.class) {
            if (boolField(loss, "fromSigmoid")) {
                throw unmappable(loss, "fromSigmoid = true: DJL 0.35.1 returns the log-likelihood there, without the"
                        + " minus sign of a cross-entropy");
            }
            return new BinaryCrossEntropyWithLogits(name, 0, false, floatField(loss, "weight"));
        }
        throw unmappable(loss, "Minima maps only DJL's SoftmaxCrossEntropyLoss, L2Loss, L1Loss and"
                + " SigmoidBinaryCrossEntropyLoss (exact classes)");
    }

    /**
     * @param loss a loss
     * @return true if {@link #toGcSafe} maps it (or it is already a Minima loss)
     */
    public static boolean isMappable(Loss loss) {
        try {
            toGcSafe(loss);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static IllegalArgumentException unmappable(Loss loss, String why) {
        return new IllegalArgumentException("the training loss " + loss.getName() + " (" + loss.getClass().getName()
                + ") has no GC-safe equivalent in Minima: " + why + ". Either pass a matching loss to"
                + " SharpnessListener.builder().optLoss(...), or train with a loss built from dev.minima.loss"
                + " (Losses.softmaxCrossEntropy(), Losses.halfMse(), ...)");
    }

    private static Field field(Loss loss, String name) {
        try {
            Field f = loss.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read field '" + name + "' of " + loss.getClass().getName()
                    + " (DJL other than 0.35.1?): pass SharpnessListener.builder().optLoss(...) with a dev.minima.loss"
                    + " loss", e);
        }
    }

    private static float floatField(Loss loss, String name) {
        try {
            return field(loss, name).getFloat(loss);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("cannot read " + name + " of " + loss.getClass().getName(), e);
        }
    }

    private static int intField(Loss loss, String name) {
        try {
            return field(loss, name).getInt(loss);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("cannot read " + name + " of " + loss.getClass().getName(), e);
        }
    }

    private static boolean boolField(Loss loss, String name) {
        try {
            return field(loss, name).getBoolean(loss);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("cannot read " + name + " of " + loss.getClass().getName(), e);
        }
    }
}
