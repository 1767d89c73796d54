package dev.minima.sam;

import ai.djl.training.LocalParameterServer;
import ai.djl.training.ParameterServer;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.optimizer.Sgd;
import ai.djl.training.tracker.ParameterTracker;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's optimizer when it is DJL's plain {@link Sgd} (no momentum, no gradient clipping, gradient rescale
 * 1) whose learning-rate tracker is a given one: then one update is w ← w − lr·(g + wd·w), and a run of many
 * sharpness-aware steps can apply it inside one native call. DJL 0.35.1 keeps the optimizer private (trainer →
 * parameter store → local parameter server → optimizer), so it is read by reflection; anything unexpected means
 * "not plain SGD", and the caller takes the step-by-step path.
 *
 * @param weightDecay the optimizer's weight decay wd
 */
record PlainSgd(float weightDecay) {

    private static final Logger LOGGER = LoggerFactory.getLogger(PlainSgd.class);

    /**
     * @param trainer a trainer
     * @param tracker the learning-rate tracker the optimizer must use (compared by identity)
     * @return the plain SGD settings, or null if the optimizer is anything else or cannot be read
     */
    static PlainSgd of(Trainer trainer, ParameterTracker tracker) {
        try {
            ParameterStore store = (ParameterStore) read(Trainer.class, trainer, "parameterStore");
            ParameterServer server = (ParameterServer) read(ParameterStore.class, store, "parameterServer");
            if (!(server instanceof LocalParameterServer)) {
                return null;
            }
            Object optimizer = read(LocalParameterServer.class, server, "optimizer");
            if (optimizer == null || optimizer.getClass() != Sgd.class) {
                return null;
            }
            float momentum = (Float) read(Sgd.class, optimizer, "momentum");
            Object lr = read(Sgd.class, optimizer, "learningRateTracker");
            float rescale = (Float) read(Optimizer.class, optimizer, "rescaleGrad");
            float clip = (Float) read(Optimizer.class, optimizer, "clipGrad");
            float wd = (Float) read(Optimizer.class, optimizer, "weightDecays");
            if (momentum != 0 || lr != tracker || rescale != 1f || clip >= 0 || !(wd >= 0)) {
                return null;
            }
            return new PlainSgd(wd);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOGGER.debug("could not read the trainer's optimizer ({}): SAM steps run one by one", e.toString());
            return null;
        }
    }

    private static Object read(Class<?> type, Object target, String field) throws ReflectiveOperationException {
        Field f = type.getDeclaredField(field);
        f.setAccessible(true);
        return f.get(target);
    }
}
