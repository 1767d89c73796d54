package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The overhead budget's estimate on step timings whose slowdown is known exactly. */
class OverheadBudgetTest {

    private static final long MS = 1_000_000L;

    /**
     * 10 idle steps of 10 ms, then 20 steps of 13 ms while the worker runs: the slowdown is 20 × 3 ms exactly;
     * a 30 ms step while the worker runs (something else stretched it) counts at most one undisturbed step.
     */
    @Test
    void slowdownIsTheExcessOverTheIdleMedian() {
        OverheadBudget b = new OverheadBudget(0.05);
        long t = 0;
        b.step(t, 0, false);
        for (int i = 0; i < 10; i++) {
            t += 10 * MS;
            b.step(t, 0, false);
        }
        assertEquals(10 * MS, b.undisturbedStep(), 1e-9);
        b.workerStarted();
        for (int i = 0; i < 20; i++) {
            t += 13 * MS;
            b.step(t, 0, true);
        }
        assertEquals(0.060, b.slowdownSeconds(), 1e-12);
        t += 30 * MS;
        b.step(t, 0, true);
        assertEquals(0.070, b.slowdownSeconds(), 1e-12, "clipped to one undisturbed step");
    }

    /**
     * The training thread's own time in the monitor is not a slow step: a 10 ms step that spent 5 ms in the
     * monitor (15 ms between calls) adds nothing to the slowdown, and the budget compares monitor time plus
     * slowdown with the rest: 0.5 ms of cost in 10 ms of training is 5 %.
     */
    @Test
    void monitorTimeIsCountedOnceAndTheBudgetComparesShares() {
        OverheadBudget b = new OverheadBudget(0.05);
        long t = 0;
        b.step(t, 0, false);
        t += 10 * MS;
        b.step(t, 0, false);
        b.workerStarted();
        t += 15 * MS;
        b.step(t, 5 * MS, false); // 5 ms in the monitor, worker finished: no slowdown
        assertEquals(0, b.slowdownSeconds(), 1e-12);
        assertTrue(b.over(t, 5 * MS), "5 ms of 20 ms training is over 5 %");
        OverheadBudget quiet = new OverheadBudget(0.05);
        quiet.step(0, 0, false);
        assertFalse(quiet.over(10 * MS + MS / 2, MS / 2), "0.5 ms of 10 ms is exactly 5 %: not over");
        assertTrue(quiet.over(10 * MS + MS / 2, MS / 2 + 1000), "a microsecond more is over");
        assertFalse(new OverheadBudget(0).over(10 * MS, 10 * MS), "0 turns the budget off");
    }

    /** An outlier among idle steps (an epoch's validation) does not move the median. */
    @Test
    void idleMedianIgnoresOutliers() {
        OverheadBudget b = new OverheadBudget(0.05);
        long t = 0;
        b.step(t, 0, false);
        for (int i = 0; i < 9; i++) {
            t += (i == 4 ? 500 : 10) * MS;
            b.step(t, 0, false);
        }
        assertEquals(10 * MS, b.undisturbedStep(), 1e-9);
    }
}
