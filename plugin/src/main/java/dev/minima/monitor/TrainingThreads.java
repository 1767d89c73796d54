package dev.minima.monitor;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Whether training leaves a core to the background measurement. libtorch runs each operation on as many
 * intra-op threads as the machine has cores unless told otherwise ({@code -Dai.djl.pytorch.num_threads}); its
 * OpenMP threads then keep every core busy between operations, so the low-priority worker gets almost no CPU
 * and records come late. Measured (docs/monitor.md): the benchmark's 784-512-512-10 MLP trains in 7.4 s per
 * 1,000 steps on one thread and 7.8 s on two, on two cores.
 */
final class TrainingThreads {

    private TrainingThreads() {}

    /**
     * Called from the training thread.
     *
     * @return a sentence for the log (starting with "; ") when training's libtorch threads occupy every core,
     *     or an empty string
     */
    static String hint() {
        int cores = Runtime.getRuntime().availableProcessors();
        int threads;
        try {
            threads = JniUtils.getNumThreads();
        } catch (RuntimeException | LinkageError e) {
            return "";
        }
        if (threads < cores) {
            return "";
        }
        return "; training runs libtorch on " + threads + " threads on " + cores + " cores, so the background"
                + " measurement only gets the CPU time training leaves idle: for models whose steps are short, libtorch"
                + " often trains as fast on one thread fewer (-Dai.djl.pytorch.num_threads=" + Math.max(1, cores - 1)
                + "), which leaves a core to the monitor (docs/monitor.md)";
    }
}
