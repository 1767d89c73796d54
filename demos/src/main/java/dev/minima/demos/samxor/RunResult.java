package dev.minima.demos.samxor;

import java.util.List;

/**
 * One finished training run.
 *
 * @param plan what was run
 * @param points every evaluation, in epoch order (the first is the initial network)
 * @param flattestTrace the scenario's flattest trace on this training set (4√(d+1), 4√d or 2 on P_xor)
 * @param autogradTrace the final trace recomputed from per-example gradients through DJL's autograd
 * @param diverged whether training stopped on a non-finite loss or gradient
 * @param steps optimizer steps taken
 * @param cpuSeconds process CPU time of the run (training and evaluations)
 * @param wallSeconds wall-clock time of the run
 */
public record RunResult(RunPlan plan, List<EvalPoint> points, double flattestTrace, double autogradTrace,
        boolean diverged, long steps, double cpuSeconds, double wallSeconds) {

    /**
     * @param plan the plan
     * @param points the evaluations
     * @param flattestTrace the flattest trace
     * @param autogradTrace the autograd trace
     * @param diverged whether it diverged
     * @param steps steps taken
     * @param cpuSeconds CPU seconds
     * @param wallSeconds wall seconds
     */
    public RunResult {
        points = List.copyOf(points);
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a run has at least its initial evaluation");
        }
    }

    /** @return the last evaluation */
    public EvalPoint last() {
        return points.get(points.size() - 1);
    }

    /** @return the evaluation with the highest test accuracy (the first such) */
    public EvalPoint bestAccuracy() {
        EvalPoint best = points.get(0);
        for (EvalPoint p : points) {
            if (p.testAccuracy() > best.testAccuracy()) {
                best = p;
            }
        }
        return best;
    }

    /**
     * @param epoch an epoch
     * @return the first evaluation at or after it (the last one if none)
     */
    public EvalPoint atOrAfter(long epoch) {
        for (EvalPoint p : points) {
            if (p.epoch() >= epoch) {
                return p;
            }
        }
        return last();
    }

    /**
     * How much the trace still moves at the end: the mean trace over the evaluations in the last quarter of the
     * epochs against the mean over the third quarter (means, because 1-SAM's trace jitters from one evaluation
     * to the next).
     *
     * @return the relative change, or NaN if either quarter has no evaluation
     */
    public double lastQuarterTraceChange() {
        long end = last().epoch();
        double third = meanTrace(end / 2, end * 3 / 4);
        double fourth = meanTrace(end * 3 / 4, end + 1);
        return fourth / third - 1;
    }

    private double meanTrace(long from, long to) {
        double sum = 0;
        int count = 0;
        for (EvalPoint p : points) {
            if (p.epoch() >= from && p.epoch() < to) {
                sum += p.trace();
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** @return the smallest trace seen after the initial network (the initial one if nothing else) */
    public double minTrace() {
        double min = points.size() > 1 ? Double.POSITIVE_INFINITY : points.get(0).trace();
        for (int i = 1; i < points.size(); i++) {
            min = Math.min(min, points.get(i).trace());
        }
        return min;
    }
}
