package dev.minima.demos.support;

import java.lang.management.ManagementFactory;

/** Process CPU time (all threads: libtorch's, the JVM's), for budgets on a shared, loaded machine. */
public final class CpuClock {

    private CpuClock() {}

    /** @return CPU seconds used by this process so far, or NaN if the JVM cannot tell */
    public static double seconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long t = os.getProcessCpuTime();
            return t < 0 ? Double.NaN : t / 1e9;
        }
        return Double.NaN;
    }
}
