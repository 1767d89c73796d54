package dev.minima.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Resident memory of this process outside the Java heap (Linux): libtorch's and DJL's native memory.
 *
 * <p>Plain RSS mixes in the Java heap, which grows and shrinks with garbage collection and hides or fakes
 * native leaks; this sums the resident size of every mapping in {@code /proc/self/smaps} that does not lie in
 * the heap's reserved range (read from the JVM's {@code GC.heap_info} diagnostic command). Used by the
 * memory tests and by the {@code bench} subcommand.
 */
public final class NativeMemory {

    private final long heapStart;
    private final long heapEnd;

    private NativeMemory(long heapStart, long heapEnd) {
        this.heapStart = heapStart;
        this.heapEnd = heapEnd;
    }

    /**
     * @return a probe for this JVM
     * @throws IllegalStateException if the JVM does not report its heap range (not HotSpot)
     */
    public static NativeMemory probe() {
        try {
            Object info = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
                    new Object[] {null}, new String[] {String[].class.getName()});
            Matcher r = Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)").matcher(String.valueOf(info));
            if (!r.find()) {
                throw new IllegalStateException("no heap range in GC.heap_info: " + info);
            }
            return new NativeMemory(Long.parseUnsignedLong(r.group(1), 16), Long.parseUnsignedLong(r.group(2), 16));
        } catch (JMException e) {
            throw new IllegalStateException("GC.heap_info is not available on this JVM", e);
        }
    }

    /** @return resident kB of every mapping that does not start inside the Java heap's reserved range */
    public long residentOutsideHeapKb() {
        long total = 0;
        boolean inHeap = false;
        for (String line : lines("/proc/self/smaps")) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                inHeap = Long.compareUnsigned(start, heapStart) >= 0 && Long.compareUnsigned(start, heapEnd) < 0;
            } else if (line.startsWith("Rss:") && !inHeap) {
                total += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return total;
    }

    /** @return the whole process's resident set size in kB */
    public static long rssKb() {
        for (String line : lines("/proc/self/status")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static java.util.List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (memory figures need Linux): " + e.getMessage(), e);
        }
    }
}
