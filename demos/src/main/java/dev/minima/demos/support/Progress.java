package dev.minima.demos.support;

import ai.djl.training.util.ProgressBar;

/** DJL's progress bar for long demo loops, with a message and a known total; threads may share one. */
public final class Progress {

    private final ProgressBar bar;
    private long done;

    /**
     * @param message what is running
     * @param total the number of units of work
     */
    public Progress(String message, long total) {
        bar = new ProgressBar(message, Math.max(1, total));
        bar.start(0);
    }

    /** Marks one unit done. */
    public synchronized void step() {
        bar.update(++done);
    }

    /**
     * @param units units done so far
     */
    public synchronized void update(long units) {
        done = units;
        bar.update(units);
    }

    /** Completes the bar. */
    public synchronized void end() {
        bar.end();
    }
}
