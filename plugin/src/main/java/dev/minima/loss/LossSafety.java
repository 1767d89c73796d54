package dev.minima.loss;

import ai.djl.training.loss.Loss;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says once per loss class when a Minima path differentiates a loss it cannot vouch for.
 *
 * <p>DJL's {@code L2Loss}, {@code SoftmaxCrossEntropyLoss} and most user losses multiply by Java numbers;
 * with a garbage collection between the forward and the backward pass the gradient is silently wrong. The
 * fix is to use {@link Losses} or to build constants with {@code NativeArrays}.
 */
public final class LossSafety {

    private static final Logger LOGGER = LoggerFactory.getLogger(LossSafety.class);
    private static final Set<Class<?>> WARNED = ConcurrentHashMap.newKeySet();

    private LossSafety() {}

    /**
     * Logs a warning the first time a loss of a class Minima cannot vouch for is used.
     *
     * @param loss the loss about to be differentiated
     * @return true if the loss is one of Minima's GC-safe losses
     */
    public static boolean check(Loss loss) {
        if (loss instanceof MinimaLoss) {
            return true;
        }
        if (WARNED.add(loss.getClass())) {
            LOGGER.warn("Loss {} ({}) is not one of Minima's GC-safe losses. DJL losses that multiply by Java numbers"
                    + " (mul(Number), as in L2Loss and SoftmaxCrossEntropyLoss) can return silently wrong gradients"
                    + " when the garbage collector runs between forward and backward. Use dev.minima.loss.Losses"
                    + " (halfMse, mse, softmaxCrossEntropy, binaryCrossEntropyWithLogits) instead.",
                    loss.getName(), loss.getClass().getName());
        }
        return false;
    }
}
