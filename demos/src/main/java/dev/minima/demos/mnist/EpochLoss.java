package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import dev.minima.autograd.GradMode;
import dev.minima.demos.support.CsvTable;
import java.util.ArrayList;
import java.util.List;

/**
 * A DJL listener that averages the training loss of each epoch's batches (evaluated on the predictions the
 * step saw, at the unperturbed weights for SAM) and writes one CSV row per epoch: optimizer, epoch, steps,
 * running loss.
 */
final class EpochLoss extends TrainingListenerAdapter {

    private final String name;
    private final CsvTable csv;
    private final List<Double> means = new ArrayList<>();
    private double sum;
    private long count;
    private long steps;

    /**
     * @param name the optimizer's name, first column of the CSV
     * @param csv the table (optimizer, epoch, step, train_loss_running), or null
     */
    EpochLoss(String name, CsvTable csv) {
        this.name = name;
        this.csv = csv;
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        steps++;
        try (GradMode off = GradMode.disabled()) {
            for (var e : batchData.getPredictions().entrySet()) {
                NDList labels = batchData.getLabels().get(e.getKey());
                NDArray value = trainer.getLoss().evaluate(labels, e.getValue());
                long n = labels.head().getShape().get(0);
                sum += value.getFloat() * n;
                count += n;
                value.close();
            }
        }
    }

    @Override
    public void onEpoch(Trainer trainer) {
        double mean = count == 0 ? Double.NaN : sum / count;
        means.add(mean);
        if (csv != null) {
            csv.row(name, means.size(), steps, mean);
        }
        sum = 0;
        count = 0;
    }

    /** @return the mean batch loss of every epoch so far */
    List<Double> means() {
        return List.copyOf(means);
    }

    /** @return training batches seen */
    long steps() {
        return steps;
    }
}
