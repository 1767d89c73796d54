package dev.minima.demos.support;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import picocli.CommandLine.Option;

/**
 * The {@code --threads N} option, one meaning in every command: the number of CPU threads the command computes
 * with. Commands that run libtorch set its intra-op thread count (PyTorch's {@code torch.set_num_threads}) to
 * N; the plain-Java sweeps run N step sizes in parallel. Default 1: the demos' networks are small, and on a busy
 * two-core machine libtorch's default of one thread per core made the 0-vs-1 classifier 25 times slower
 * (2.5 s against 0.09 s per epoch) because every parallel region waits for a descheduled thread.
 */
public final class ThreadsOption implements OptionGroup {

    /** Largest accepted value; far above any machine's useful count, it only catches typing mistakes. */
    public static final int MAX = 1024;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads to compute with: libtorch's"
            + " intra-op threads, or parallel runs in the plain-Java sweeps (default: ${DEFAULT-VALUE}).")
    private int threads = 1;

    /** @return the thread count */
    public int threads() {
        return threads;
    }

    /**
     * Sets the thread count (for tests and callers that build commands in code).
     *
     * @param threads the count, at least 1
     */
    public void setThreads(int threads) {
        this.threads = threads;
    }

    @Override
    public void validate() {
        Checks.between("--threads", threads, 1, MAX, null);
    }

    /**
     * Loads libtorch if needed and sets its intra-op thread count to {@link #threads()}.
     *
     * @return the count before, to restore with {@link #restoreTorch(int)}
     */
    public int applyToTorch() {
        Engine.getEngine("PyTorch");
        int before = JniUtils.getNumThreads();
        JniUtils.setNumThreads(threads);
        return before;
    }

    /**
     * Restores libtorch's intra-op thread count.
     *
     * @param before the count {@link #applyToTorch()} returned
     */
    public static void restoreTorch(int before) {
        if (before > 0) {
            JniUtils.setNumThreads(before);
        }
    }
}
