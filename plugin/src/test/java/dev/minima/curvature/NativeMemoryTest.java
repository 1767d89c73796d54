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
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Flat native memory: 1000 Hessian-vector products (and 100 Gauss–Newton products) on a 784-128-10 MLP
 * (101,770 parameters) over a two-batch objective, so that every product re-runs the forward passes, leave the
 * process RSS within 50 MB of its value after a warm-up; a leak of one parameter-sized float32 vector per
 * product would add 400 MB.
 *
 * <p>RSS also counts Java heap pages the first time the allocator touches them (DJL allocates ~85 KB of Java
 * objects per product here, 94 MB over the run), which would look like a leak. So the resident memory measured
 * is that of every mapping outside the Java heap's reserved range (read from {@code /proc/self/smaps}, the
 * range from the JVM's {@code GC.heap_info} diagnostic command): libtorch's and DJL's native memory.
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
                long[] heap = javaHeapRange();
                long before = residentOutsideKb(heap);
                long rssBefore = rssKb();
                long t0 = System.nanoTime();
                run(h, probes, PRODUCTS);
                long t1 = System.nanoTime();
                run(g, probes, PRODUCTS / 10);
                long after = residentOutsideKb(heap);
                long rssAfter = rssKb();
                System.out.printf("native memory: %d + %d products on %d parameters, resident outside the Java heap"
                                + " %d -> %d MB (whole RSS %d -> %d MB), %.1f ms per Hessian product%n", PRODUCTS,
                        PRODUCTS / 10, h.dimension(), before >> 10, after >> 10, rssBefore >> 10, rssAfter >> 10,
                        (t1 - t0) / 1e6 / PRODUCTS);
                assertTrue(after - before < 50 * 1024, "native memory grew by " + ((after - before) >> 10)
                        + " MB over " + PRODUCTS + " products");
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

    /** @return [start, end) of the Java heap's reserved addresses, from the GC.heap_info diagnostic command */
    static long[] javaHeapRange() {
        try {
            Object info = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
                    new Object[] {null}, new String[] {String[].class.getName()});
            Matcher r = Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)").matcher(String.valueOf(info));
            if (!r.find()) {
                throw new IllegalStateException("no heap range in GC.heap_info: " + info);
            }
            return new long[] {Long.parseUnsignedLong(r.group(1), 16), Long.parseUnsignedLong(r.group(2), 16)};
        } catch (JMException e) {
            throw new IllegalStateException("GC.heap_info is not available", e);
        }
    }

    /** @return the resident kB of every mapping that does not start inside [heap[0], heap[1]) */
    static long residentOutsideKb(long[] heap) throws IOException {
        long total = 0;
        boolean inHeap = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                inHeap = Long.compareUnsigned(start, heap[0]) >= 0 && Long.compareUnsigned(start, heap[1]) < 0;
            } else if (line.startsWith("Rss:") && !inHeap) {
                total += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return total;
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
