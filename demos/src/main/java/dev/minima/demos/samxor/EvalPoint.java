package dev.minima.demos.samxor;

/**
 * What one evaluation of a run measured.
 *
 * @param epoch epochs completed (0: the initial network)
 * @param trainLoss the training loss (1/n) Σ (f(x_i) − y_i)² (Wen, Ma &amp; Li (2023)'s MSE, no ½), through DJL
 * @param trace Tr(∇²L): exact (closed form) for the two-layer ReLU nets, Gauss–Newton for Sim-LN
 * @param traceFloor a lower bound on {@code trace} that holds at every θ, from the fitted values
 *     ({@code HessianTrace.interpolationLowerBound} or {@code SimLayerNormNetwork.traceLowerBound}); it equals the flattest value at interpolation
 * @param testAccuracy Pr(y f(x) &gt; 0) on the test set
 * @param firstLayerNorm ‖[W₁, b₁]‖ (Frobenius)
 * @param cpuSeconds process CPU time spent on the run so far
 */
public record EvalPoint(long epoch, double trainLoss, double trace, double traceFloor, double testAccuracy,
        double firstLayerNorm, double cpuSeconds) {}
