package dev.minima.demos;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal reader of the raw MNIST IDX files for the {@code eos} demo.
 *
 * <p>TODO(merge): replace with the shared {@code dev.minima.data} MNIST loader when it lands in this branch;
 * this private reader exists only so that the demo runs before then.
 */
final class IdxMnist {

    /** Where the files sit below the data directory (DJL's local-repository layout). */
    static final String ARTIFACT_DIR = "dataset/cv/ai/djl/basicdataset/mnist";

    /**
     * Training images and labels.
     *
     * @param pixels n × 784 pixel values in [0, 1], row-major
     * @param labels n labels in 0..9
     */
    record Data(float[] pixels, int[] labels) {
        int size() {
            return labels.length;
        }
    }

    private IdxMnist() {}

    /**
     * @param option the {@code --data} option, or null
     * @return the data directory: the option, else $MINIMA_DATA, else ~/.minima/data
     */
    static Path dataDir(Path option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("MINIMA_DATA");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".minima", "data");
    }

    /**
     * Reads the first {@code limit} training examples.
     *
     * @param dataDir the data directory (or a directory holding the IDX files directly)
     * @param limit how many examples at most
     * @return the examples
     * @throws IllegalStateException telling the user to run fetch-mnist if the files are absent
     * @throws IOException if a file is unreadable or malformed
     */
    static Data readTrain(Path dataDir, int limit) throws IOException {
        Path dir = Files.isRegularFile(dataDir.resolve("train-images-idx3-ubyte")) ? dataDir
                : dataDir.resolve(ARTIFACT_DIR);
        Path images = dir.resolve("train-images-idx3-ubyte");
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new IllegalStateException("MNIST not found in " + dir + " (expected train-images-idx3-ubyte and"
                    + " train-labels-idx1-ubyte, uncompressed): run `java -jar minima-demos.jar fetch-mnist` first,"
                    + " or point --data (or $MINIMA_DATA) at the data directory");
        }
        try (DataInputStream in = open(images)) {
            expect(in.readInt(), 2051, images);
            int n = Math.min(in.readInt(), limit);
            int rows = in.readInt();
            int cols = in.readInt();
            if (rows * cols != 784) {
                throw new IOException(images + ": images of " + rows + "x" + cols + ", expected 28x28");
            }
            byte[] raw = new byte[n * 784];
            in.readFully(raw);
            float[] pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = (raw[i] & 0xff) / 255f;
            }
            try (DataInputStream lin = open(labels)) {
                expect(lin.readInt(), 2049, labels);
                int m = lin.readInt();
                if (m < n) {
                    throw new IOException(labels + " holds " + m + " labels for " + n + " images");
                }
                byte[] lraw = new byte[n];
                lin.readFully(lraw);
                int[] ls = new int[n];
                for (int i = 0; i < n; i++) {
                    ls[i] = lraw[i] & 0xff;
                }
                return new Data(pixels, ls);
            }
        }
    }

    private static DataInputStream open(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
    }

    private static void expect(int magic, int wanted, Path p) throws IOException {
        if (magic != wanted) {
            throw new IOException(p + " is not an uncompressed IDX file (magic " + magic + ", expected " + wanted
                    + "); gzipped files must be unpacked, or run fetch-mnist");
        }
    }
}
