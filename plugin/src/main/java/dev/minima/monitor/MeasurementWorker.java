package dev.minima.monitor;

import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's handle on the monitor's daemon worker thread ({@value #THREAD_NAME}): at most one measurement of
 * this handle runs at a time. The caller (the training thread) submits a job only when the previous one has been
 * collected, collects finished results with {@link #poll()} and waits for the last one with {@link #await()}; a
 * job's exception is rethrown to the caller there, never lost. There is no queue per handle: a job that cannot
 * start is the caller's to skip and count.
 *
 * <p>The thread is shared by every listener of the process with the same settings and ends after {@value
 * #IDLE_SECONDS} idle seconds. One long-lived thread rather than one per listener: the C allocator gives each new
 * thread that allocates its own memory arena and keeps freed memory in it, so a thread per training run made the
 * resident size grow by tens of MB per run (measured: 10 listeners of a 16.8 M-parameter model, +3.5 GB resident
 * with a new thread each, flat with {@code MALLOC_ARENA_MAX=1}).
 *
 * <p>The thread can lower its own scheduling priority (Linux: {@code renice -n 19} on its native thread id, read
 * from {@code /proc/thread-self}; threads it starts afterwards, such as libtorch's OpenMP pool, inherit it) so
 * that it runs on the cycles training leaves idle, and can set its own libtorch intra-op thread count (libtorch
 * keeps that count per calling thread). Where {@code /proc} or {@code renice} is missing it runs at normal
 * priority and says so once at debug level.
 *
 * @param <T> the result of a job
 */
final class MeasurementWorker<T> implements AutoCloseable {

    /** The worker thread's name. */
    static final String THREAD_NAME = "minima-sharpness-monitor";

    /** Seconds the shared thread waits idle before it ends. */
    static final int IDLE_SECONDS = 60;

    private static final Logger LOGGER = LoggerFactory.getLogger(MeasurementWorker.class);
    private static final Map<String, ExecutorService> SHARED = new ConcurrentHashMap<>();

    private final ExecutorService executor;
    private Future<T> running;

    /**
     * @param lowPriority renice the thread to 19 when it starts
     * @param threads libtorch intra-op threads of the worker thread, 0 for libtorch's default
     */
    MeasurementWorker(boolean lowPriority, int threads) {
        executor = SHARED.computeIfAbsent(lowPriority + "/" + threads, key -> {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), task -> {
                        Thread t = new Thread(() -> {
                            if (lowPriority) {
                                lowerPriority();
                            }
                            if (threads > 0) {
                                JniUtils.setNumThreads(threads);
                            }
                            task.run();
                        }, THREAD_NAME);
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        });
    }

    /** @return whether a job is running (submitted and not yet collected) and not finished */
    boolean busy() {
        return running != null && !running.isDone();
    }

    /** @return whether a job was submitted and not yet collected */
    boolean pending() {
        return running != null;
    }

    /**
     * Starts a job.
     *
     * @param job the measurement
     * @throws IllegalStateException if the previous job has not been collected
     */
    void submit(Callable<T> job) {
        if (running != null) {
            throw new IllegalStateException("the previous measurement has not been collected");
        }
        running = executor.submit(job);
    }

    /**
     * @return the finished job's result (once), or null if none has finished
     * @throws RuntimeException the job's exception, with its cause
     */
    T poll() {
        if (running == null || !running.isDone()) {
            return null;
        }
        return await();
    }

    /**
     * Waits for the running job.
     *
     * @return its result, or null if none was submitted
     * @throws RuntimeException the job's exception, with its cause
     */
    T await() {
        if (running == null) {
            return null;
        }
        Future<T> f = running;
        running = null;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the job holds native memory: wait for it to finish, then re-interrupt
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw new MeasurementFailedException("the sharpness measurement failed in the background: "
                        + cause.getMessage(), r);
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new MeasurementFailedException("the sharpness measurement failed in the background: " + cause, cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits for this handle's running job to finish (a job frees its own native memory when it ends; native code
     * cannot be interrupted safely) and discards its result or exception. The shared thread ends on its own
     * after {@value #IDLE_SECONDS} idle seconds.
     */
    @Override
    public void close() {
        if (running != null) {
            try {
                await();
            } catch (RuntimeException e) {
                LOGGER.debug("sharpness monitor: discarding a failed background measurement on close: {}", e.toString());
            }
        }
    }

    /** Renices the calling thread (Linux per-thread nice) to 19; does nothing, logged once at debug, elsewhere. */
    static boolean lowerPriority() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
            String tid = self.getFileName().toString();
            Process p = new ProcessBuilder("renice", "-n", "19", "-p", tid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroy();
                LOGGER.debug("sharpness monitor: renice did not finish; the worker runs at normal priority");
                return false;
            }
            if (p.exitValue() != 0) {
                LOGGER.debug("sharpness monitor: renice exited with {}; the worker runs at normal priority",
                        p.exitValue());
                return false;
            }
            LOGGER.debug("sharpness monitor: worker thread {} reniced to 19", tid);
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOGGER.debug("sharpness monitor: cannot lower the worker's priority ({}); it runs at normal priority",
                    e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
