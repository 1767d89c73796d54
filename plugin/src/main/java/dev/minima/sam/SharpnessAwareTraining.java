package dev.minima.sam;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The training loop of DJL's {@code EasyTrain.fit} with sharpness-aware steps: the trainer's listeners see
 * the usual events ({@code onTrainingBatch} after the gradients and before {@code trainer.step()}, {@code
 * onValidationBatch}, {@code onEpoch}), evaluators and the loss accumulate on the predictions at the current
 * (unperturbed) weights, and the trainer's metrics record forward, backward, step and training-metrics times.
 * A trainer without training listeners has no per-step callbacks to serve: then runs of equal-size batches go to
 * {@link SamStep#steps} together, which takes them inside one native call when the fused path applies and the
 * optimizer is plain SGD on the schedule's learning rate (same trajectory either way).
 *
 * <pre>{@code
 * SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.05).build());
 * SharpnessAwareTraining.fit(trainer, sam, epochs, trainSet, validationSet); // was EasyTrain.fit(...)
 * }</pre>
 */
public final class SharpnessAwareTraining {

    private SharpnessAwareTraining() {}

    /**
     * A drop-in replacement for {@code EasyTrain.fit}: SAM with ρ = 0.05 (Foret et al.'s default) on the whole
     * batch. For other settings build a {@link SamStep} and use {@link #fit(Trainer, SamStep, int, Dataset,
     * Dataset)}.
     *
     * @param trainer the trainer
     * @param numEpoch the number of epochs
     * @param trainingDataset the training data
     * @param validateDataset the validation data, or null
     * @throws IOException if a dataset cannot be read
     * @throws TranslateException if a dataset's processing fails
     */
    public static void fit(Trainer trainer, int numEpoch, Dataset trainingDataset, Dataset validateDataset)
            throws IOException, TranslateException {
        fit(trainer, SamStep.of(SharpnessAware.builder().build()), numEpoch, trainingDataset, validateDataset);
    }

    /**
     * Trains for a number of epochs, validating after each one (as {@code EasyTrain.fit}).
     *
     * @param trainer the trainer
     * @param sam the sharpness-aware step (its epoch clock advances once per epoch)
     * @param numEpoch the number of epochs
     * @param trainingDataset the training data
     * @param validateDataset the validation data, or null
     * @throws IOException if a dataset cannot be read
     * @throws TranslateException if a dataset's processing fails
     */
    public static void fit(Trainer trainer, SamStep sam, int numEpoch, Dataset trainingDataset,
            Dataset validateDataset) throws IOException, TranslateException {
        if (numEpoch < 0) {
            throw new IllegalArgumentException("the number of epochs must be ≥ 0, got " + numEpoch);
        }
        boolean fused = !hasListeners(trainer);
        for (int epoch = 0; epoch < numEpoch; epoch++) {
            if (fused) {
                fusedEpoch(trainer, sam, trainingDataset);
            } else {
                for (Batch batch : trainer.iterateDataset(trainingDataset)) {
                    try (batch) {
                        trainBatch(trainer, sam, batch);
                        trainer.step();
                        sam.applyNormCaps(trainer);
                    }
                }
            }
            EasyTrain.evaluateDataset(trainer, validateDataset);
            sam.endEpoch();
            trainer.notifyListeners(listener -> listener.onEpoch(trainer));
        }
    }

    /** Batches gathered into one {@link SamStep#steps} call at most. */
    static final int GROUP = 256;

    /**
     * One epoch without per-step callbacks: runs of equal-size batches (one data and one label array each), in the
     * dataset's order, go to {@link SamStep#steps} together (at most {@link #GROUP} batches per call), which runs
     * them inside one native call when it can and one by one otherwise; any other batch takes a plain step.
     */
    private static void fusedEpoch(Trainer trainer, SamStep sam, Dataset dataset)
            throws IOException, TranslateException {
        try (Group group = new Group(trainer)) {
            for (Batch batch : trainer.iterateDataset(dataset)) {
                try (batch) {
                    boolean plain = batch.getData().size() != 1 || batch.getLabels().size() != 1
                            || batch.getData().get(0).getShape().dimension() == 0
                            || sam.fusedSgd(trainer, batch.getSize()) == null;
                    if (group.size() > 0 && (plain || batch.getSize() != group.batchSize || group.size() == GROUP)) {
                        group.run(sam);
                    }
                    if (plain) {
                        sam.step(trainer, batch);
                    } else {
                        group.add(batch);
                    }
                }
            }
            if (group.size() > 0) {
                group.run(sam);
            }
        }
    }

    /** Copies of a run of equal-size batches (a DJL iterator may free a batch's arrays once it moves on). */
    private static final class Group implements AutoCloseable {
        private final Trainer trainer;
        private NDManager scope;
        private final NDList xs = new NDList();
        private final NDList ys = new NDList();
        private int batchSize;

        Group(Trainer trainer) {
            this.trainer = trainer;
        }

        int size() {
            return xs.size();
        }

        void add(Batch batch) {
            if (scope == null) {
                scope = trainer.getManager().newSubManager();
                batchSize = batch.getSize();
            }
            NDArray x = batch.getData().get(0).duplicate();
            NDArray y = batch.getLabels().get(0).duplicate();
            x.attach(scope);
            y.attach(scope);
            xs.add(x);
            ys.add(y);
        }

        void run(SamStep sam) {
            try {
                NDArray x = xs.size() == 1 ? xs.get(0) : NDArrays.concat(xs, 0);
                NDArray y = ys.size() == 1 ? ys.get(0) : NDArrays.concat(ys, 0);
                int[] order = new int[batchSize * xs.size()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                sam.steps(trainer, x, y, order, batchSize);
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            if (scope != null) {
                scope.close();
                scope = null;
            }
            xs.clear();
            ys.clear();
        }
    }

    /** @return whether the trainer has training listeners (true if DJL's private list cannot be read) */
    static boolean hasListeners(Trainer trainer) {
        try {
            Field f = Trainer.class.getDeclaredField("listeners");
            f.setAccessible(true);
            Object listeners = f.get(trainer);
            return !(listeners instanceof List<?> l) || !l.isEmpty();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }

    /**
     * Computes the sharpness-aware gradient of one batch into {@code .grad} and notifies {@code
     * onTrainingBatch} (as {@code EasyTrain.trainBatch}); the caller then calls {@code trainer.step()}.
     *
     * @param trainer the trainer
     * @param sam the sharpness-aware step
     * @param batch the batch
     * @return what the step saw
     */
    public static SamStepResult trainBatch(Trainer trainer, SamStep sam, Batch batch) {
        if (trainer.getManager().getEngine() != batch.getManager().getEngine()) {
            throw new IllegalArgumentException("the batch's engine differs from the trainer's: create the data with "
                    + "the trainer's NDManager");
        }
        Map<Device, NDList> predictions = new ConcurrentHashMap<>();
        SamStepResult result = sam.computeGradients(trainer, batch, predictions);
        long time = System.nanoTime();
        Map<Device, NDList> labels = new ConcurrentHashMap<>();
        for (Device d : predictions.keySet()) {
            labels.put(d, batch.getLabels());
        }
        BatchData batchData = new BatchData(batch, labels, predictions);
        trainer.addMetric("training-metrics", time);
        trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, batchData));
        return result;
    }
}
