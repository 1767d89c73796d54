package dev.minima.demos.mnist;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets libtorch's intra-op thread count for the calling thread (PyTorch's {@code torch.set_num_threads}).
 *
 * <p>Measured on the 2-core machine these demos target, while other processes were running: one epoch of
 * the 0-vs-1 classifier took 2.5 s with libtorch's default of 2 OpenMP threads and 0.09 s with 1 thread, and
 * a 6-layer denoiser step 700 ms vs 65 ms. Small operations gain nothing from a second thread, and OpenMP
 * threads that wait for a busy core stall every operation; so the demos default to one thread.
 */
public final class TorchThreads {

    private static final Logger logger = LoggerFactory.getLogger(TorchThreads.class);

    private TorchThreads() {}

    /**
     * @param threads intra-op threads (at least 1)
     * @throws IllegalArgumentException if threads is below 1
     */
    public static void set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        Engine.getInstance(); // loads libtorch
        JniUtils.setNumThreads(threads);
        logger.info("libtorch intra-op threads: {}", JniUtils.getNumThreads());
    }
}
