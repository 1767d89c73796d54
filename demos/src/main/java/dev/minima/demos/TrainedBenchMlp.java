package dev.minima.demos;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.minima.autograd.NativeArrays;
import dev.minima.data.MnistArrays;
import dev.minima.demos.mnist.ArrayTrainer;
import dev.minima.demos.mnist.Evaluation;
import dev.minima.loss.Losses;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code bench} MLP (784-512-512-10 ReLU, DJL's default initialisation under the seed) trained on MNIST's
 * 60,000 training images with Adam (learning rate 1e-3, batch 128, softmax cross-entropy) until its accuracy on
 * the 10,000 test images reaches a target, checked after every epoch. Close it to free the model.
 */
final class TrainedBenchMlp implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(TrainedBenchMlp.class);

    private final Model model;
    private final int epochs;
    private final double testAccuracy;
    private final double seconds;

    private TrainedBenchMlp(Model model, int epochs, double testAccuracy, double seconds) {
        this.model = model;
        this.epochs = epochs;
        this.testAccuracy = testAccuracy;
        this.seconds = seconds;
    }

    /**
     * @param train MNIST's training split
     * @param test MNIST's test split
     * @param seed seed of the initialisation and of the example order
     * @param target test accuracy at which training stops
     * @param maxEpochs epochs at most
     * @return the trained network (whether or not it reached the target: see {@link #testAccuracy()})
     */
    static TrainedBenchMlp train(MnistArrays train, MnistArrays test, long seed, double target, int maxEpochs) {
        Model model = Model.newInstance("bench-mlp");
        long start = System.nanoTime();
        try {
            model.setBlock(CurvatureBenchmark.mlpBlock());
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
            NDManager m = model.getNDManager();
            NDArray x = NativeArrays.of(m, train.pixels(), new Shape(train.size(), 784), DataType.FLOAT32);
            NDArray y = NativeArrays.of(m, labels(train), new Shape(train.size()), DataType.INT64);
            NDArray xTest = NativeArrays.of(m, test.pixels(), new Shape(test.size(), 784), DataType.FLOAT32);
            int[] yTest = test.labels();
            double accuracy = 0;
            int epoch = 0;
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Losses.softmaxCrossEntropy())
                    .optOptimizer(adam))) {
                Engine.getInstance().setRandomSeed((int) seed); // the same draws as CurvatureBenchmark.mlp(seed)
                trainer.initialize(new Shape(1, 784));
                ArrayTrainer loop = new ArrayTrainer(trainer, x, y, 128, seed);
                while (epoch < maxEpochs && accuracy < target) {
                    double loss = loop.epoch();
                    epoch++;
                    accuracy = accuracy(Evaluation.predict(model.getBlock(), xTest), yTest);
                    LOGGER.info("bench MLP epoch {}: training loss {}, test accuracy {}", epoch, loss, accuracy);
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException("training the bench MLP diverged (loss " + loss + ")");
                    }
                }
            }
            x.close();
            y.close();
            xTest.close();
            return new TrainedBenchMlp(model, epoch, accuracy, (System.nanoTime() - start) / 1e9);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static double[] labels(MnistArrays data) {
        return Arrays.stream(data.labels()).asDoubleStream().toArray();
    }

    private static double accuracy(float[] logits, int[] labels) {
        int classes = logits.length / labels.length;
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            right += best == labels[i] ? 1 : 0;
        }
        return (double) right / labels.length;
    }

    /** @return the trained block */
    Block block() {
        return model.getBlock();
    }

    /** @return epochs run */
    int epochs() {
        return epochs;
    }

    /** @return accuracy on MNIST's 10,000 test images */
    double testAccuracy() {
        return testAccuracy;
    }

    /** @return wall time of the training, in seconds */
    double seconds() {
        return seconds;
    }

    @Override
    public void close() {
        model.close();
    }
}
