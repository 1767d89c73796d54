package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Flat native memory: 1000 Hessian-vector products (and 100 Gauss–Newton products) on a 784-128-10 MLP
 * (101,770 parameters) over a two-batch objective, so that every product re-runs the forward passes, leave the
 * process RSS within 50 MB of its value after a warm-up; a leak of one parameter-sized float32 vector per
 * product would add 400 MB.
 *
 * <p>RSS also counts Java heap pages the first time the allocator touches them (DJL allocates ~85 KB of Java
 * objects per product here), which would look like a leak: before measuring, garbage twice the committed heap
 * is allocated so that the committed heap is resident, probes are made once outside the loop, and any growth of
 * the committed heap during the loop is subtracted.
 */
@ExtendWith(SingleTorchThread.class)
class NativeMemoryTest {

    private static final int PRODUCTS = Integer.getInteger("minima.test.memoryProducts", 1000);

    @Test
    void thousandProductsKeepMemoryFlat() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT32, 101, TestModels.relu(), 784, 128, 10);
            NDArray x = TestModels.normal(m, 102, 32, 784, DataType.FLOAT32);
            long[] labels = new long[32];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % 10;
            }
            NDArray y = m.create(labels);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                            .addBatch(x.get("0:16"), y.get("0:16")).addBatch(x.get("16:32"), y.get("16:32")).build();
                    HessianOperator h = HessianOperator.of(obj);
                    GaussNewtonOperator g = GaussNewtonOperator.of(obj)) {
                SplittableRandom random = new SplittableRandom(103);
                NDList probes = new NDList();
                for (int k = 0; k < 8; k++) {
                    probes.add(Vectors.rademacher(m, h.dimension(), h.dataType(), random));
                }
                run(h, probes, 100);
                run(g, probes, 20);
                touchJavaHeap();
                Runtime rt = Runtime.getRuntime();
                long heapBefore = rt.totalMemory();
                long before = rssKb();
                long t0 = System.nanoTime();
                run(h, probes, PRODUCTS);
                long t1 = System.nanoTime();
                run(g, probes, PRODUCTS / 10);
                long after = rssKb();
                long heapGrowthKb = Math.max(0, rt.totalMemory() - heapBefore) >> 10;
                long nativeGrowthKb = after - before - heapGrowthKb;
                System.out.printf("native memory: %d + %d products on %d parameters, RSS %d -> %d MB (heap +%d MB),"
                                + " %.1f ms per Hessian product%n", PRODUCTS, PRODUCTS / 10, h.dimension(),
                        before >> 10, after >> 10, heapGrowthKb >> 10, (t1 - t0) / 1e6 / PRODUCTS);
                assertTrue(nativeGrowthKb < 50 * 1024, "RSS grew by " + (nativeGrowthKb >> 10) + " MB");
            }
        }
    }

    private static void run(SymmetricOperator op, NDList probes, int count) {
        for (int i = 0; i < count; i++) {
            NDArray p = probes.get(i % probes.size());
            try (NDManager s = p.getManager().newSubManager()) {
                NDArray v = p.duplicate();
                v.attach(s);
                op.apply(v);
            }
        }
    }

    /**
     * Allocates (and drops) twice the committed heap in 16 KB arrays (small enough for the young generation; G1
     * puts arrays of half a region or more straight into the old generation), so the young generation is resident.
     */
    private static void touchJavaHeap() {
        long total = 2 * Runtime.getRuntime().totalMemory();
        long sink = 0;
        for (long done = 0; done < total; done += 1 << 14) {
            byte[] garbage = new byte[1 << 14];
            garbage[(int) (done % garbage.length)] = 1;
            sink += garbage[0];
        }
        if (sink < 0) {
            throw new AssertionError();
        }
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
