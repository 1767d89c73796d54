package dev.minima.monitor;

import java.util.Arrays;

/**
 * The monitor's cost as a share of training time, for the overhead budget ({@code optMaxOverhead}). The cost is
 * the time the training thread spends in the monitor plus, while a background record runs, the slowdown it
 * causes to training: the worker shares the caches and memory bandwidth, and on a machine whose cores training
 * keeps busy, the cores themselves (measured: a one-thread training loop on two cores ran 12–14 % slower while
 * the worker measured without pause, docs/monitor.md).
 *
 * <p>The slowdown is estimated from step durations, the time between two {@code onTrainingBatch} calls less
 * the monitor's own time in them: the median of the last {@value #WINDOW} steps taken with the worker idle is
 * the undisturbed step; each step taken while a record runs adds its excess over that median, clipped to
 * [0, median] so that a step stretched by something else (an epoch's validation, a pause) does not count as
 * monitor cost. Before the first idle step is seen nothing is added.
 */
final class OverheadBudget {

    /** Idle step durations kept for the median. */
    static final int WINDOW = 64;

    private final double maxOverhead;
    private final long[] idle = new long[WINDOW];
    private int idleCount;
    private int idleNext;
    private long start = -1;
    private long lastStep;
    private long monitorAtLastStep;
    private boolean workerRan;
    private long slowdown;

    /**
     * @param maxOverhead the largest allowed cost as a fraction of training time; 0 or less turns the budget off
     */
    OverheadBudget(double maxOverhead) {
        this.maxOverhead = maxOverhead;
    }

    /**
     * Accounts for the interval since the previous step.
     *
     * @param now the time of this step ({@code System.nanoTime()})
     * @param monitorNanos the training thread's total time in the monitor so far
     * @param workerBusy whether a background record is running now
     */
    void step(long now, long monitorNanos, boolean workerBusy) {
        if (start < 0) {
            start = now;
        } else {
            long duration = now - lastStep - (monitorNanos - monitorAtLastStep);
            if (workerRan) {
                double undisturbed = undisturbedStep();
                if (!Double.isNaN(undisturbed)) {
                    slowdown += (long) Math.min(Math.max(duration - undisturbed, 0), undisturbed);
                }
            } else {
                idle[idleNext] = duration;
                idleNext = (idleNext + 1) % WINDOW;
                idleCount = Math.min(idleCount + 1, WINDOW);
            }
        }
        lastStep = now;
        monitorAtLastStep = monitorNanos;
        workerRan = workerBusy;
    }

    /** A background record has just been started: the interval up to the next step runs beside it. */
    void workerStarted() {
        workerRan = true;
    }

    /**
     * @param now the current time
     * @param monitorNanos the training thread's total time in the monitor so far
     * @return whether the cost so far exceeds the budget's share of the training time so far
     */
    boolean over(long now, long monitorNanos) {
        return maxOverhead > 0 && costShare(now, monitorNanos) > maxOverhead;
    }

    /**
     * @param now the current time
     * @param monitorNanos the training thread's total time in the monitor so far
     * @return the cost so far (monitor time plus estimated slowdown) over the training time so far (the elapsed
     *     time without the cost); 0 before the first step or without cost, infinite if the cost is all the time
     */
    double costShare(long now, long monitorNanos) {
        double cost = monitorNanos + slowdown;
        if (start < 0 || cost <= 0) {
            return 0;
        }
        double training = now - start - cost;
        return training > 0 ? cost / training : Double.POSITIVE_INFINITY;
    }

    /** @return the estimated slowdown of training by background records so far, in seconds */
    double slowdownSeconds() {
        return slowdown * 1e-9;
    }

    /** @return the median duration of recent steps taken with the worker idle, in ns, or NaN before the first */
    double undisturbedStep() {
        if (idleCount == 0) {
            return Double.NaN;
        }
        long[] recent = Arrays.copyOf(idle, idleCount);
        Arrays.sort(recent);
        int mid = idleCount / 2;
        return idleCount % 2 == 1 ? recent[mid] : 0.5 * (recent[mid - 1] + recent[mid]);
    }
}
