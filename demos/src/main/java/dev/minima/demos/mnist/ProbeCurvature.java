package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.loss.Loss;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Hutchinson;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;
import dev.minima.curvature.TraceEstimate;

/**
 * λ_max and tr(H) of the loss Hessian on one probe batch, both from the same exact {@link HessianOperator}
 * (single batch: the gradient graph is built once, each product is one backward pass): λ_max by {@link
 * Lanczos}, the trace by {@link Hutchinson} with Rademacher probes and the standard error of the mean.
 *
 * @param top the top eigenpair with its residual ‖Hv − λv‖ (no eigenvector kept)
 * @param trace the trace estimate with its standard error
 */
public record ProbeCurvature(Eigenpairs top, TraceEstimate trace) {

    /**
     * @param block the trained block
     * @param loss a Minima (GC-safe) loss
     * @param inputs the probe inputs
     * @param labels the probe labels
     * @param maxProducts most Hessian-vector products of Lanczos
     * @param tolerance Lanczos relative residual tolerance
     * @param traceSamples Rademacher probes of Hutchinson (at least 2, for a standard error)
     * @param seed seed of Lanczos' start vector and of the Rademacher probes
     * @return λ_max and the trace
     * @throws IllegalArgumentException if fewer than 2 trace samples are asked for
     */
    public static ProbeCurvature measure(Block block, Loss loss, NDArray inputs, NDArray labels, int maxProducts,
            double tolerance, int traceSamples, long seed) {
        if (traceSamples < 2) {
            throw new IllegalArgumentException("the trace needs at least 2 Hutchinson samples for a standard error,"
                    + " got " + traceSamples + ": use e.g. 30");
        }
        try (Objective objective = Objective.builder().setBlock(block).setLoss(loss).addBatch(inputs, labels).build();
                HessianOperator hessian = HessianOperator.of(objective)) {
            Eigenpairs top = Lanczos.builder()
                    .optTopK(1)
                    .optMaxIterations(maxProducts)
                    .optTolerance(tolerance)
                    .optSeed(seed)
                    .optKeepVectors(false)
                    .build()
                    .run(hessian);
            TraceEstimate trace = Hutchinson.builder().optSamples(traceSamples).optSeed(seed + 1).build().run(hessian);
            return new ProbeCurvature(top, trace);
        }
    }
}
