package dev.minima.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Resident memory of this process (Linux), and the part of it outside the Java heap: libtorch's and DJL's
 * native memory.
 *
 * <p>The resident set comes from the operating system ({@code VmRSS} in {@code /proc/self/status}); the Java
 * heap's share is the committed size of the heap's memory pools, as the JVM's {@link MemoryPoolMXBean}s report
 * it. Both are available under every collector the JVM offers (serial, parallel, G1, Z, Shenandoah), with no
 * parsing of a collector-specific diagnostic string. {@link #nativeKb()} = resident set − committed heap.
 *
 * <p>Committed heap pages that were never touched are not resident, so the figure can be lower than the true
 * native footprint by up to the untouched part of the heap; measure growth as a difference between two readings
 * taken after the same warm-up and, where it matters, after a {@code System.gc()}, and the heap's share
 * cancels. ZGC on JDK 17 maps its heap several times, which counts heap pages more than once in the resident set;
 * differences remain meaningful because the heap's committed size is steady after warm-up. Used by the memory
 * tests and by the {@code bench} subcommand.
 */
public final class NativeMemory {

    private NativeMemory() {}

    /**
     * One reading: resident set and committed heap at the same moment.
     *
     * @param rssKb resident set size of the process in kB
     * @param heapCommittedKb committed size of the Java heap's pools in kB
     */
    public record Reading(long rssKb, long heapCommittedKb) {

        /** @return resident memory outside the Java heap in kB (never negative) */
        public long nativeKb() {
            return Math.max(0, rssKb - heapCommittedKb);
        }
    }

    /** @return the current resident set and committed heap */
    public static Reading read() {
        long heap = heapCommittedKb();
        return new Reading(rssKb(), heap);
    }

    /** @return resident memory outside the Java heap in kB: {@link #rssKb()} minus {@link #heapCommittedKb()} */
    public static long nativeKb() {
        return read().nativeKb();
    }

    /** @return the committed size of the Java heap in kB (sum over the heap's memory pools) */
    public static long heapCommittedKb() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                bytes += Math.max(0, pool.getUsage().getCommitted());
            }
        }
        if (bytes == 0) {
            bytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        }
        return bytes >> 10;
    }

    /** @return the whole process's resident set size in kB ({@code VmRSS} of {@code /proc/self/status}) */
    public static long rssKb() {
        for (String line : lines("/proc/self/status")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (memory figures need Linux): " + e.getMessage(), e);
        }
    }
}
