package dev.minima.sam;

import ai.djl.training.Trainer;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Work-arounds for DJL 0.35.1 trainer limitations met when training outside float32. */
public final class TrainerWorkarounds {

    private static final Logger LOGGER = LoggerFactory.getLogger(TrainerWorkarounds.class);

    private TrainerWorkarounds() {}

    /**
     * Lets {@code trainer.step()} run on a float64 (or other non-float32) model. DJL 0.35.1's {@code
     * Trainer.step()} checks on its first call that the gradients are not all zero by reading their sum with
     * {@code getFloat()}, which throws "DataType mismatch, Required float, Actual float64" for float64
     * parameters. This marks that one-time check as done. The check only guards against a forgotten backward
     * pass; {@link SamStep} calls this itself for non-float32 models.
     *
     * @param trainer the trainer
     * @return true if the check was disabled, false if DJL's internals changed (logged)
     */
    public static boolean allowNonFloat32(Trainer trainer) {
        try {
            Field f = Trainer.class.getDeclaredField("gradientsChecked");
            f.setAccessible(true);
            f.setBoolean(trainer, true);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOGGER.warn("could not skip DJL's float32-only gradient check; trainer.step() may fail on a {} model: {}",
                    trainer.getModel().getDataType(), e.toString());
            return false;
        }
    }
}
