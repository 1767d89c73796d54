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
 * <p>The resident set comes from the operating system ({@code VmRSS} and {@code RssShmem} in
 * {@code /proc/self/status}); the Java heap's share is, per heap memory pool, the smaller of its committed size
 * and its peak use, as the JVM's {@link MemoryPoolMXBean}s report them. Both are available under every collector
 * the JVM offers (serial, parallel, G1, Z, Shenandoah), with no parsing of a collector-specific diagnostic string.
 * {@link #nativeKb()} = resident set − the heap's share, where shared memory (in which ZGC keeps its heap, mapped
 * several times) counts as heap; libtorch and DJL allocate private memory.
 *
 * <p>The heap's share is an estimate (a pool's peak use can exceed what stays resident after the collector
 * returns pages); measure growth as a difference between two readings taken after the same warm-up and after a
 * verified collection ({@link GarbageCollection#collect()}), and the heap's share cancels. Used by the memory
 * tests and by the {@code bench} subcommand.
 */
public final class NativeMemory {

    private NativeMemory() {}

    /**
     * One reading: resident set, its shared-memory part, and the heap's share at the same moment.
     *
     * @param rssKb resident set size of the process in kB ({@code VmRSS})
     * @param shmemKb resident shared memory in kB ({@code RssShmem}); ZGC keeps its heap there, libtorch does not
     * @param heapCommittedKb the Java heap's resident share in kB ({@link NativeMemory#heapCommittedKb()})
     */
    public record Reading(long rssKb, long shmemKb, long heapCommittedKb) {

        /**
         * @return resident memory outside the Java heap in kB: the resident set without shared memory, minus the
         *     part of the heap's share that shared memory does not hold (never negative)
         */
        public long nativeKb() {
            long heapInPrivateMemory = Math.max(0, heapCommittedKb - shmemKb);
            return Math.max(0, rssKb - shmemKb - heapInPrivateMemory);
        }
    }

    /** @return the current resident set, shared memory and heap share */
    public static Reading read() {
        long heap = heapCommittedKb();
        long[] status = status();
        return new Reading(status[0], status[1], heap);
    }

    /** @return resident memory outside the Java heap in kB (see {@link Reading#nativeKb()}) */
    public static long nativeKb() {
        return read().nativeKb();
    }

    /**
     * The Java heap's share of the resident set: for each heap memory pool, the smaller of its committed size and
     * its peak use. Committed pages the collector never touched are not resident (under the serial and Z collectors
     * the committed heap starts at the initial heap size, often larger than the whole resident set), while pages a
     * pool once used stay resident; so the peak use bounds the resident part and the committed size caps it.
     *
     * @return the estimate in kB
     */
    public static long heapCommittedKb() {
        long bytes = 0;
        boolean any = false;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                long committed = Math.max(0, pool.getUsage().getCommitted());
                java.lang.management.MemoryUsage peak = pool.getPeakUsage();
                long used = peak != null ? Math.max(0, peak.getUsed()) : committed;
                bytes += Math.min(committed, used);
                any = true;
            }
        }
        if (!any) {
            bytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        }
        return bytes >> 10;
    }

    /** @return the whole process's resident set size in kB ({@code VmRSS} of {@code /proc/self/status}) */
    public static long rssKb() {
        return status()[0];
    }

    /** @return {VmRSS, RssShmem} in kB; RssShmem is 0 on kernels that do not report it */
    private static long[] status() {
        long rss = -1;
        long shmem = 0;
        for (String line : lines("/proc/self/status")) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("RssShmem:")) {
                shmem = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        if (rss < 0) {
            throw new IllegalStateException("no VmRSS in /proc/self/status");
        }
        return new long[] {rss, shmem};
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (memory figures need Linux): " + e.getMessage(), e);
        }
    }
}
