package dev.minima.demos.sweeps;

import dev.minima.stability.GradientDescentRun;
import dev.minima.stability.ShallowReluGradientDescent;
import dev.minima.stability.ShallowReluLoss;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one plain-Java GD training per step size on a pool of threads (each with its own copy of the loss and
 * its workspace) and hands every finished run to the caller's thread as soon as it is done, so that the
 * DJL measurements and the CSV row of a run are written while the others still train. Runs are deterministic:
 * the thread count changes only the order in which results arrive.
 */
public final class SweepRunner {

    /** Receives a finished run on the calling thread. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param index the run's index in the list of trainers
         * @param run the finished run
         * @param seconds its wall-clock training time
         * @throws Exception on failure (stops the sweep)
         */
        void accept(int index, GradientDescentRun run, double seconds) throws Exception;
    }

    private SweepRunner() {}

    /**
     * @param loss the training loss (copied per run)
     * @param theta0 the common initial point
     * @param trainers one trainer per run
     * @param threads worker threads (≥ 1)
     * @param sink receives each finished run on this thread
     * @throws Exception the first failure of a run or of the sink
     */
    public static void run(ShallowReluLoss loss, double[] theta0, List<ShallowReluGradientDescent> trainers,
            int threads, Sink sink) throws Exception {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "gd-sweep");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletionService<Object[]> done = new ExecutorCompletionService<>(pool);
            for (int i = 0; i < trainers.size(); i++) {
                final int index = i;
                final ShallowReluGradientDescent gd = trainers.get(i);
                done.submit(() -> {
                    long t0 = System.nanoTime();
                    GradientDescentRun run = gd.run(loss.copy(), theta0);
                    return new Object[] {index, run, (System.nanoTime() - t0) / 1e9};
                });
            }
            for (int i = 0; i < trainers.size(); i++) {
                Future<Object[]> f = done.take();
                Object[] r;
                try {
                    r = f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
                sink.accept((Integer) r[0], (GradientDescentRun) r[1], (Double) r[2]);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
