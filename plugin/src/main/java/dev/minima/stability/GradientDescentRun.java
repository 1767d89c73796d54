package dev.minima.stability;

/**
 * The outcome of one {@link ShallowReluGradientDescent} run.
 *
 * @param stepSize the base step size η
 * @param theta the parameters where the run stopped, [W; b; v; c]
 * @param loss L(θ) there
 * @param steps the number of GD updates made
 * @param converged whether L ≤ the threshold was reached
 * @param convergedInWarmup converged before the warm-up ended (Mulayoff et al. 2021, supplement Sec. I excludes such
 *     runs: the final step size did not shape the solution)
 * @param diverged the loss became non-finite or exceeded the divergence level
 * @param finalStepSize the base step at the end (η, or η·factor after a step switch)
 * @param switchStep the iteration at which the step switch fired, or −1
 * @param traceSteps iterations at which the loss was recorded (geometrically spaced, plus the last)
 * @param traceLoss the loss at those iterations
 */
public record GradientDescentRun(
        double stepSize,
        double[] theta,
        double loss,
        long steps,
        boolean converged,
        boolean convergedInWarmup,
        boolean diverged,
        double finalStepSize,
        long switchStep,
        long[] traceSteps,
        double[] traceLoss) {

    /**
     * Copies the arrays.
     *
     * @param stepSize the base step size η
     * @param theta the end point
     * @param loss L there
     * @param steps GD updates made
     * @param converged L ≤ threshold reached
     * @param convergedInWarmup converged before the warm-up ended
     * @param diverged the loss blew up
     * @param finalStepSize the base step at the end
     * @param switchStep the step-switch iteration, or −1
     * @param traceSteps recorded iterations
     * @param traceLoss recorded losses
     */
    public GradientDescentRun {
        theta = theta.clone();
        traceSteps = traceSteps.clone();
        traceLoss = traceLoss.clone();
    }

    /** @return a copy of the end point θ */
    @Override
    public double[] theta() {
        return theta.clone();
    }

    /** @return a copy of the recorded iterations */
    @Override
    public long[] traceSteps() {
        return traceSteps.clone();
    }

    /** @return a copy of the recorded losses */
    @Override
    public double[] traceLoss() {
        return traceLoss.clone();
    }

    @Override
    public String toString() {
        return "GradientDescentRun[η = " + stepSize + ", L = " + loss + " after " + steps + " steps, "
                + (converged ? "converged" : diverged ? "diverged" : "not converged")
                + (switchStep >= 0 ? ", step switched at " + switchStep : "") + "]";
    }
}
