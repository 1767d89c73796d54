package dev.minima.util;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Forced garbage collections that are known to have happened, under any collector.
 *
 * <p>{@code System.gc()} is only a request: {@code -XX:+DisableExplicitGC} ignores it, and concurrent
 * collectors may return before their cycle is counted. {@link #collect()} requests a collection and checks, with
 * the JVM's {@link GarbageCollectorMXBean} counts, that at least one collection ran, so that tests which put a
 * collection between a forward and a backward pass (the DJL trap of Java-number operands freed by the collector)
 * test what they claim, and memory readings follow a real collection.
 */
public final class GarbageCollection {

    private static final int ATTEMPTS = 50;

    private GarbageCollection() {}

    /** @return the number of collections all of the JVM's collectors have run so far */
    public static long count() {
        long total = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, bean.getCollectionCount());
        }
        return total;
    }

    /**
     * Runs a garbage collection and returns once the JVM has counted it.
     *
     * @return the number of collections counted during the call (at least 1)
     * @throws IllegalStateException if no collection ran (for example under {@code -XX:+DisableExplicitGC})
     */
    public static long collect() {
        long before = count();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            System.gc();
            long done = count() - before;
            if (done > 0) {
                return done;
            }
            try {
                Thread.sleep(1 + attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("System.gc() ran no garbage collection (is the JVM started with"
                + " -XX:+DisableExplicitGC?); remove that option to run this check");
    }
}
