package dev.minima.demos.support;

import ai.djl.training.util.ProgressBar;

/** DJL's progress bar for long demo loops, with a message and a known total. */
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
    public void step() {
        bar.update(++done);
    }

    /**
     * @param units units done so far
     */
    public void update(long units) {
        done = units;
        bar.update(units);
    }

    /** Completes the bar. */
    public void end() {
        bar.end();
    }
}
