package dev.minima.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX parsing on small synthetic files: no real MNIST needed. */
class MnistArraysTest {

    @TempDir
    Path tmp;

    private Path images(int magic, int n, int rows, int cols, int extraBytes) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols + extraBytes);
        b.putInt(magic).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < n * rows * cols + extraBytes; i++) {
            b.put((byte) (i % 6 * 51)); // 0, 51, 102, 153, 204, 255, 0, ...
        }
        Path p = tmp.resolve("images-" + magic + "-" + n + "-" + extraBytes);
        Files.write(p, b.array());
        return p;
    }

    private Path labels(int magic, int... labels) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(magic).putInt(labels.length);
        for (int l : labels) {
            b.put((byte) l);
        }
        Path p = tmp.resolve("labels-" + magic + "-" + Arrays.toString(labels));
        Files.write(p, b.array());
        return p;
    }

    @Test
    void readsValidFiles() throws Exception {
        MnistArrays a = MnistArrays.read(images(2051, 3, 2, 2, 0), labels(2049, 1, 0, 1));
        assertEquals(3, a.size());
        assertEquals(4, a.pixelsPerImage());
        assertArrayEquals(new float[] {0f, 0.2f, 0.4f, 0.6f}, a.image(0), 1e-6f);
        assertArrayEquals(new float[] {0.8f, 1f, 0f, 0.2f}, a.image(1), 1e-6f);
        assertArrayEquals(new int[] {1, 2, 0, 0, 0, 0, 0, 0, 0, 0}, a.labelCounts());
        MnistArrays ones = a.withDigits(1);
        assertEquals(2, ones.size());
        assertArrayEquals(a.image(2), ones.image(1));
        assertEquals((0 + 0.2 + 0.4 + 0.6 + 0.8 + 1 + 0 + 0.2 + 0.4 + 0.6 + 0.8 + 1) / 12, a.pixelMean(), 1e-6);
    }

    @Test
    void wrongMagicNumbersAreReported() throws Exception {
        MnistDataException e = assertThrows(MnistDataException.class,
                () -> MnistArrays.read(images(2049, 1, 2, 2, 0), labels(2049, 1)));
        assertTrue(e.getMessage().contains("magic number 0x00000801, expected 0x00000803"), e.getMessage());
        e = assertThrows(MnistDataException.class,
                () -> MnistArrays.read(images(2051, 1, 2, 2, 0), images(2051, 1, 2, 2, 0)));
        assertTrue(e.getMessage().contains("magic number 0x00000803, expected 0x00000801"), e.getMessage());
    }

    @Test
    void wrongSizesAreReported() throws Exception {
        MnistDataException e = assertThrows(MnistDataException.class,
                () -> MnistArrays.read(images(2051, 2, 2, 2, -1), labels(2049, 1, 1)));
        assertTrue(e.getMessage().contains("has 23 bytes, but its header (2 images of 2 x 2) needs 24"),
                e.getMessage());
        e = assertThrows(MnistDataException.class,
                () -> MnistArrays.read(images(2051, 2, 2, 2, 0), labels(2049, 1, 1, 1)));
        assertTrue(e.getMessage().contains("holds 2 images but"), e.getMessage());
        Path shortFile = tmp.resolve("short");
        Files.write(shortFile, new byte[] {0, 0, 8, 3});
        e = assertThrows(MnistDataException.class, () -> MnistArrays.read(shortFile, labels(2049, 1)));
        assertTrue(e.getMessage().contains("too short for an IDX3 header"), e.getMessage());
    }

    @Test
    void labelsOutsideZeroToNineAreReported() throws Exception {
        MnistDataException e = assertThrows(MnistDataException.class,
                () -> MnistArrays.read(images(2051, 2, 2, 2, 0), labels(2049, 3, 12)));
        assertTrue(e.getMessage().contains("label 12 at index 1"), e.getMessage());
    }

    @Test
    void missingFilesAndAbsentCopyAreReported() throws Exception {
        MnistDataException e = assertThrows(MnistDataException.class,
                () -> MnistArrays.read(tmp.resolve("nope"), tmp.resolve("nope2")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        e = assertThrows(MnistDataException.class,
                () -> MnistArrays.read(tmp.resolve("empty-data"), ai.djl.training.dataset.Dataset.Usage.TEST));
        assertTrue(e.getMessage().contains("fetch-mnist"), e.getMessage());
    }
}
