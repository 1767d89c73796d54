package dev.minima.sam;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The training loop of DJL's {@code EasyTrain.fit} with sharpness-aware steps: the trainer's listeners see
 * the usual events ({@code onTrainingBatch} after the gradients and before {@code trainer.step()}, {@code
 * onValidationBatch}, {@code onEpoch}), evaluators and the loss accumulate on the predictions at the current
 * (unperturbed) weights, and the trainer's metrics record forward, backward, step and training-metrics times.
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
        for (int epoch = 0; epoch < numEpoch; epoch++) {
            for (Batch batch : trainer.iterateDataset(trainingDataset)) {
                try (batch) {
                    trainBatch(trainer, sam, batch);
                    trainer.step();
                    sam.applyNormCaps(trainer);
                }
            }
            EasyTrain.evaluateDataset(trainer, validateDataset);
            sam.endEpoch();
            trainer.notifyListeners(listener -> listener.onEpoch(trainer));
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
