package dev.minima.data;

import static dev.minima.data.MnistTestSupport.assumeRealData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.basicdataset.cv.classification.Mnist;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.Record;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDataTest {

    @TempDir
    Path tmp;

    @Test
    void readsTestBatchThroughDjlMnist() throws Exception {
        Path real = assumeRealData();
        try (NDManager manager = NDManager.newBaseManager()) {
            Mnist mnist = MnistData.builder().optDataDir(real).optUsage(Dataset.Usage.TEST)
                    .setSampling(32, false).optManager(manager).optFallbackToDjl(false).build();
            mnist.prepare();
            assertEquals(10_000, mnist.size());

            // a raw record, before DJL's ToTensor pipeline: (28, 28, 1) bytes as floats
            Record first = mnist.get(manager, 0);
            assertEquals(new Shape(28, 28, 1), first.getData().head().getShape());
            assertEquals(7f, first.getLabels().head().getFloat());

            Batch batch = mnist.getData(manager).iterator().next();
            try (batch) {
                NDArray x = batch.getData().head();
                NDArray y = batch.getLabels().head();
                assertEquals(new Shape(32, 1, 28, 28), x.getShape());
                assertEquals(new Shape(1, 28, 28), x.get(0).getShape(), "one sample after ToTensor");
                assertEquals(new Shape(32), y.getShape());
                assertEquals(7f, y.toFloatArray()[0]);
                assertEquals(2f, y.toFloatArray()[1]);
                assertTrue(x.min().getFloat() >= 0f && x.max().getFloat() <= 1f, "ToTensor scales to [0,1]");
                assertEquals(1f, x.max().getFloat(), 1e-6);
            }
        }
    }

    @Test
    void trainSplitWithLimit() throws Exception {
        Path real = assumeRealData();
        try (NDManager manager = NDManager.newBaseManager()) {
            Mnist mnist = MnistData.builder().optDataDir(real).optUsage(Dataset.Usage.TRAIN)
                    .setSampling(10, true).optLimit(100).optManager(manager).build();
            mnist.prepare();
            assertEquals(100, mnist.size());
            assertEquals(5f, mnist.get(manager, 0).getLabels().head().getFloat(), "first training label is 5");
        }
    }

    @Test
    void rawArraysAgreeWithDjl() throws Exception {
        Path real = assumeRealData();
        MnistArrays test = MnistArrays.read(real, Dataset.Usage.TEST);
        assertEquals(10_000, test.size());
        assertEquals(28, test.rows());
        assertEquals(28, test.cols());
        assertEquals(7, test.label(0));
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, test.labelCounts());
        MnistArrays zeroOne = test.withDigits(0, 1);
        assertEquals(980 + 1135, zeroOne.size());
        assertEquals(1, zeroOne.label(0), "test image 2 is the first 0 or 1 and it is a 1");
        assertArrayEquals(test.image(2), zeroOne.image(0));
        assertEquals(5, test.head(5).size());

        try (NDManager manager = NDManager.newBaseManager()) {
            Mnist mnist = MnistData.builder().optDataDir(real).optUsage(Dataset.Usage.TEST)
                    .optManager(manager).optLimit(1).build();
            mnist.prepare();
            float[] djl;
            try (Batch batch = mnist.getData(manager).iterator().next()) {
                djl = batch.getData().head().get(0).toFloatArray(); // (1, 28, 28) in [0, 1]
            }
            assertArrayEquals(djl, test.image(0), 1e-6f, "raw reader and DJL's Mnist give the same pixels");
        }
    }

    @Test
    void absentCopyFallsBackToDjlDefaultRepositoryUnlessDisabled() throws Exception {
        Path empty = tmp.resolve("empty");
        assertTrue(MnistData.localRepository(empty).isEmpty());
        // builds on DJL's default repository; not prepared, so nothing is downloaded here
        assertNotNull(MnistData.builder().optDataDir(empty).optUsage(Dataset.Usage.TEST).build());

        MnistDataException e = assertThrows(MnistDataException.class,
                () -> MnistData.builder().optDataDir(empty).optFallbackToDjl(false).build());
        assertTrue(e.getMessage().contains("No MNIST copy in"), e.getMessage());
        assertTrue(e.getMessage().contains("fetch-mnist"), e.getMessage());
    }

    @Test
    void validationSplitIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> MnistData.builder().optUsage(Dataset.Usage.VALIDATION));
        assertThrows(IllegalArgumentException.class, () -> MnistFile.images(Dataset.Usage.VALIDATION));
    }
}
