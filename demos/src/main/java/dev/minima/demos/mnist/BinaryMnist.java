package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.minima.autograd.NativeArrays;
import dev.minima.data.MnistArrays;
import java.util.Arrays;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;

/**
 * Nacson et al.'s (2023) MNIST task (Sec. 6): images of two digits labelled y = +1 (the first digit) and y = −1 (the
 * second), a small training set and a validation set drawn from the remaining images of each class. The
 * training set is balanced (n/2 per class), every choice made by a seeded shuffle.
 *
 * @param trainPixels training images, image after image
 * @param trainLabels training labels ±1
 * @param valPixels validation images
 * @param valLabels validation labels ±1
 * @param pixels pixels per image
 */
public record BinaryMnist(float[] trainPixels, float[] trainLabels, float[] valPixels, float[] valLabels, int pixels) {

    /**
     * Draws the split.
     *
     * @param split the MNIST split to draw from (the training split in the paper)
     * @param positive the digit labelled +1 (0 in the paper)
     * @param negative the digit labelled −1 (1 in the paper)
     * @param trainSize training images, even (512 in the paper)
     * @param valPerClass validation images per class (4000 in the paper)
     * @param seed seed of the draw
     * @return the data
     * @throws IllegalArgumentException if a class has too few images or the sizes are invalid
     */
    public static BinaryMnist of(MnistArrays split, int positive, int negative, int trainSize, int valPerClass,
            long seed) {
        if (positive == negative) {
            throw new IllegalArgumentException("the two classes must be different digits, got " + positive + " twice");
        }
        if (trainSize < 2 || trainSize % 2 != 0) {
            throw new IllegalArgumentException("training size must be even and at least 2 (n/2 per class), got "
                    + trainSize);
        }
        if (valPerClass < 0) {
            throw new IllegalArgumentException("validation images per class must be >= 0, got " + valPerClass);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] pos = shuffled(indicesOf(split, positive), random);
        int[] neg = shuffled(indicesOf(split, negative), random);
        int half = trainSize / 2;
        for (int[] cls : new int[][] {pos, neg}) {
            if (cls.length < half + valPerClass) {
                throw new IllegalArgumentException("digit " + (cls == pos ? positive : negative) + " has "
                        + cls.length + " images, fewer than the " + (half + valPerClass)
                        + " asked for (training + validation): lower --train-size or --val-per-class");
            }
        }
        int d = split.pixelsPerImage();
        int[] train = interleave(Arrays.copyOfRange(pos, 0, half), Arrays.copyOfRange(neg, 0, half));
        int[] val = interleave(Arrays.copyOfRange(pos, half, half + valPerClass),
                Arrays.copyOfRange(neg, half, half + valPerClass));
        return new BinaryMnist(gather(split, train), labels(split, train, positive), gather(split, val),
                labels(split, val, positive), d);
    }

    /**
     * Copies the arrays: the record is immutable.
     *
     * @param trainPixels training images, image after image
     * @param trainLabels training labels ±1
     * @param valPixels validation images
     * @param valLabels validation labels ±1
     * @param pixels pixels per image
     */
    public BinaryMnist {
        if (trainPixels.length != (long) trainLabels.length * pixels
                || valPixels.length != (long) valLabels.length * pixels) {
            throw new IllegalArgumentException("pixel arrays do not hold one image of " + pixels
                    + " pixels per label");
        }
        trainPixels = trainPixels.clone();
        trainLabels = trainLabels.clone();
        valPixels = valPixels.clone();
        valLabels = valLabels.clone();
    }

    /** @return a copy of the training images */
    @Override
    public float[] trainPixels() {
        return trainPixels.clone();
    }

    /** @return a copy of the training labels */
    @Override
    public float[] trainLabels() {
        return trainLabels.clone();
    }

    /** @return a copy of the validation images */
    @Override
    public float[] valPixels() {
        return valPixels.clone();
    }

    /** @return a copy of the validation labels */
    @Override
    public float[] valLabels() {
        return valLabels.clone();
    }

    /** @return number of training images */
    public int trainSize() {
        return trainLabels.length;
    }

    /** @return number of validation images */
    public int valSize() {
        return valLabels.length;
    }

    /** @return the training inputs as n rows of doubles (for {@code dev.minima.stability.InputSample}) */
    public double[][] trainRows() {
        double[][] rows = new double[trainSize()][pixels];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < pixels; j++) {
                rows[i][j] = trainPixels[i * pixels + j];
            }
        }
        return rows;
    }

    /**
     * @param manager the manager
     * @param dataType the data type
     * @return training inputs (n, pixels), libtorch-owned
     */
    public NDArray trainInputs(NDManager manager, DataType dataType) {
        return NativeArrays.of(manager, trainPixels, new Shape(trainSize(), pixels), dataType);
    }

    /**
     * @param manager the manager
     * @param dataType the data type
     * @return training labels (n, 1) in {−1, +1}, libtorch-owned
     */
    public NDArray trainTargets(NDManager manager, DataType dataType) {
        return NativeArrays.of(manager, trainLabels, new Shape(trainSize(), 1), dataType);
    }

    /**
     * @param manager the manager
     * @param dataType the data type
     * @return validation inputs (m, pixels), libtorch-owned
     */
    public NDArray valInputs(NDManager manager, DataType dataType) {
        return NativeArrays.of(manager, valPixels, new Shape(valSize(), pixels), dataType);
    }

    private static int[] indicesOf(MnistArrays split, int digit) {
        return java.util.stream.IntStream.range(0, split.size()).filter(i -> split.label(i) == digit).toArray();
    }

    private static int[] shuffled(int[] a, SplittableRandom random) {
        int[] b = a.clone();
        SeededRandom.shuffle(b, random);
        return b;
    }

    /** Alternates the classes so that any prefix is balanced. */
    private static int[] interleave(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        for (int i = 0; i < a.length; i++) {
            out[2 * i] = a[i];
            out[2 * i + 1] = b[i];
        }
        return out;
    }

    private static float[] gather(MnistArrays split, int[] idx) {
        int d = split.pixelsPerImage();
        float[] out = new float[idx.length * d];
        for (int i = 0; i < idx.length; i++) {
            split.copyImage(idx[i], out, i * d);
        }
        return out;
    }

    private static float[] labels(MnistArrays split, int[] idx, int positive) {
        float[] out = new float[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = split.label(idx[i]) == positive ? 1f : -1f;
        }
        return out;
    }
}
