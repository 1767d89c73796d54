package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.loss.Loss;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;

/**
 * λ_max of the loss Hessian on a fixed batch: Minima's {@link Lanczos} on the exact {@link HessianOperator}
 * of an {@link Objective} over that batch (one batch, so the gradient graph is built once and each product is
 * one backward pass).
 */
public final class Sharpness {

    private Sharpness() {}

    /**
     * @param block the trained block
     * @param loss a Minima loss (GC-safe)
     * @param inputs the probe inputs
     * @param labels the probe labels
     * @param maxProducts most Hessian-vector products
     * @param tolerance Lanczos relative residual tolerance
     * @param seed seed of Lanczos' start vector
     * @return the top eigenpair with its residual (no eigenvector kept)
     */
    public static Eigenpairs top(Block block, Loss loss, NDArray inputs, NDArray labels, int maxProducts,
            double tolerance, long seed) {
        try (Objective objective = Objective.builder().setBlock(block).setLoss(loss).addBatch(inputs, labels).build();
                HessianOperator hessian = HessianOperator.of(objective)) {
            return Lanczos.builder()
                    .optTopK(1)
                    .optMaxIterations(maxProducts)
                    .optTolerance(tolerance)
                    .optSeed(seed)
                    .optKeepVectors(false)
                    .build()
                    .run(hessian);
        }
    }
}
