package dev.minima.data;

import ai.djl.training.dataset.Dataset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * MNIST images and labels as plain Java arrays, read straight from the IDX files: a cheap way for demos to
 * take subsets (say the digits 0 and 1) without going through a DJL dataset.
 *
 * <p>Pixels are scaled to [0, 1] (byte value / 255), as DJL's {@code ToTensor} does, and laid out row-major,
 * image after image: pixel (r, c) of image i is {@code pixels()[i * rows * cols + r * cols + c]}.
 *
 * <p>The set keeps the files' bytes (one byte per pixel: 47 MB for the 60,000 training images) and converts to
 * floats only what a caller asks for: {@link #copyImage} for one image, {@link #pixels()} for the whole set (a
 * new array each call, four bytes per pixel). Take {@link #head}, {@link #withDigits} or {@link #filter} first
 * and convert the subset a run uses.
 */
public final class MnistArrays {

    /** IDX magic number of an unsigned-byte 3-D file (images). */
    public static final int IMAGES_MAGIC = 0x00000803;

    /** IDX magic number of an unsigned-byte 1-D file (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    /** Unsigned pixel bytes, image after image, starting at {@link #offset}. */
    private final byte[] pixels;
    private final int offset;
    private final int[] labels;
    private final int rows;
    private final int cols;

    private MnistArrays(byte[] pixels, int offset, int[] labels, int rows, int cols) {
        this.pixels = pixels;
        this.offset = offset;
        this.labels = labels;
        this.rows = rows;
        this.cols = cols;
    }

    /**
     * Reads a split of the verified local copy, checking each file's SHA-256 on the bytes read (no second
     * pass over the disk).
     *
     * @param dataDir the data directory, or {@code null} for the default ({@code $MINIMA_DATA} or
     *     {@code ~/.minima/data})
     * @param usage {@code TRAIN} (60,000 images) or {@code TEST} (10,000)
     * @return the split
     * @throws MnistDataException if the copy is absent or corrupt (the message says to run fetch-mnist)
     */
    public static MnistArrays read(Path dataDir, Dataset.Usage usage) throws MnistDataException {
        Path dir = MnistLocalRepository.resolveDataDir(dataDir);
        MnistFile imagesFile = MnistFile.images(usage);
        MnistFile labelsFile = MnistFile.labels(usage);
        byte[] images = readVerified(dir, imagesFile);
        byte[] labels = readVerified(dir, labelsFile);
        return parse(images, labels,
                MnistLocalRepository.versionedFile(dir, imagesFile).toString(),
                MnistLocalRepository.versionedFile(dir, labelsFile).toString());
    }

    /**
     * Reads any pair of IDX files (images: magic 2051, labels: magic 2049), checking magic numbers, sizes
     * and label range but no checksum.
     *
     * @param imagesFile an IDX3 unsigned-byte file
     * @param labelsFile an IDX1 unsigned-byte file with as many entries
     * @return the images and labels
     * @throws MnistDataException if a file is missing, unreadable or malformed
     */
    public static MnistArrays read(Path imagesFile, Path labelsFile) throws MnistDataException {
        return parse(readBytes(imagesFile), readBytes(labelsFile), imagesFile.toString(), labelsFile.toString());
    }

    private static byte[] readVerified(Path dir, MnistFile file) throws MnistDataException {
        Path path = MnistLocalRepository.versionedFile(dir, file);
        byte[] bytes = readBytes(path);
        String actual = HexFormat.of().formatHex(MnistLocalRepository.newSha256().digest(bytes));
        if (!actual.equals(file.sha256())) {
            throw new MnistDataException(path + " is corrupt (SHA-256 " + actual + ", expected " + file.sha256()
                    + ") and will not be used. Run `java -jar demos/target/minima-demos.jar fetch-mnist --data "
                    + dir + "` to replace it with a verified copy.");
        }
        return bytes;
    }

    private static byte[] readBytes(Path path) throws MnistDataException {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new MnistDataException("MNIST file " + path + " does not exist. Run `java -jar"
                    + " demos/target/minima-demos.jar fetch-mnist` (or MnistFetcher) to download it.", e);
        } catch (IOException e) {
            throw new MnistDataException("Cannot read MNIST file " + path + ": " + e, e);
        }
    }

    private static MnistArrays parse(byte[] img, byte[] lab, String imgName, String labName)
            throws MnistDataException {
        String fix = ". The file is corrupt or not an IDX file; run fetch-mnist to get a verified copy.";
        if (img.length < 16) {
            throw new MnistDataException(imgName + " is too short for an IDX3 header (" + img.length + " bytes)" + fix);
        }
        if (lab.length < 8) {
            throw new MnistDataException(labName + " is too short for an IDX1 header (" + lab.length + " bytes)" + fix);
        }
        ByteBuffer ib = ByteBuffer.wrap(img); // big-endian, as IDX is
        ByteBuffer lb = ByteBuffer.wrap(lab);
        int imgMagic = ib.getInt();
        if (imgMagic != IMAGES_MAGIC) {
            throw new MnistDataException(String.format(
                    "%s has IDX magic number 0x%08x, expected 0x%08x (unsigned-byte images)%s", imgName, imgMagic,
                    IMAGES_MAGIC, fix));
        }
        int labMagic = lb.getInt();
        if (labMagic != LABELS_MAGIC) {
            throw new MnistDataException(String.format(
                    "%s has IDX magic number 0x%08x, expected 0x%08x (unsigned-byte labels)%s", labName, labMagic,
                    LABELS_MAGIC, fix));
        }
        int n = ib.getInt();
        int rows = ib.getInt();
        int cols = ib.getInt();
        if (n < 0 || rows <= 0 || cols <= 0) {
            throw new MnistDataException(imgName + " declares " + n + " images of " + rows + " x " + cols + fix);
        }
        long expected = 16L + (long) n * rows * cols;
        if (img.length != expected) {
            throw new MnistDataException(imgName + " has " + img.length + " bytes, but its header (" + n + " images of "
                    + rows + " x " + cols + ") needs " + expected + fix);
        }
        int nLabels = lb.getInt();
        if (lab.length != 8L + Math.max(nLabels, 0) || nLabels < 0) {
            throw new MnistDataException(labName + " has " + lab.length + " bytes, but its header (" + nLabels
                    + " labels) needs " + (8L + nLabels) + fix);
        }
        if (nLabels != n) {
            throw new MnistDataException(imgName + " holds " + n + " images but " + labName + " holds " + nLabels
                    + " labels; they do not belong together" + fix);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = lab[8 + i] & 0xff;
            if (label > 9) {
                throw new MnistDataException(labName + " has label " + label + " at index " + i
                        + ", outside 0..9" + fix);
            }
            labels[i] = label;
        }
        return new MnistArrays(img, 16, labels, rows, cols);
    }

    /** @return the number of images */
    public int size() {
        return labels.length;
    }

    /** @return rows per image (28 for MNIST) */
    public int rows() {
        return rows;
    }

    /** @return columns per image (28 for MNIST) */
    public int cols() {
        return cols;
    }

    /** @return pixels per image, {@code rows * cols} */
    public int pixelsPerImage() {
        return rows * cols;
    }

    /**
     * Converts every image to floats. Each call allocates a new array of {@code size() * rows() * cols()} floats;
     * convert a subset ({@link #head}, {@link #withDigits}) or copy single images ({@link #copyImage}) rather
     * than calling this on a whole split.
     *
     * @return all pixels in [0, 1], image after image, row-major (a new array)
     */
    public float[] pixels() {
        int d = pixelsPerImage();
        float[] out = new float[labels.length * d];
        for (int i = 0; i < out.length; i++) {
            out[i] = (pixels[offset + i] & 0xff) / 255f;
        }
        return out;
    }

    /**
     * Copies one image's pixels, as floats in [0, 1], into an array.
     *
     * @param index image index
     * @param dest destination array
     * @param destOffset where the image's first pixel goes in {@code dest}
     */
    public void copyImage(int index, float[] dest, int destOffset) {
        Objects.checkIndex(index, labels.length);
        int d = pixelsPerImage();
        Objects.checkFromIndexSize(destOffset, d, dest.length);
        int from = offset + index * d;
        for (int k = 0; k < d; k++) {
            dest[destOffset + k] = (pixels[from + k] & 0xff) / 255f;
        }
    }

    /** @return all labels, 0 to 9 (the array itself, not a copy) */
    public int[] labels() {
        return labels;
    }

    /**
     * Returns the label of an image.
     *
     * @param index image index
     * @return its label, 0 to 9
     */
    public int label(int index) {
        return labels[index];
    }

    /**
     * Returns a copy of one image's pixels.
     *
     * @param index image index
     * @return {@code rows * cols} values in [0, 1], row-major
     */
    public float[] image(int index) {
        float[] out = new float[pixelsPerImage()];
        copyImage(index, out, 0);
        return out;
    }

    /**
     * Returns the images whose label passes a test, in their original order.
     *
     * @param keep test on the label
     * @return a new, smaller set
     */
    public MnistArrays filter(IntPredicate keep) {
        int d = pixelsPerImage();
        int count = 0;
        for (int l : labels) {
            if (keep.test(l)) {
                count++;
            }
        }
        byte[] p = new byte[count * d];
        int[] l = new int[count];
        int j = 0;
        for (int i = 0; i < labels.length; i++) {
            if (keep.test(labels[i])) {
                System.arraycopy(pixels, offset + i * d, p, j * d, d);
                l[j++] = labels[i];
            }
        }
        return new MnistArrays(p, 0, l, rows, cols);
    }

    /**
     * Returns the images of some digits, e.g. {@code withDigits(0, 1)} for the 0-vs-1 task.
     *
     * @param digits the labels to keep
     * @return a new, smaller set in the original order
     */
    public MnistArrays withDigits(int... digits) {
        boolean[] keep = new boolean[10];
        for (int d : digits) {
            if (d < 0 || d > 9) {
                throw new IllegalArgumentException("MNIST digits are 0..9, not " + d);
            }
            keep[d] = true;
        }
        return filter(l -> keep[l]);
    }

    /**
     * Returns the first images.
     *
     * @param n how many to keep (at most {@link #size()})
     * @return a new set of {@code min(n, size())} images
     */
    public MnistArrays head(int n) {
        int k = Math.min(Math.max(n, 0), labels.length);
        int d = pixelsPerImage();
        return new MnistArrays(Arrays.copyOfRange(pixels, offset, offset + k * d), 0, Arrays.copyOf(labels, k), rows,
                cols);
    }

    /** @return how many images carry each label 0 to 9 */
    public int[] labelCounts() {
        int[] counts = new int[10];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /** @return the mean of all pixels (in [0, 1]); NaN for an empty set */
    public double pixelMean() {
        double sum = 0;
        int count = labels.length * pixelsPerImage();
        for (int i = 0; i < count; i++) {
            sum += (pixels[offset + i] & 0xff) / 255f;
        }
        return count == 0 ? Double.NaN : sum / count;
    }
}
