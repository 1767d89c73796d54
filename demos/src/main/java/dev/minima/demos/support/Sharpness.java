package dev.minima.demos.support;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.loss.Loss;
import dev.minima.curvature.Curvature;
import dev.minima.curvature.Eigenpairs;

/**
 * λ_max of a DJL block's loss on one probe batch, the one way every demo measures it: the library's front door
 * {@link Curvature} on the batch (exact Hessian, inference mode, the batch resident so the gradient graph is
 * built once and each product is one backward pass), with Lanczos' budget, tolerance and seed given here and
 * no progress bar.
 */
public final class Sharpness {

    private Sharpness() {}

    /**
     * The curvature of the loss on one batch, for more than one question (λ_max and the trace on the same
     * graph). Close it.
     *
     * @param block the trained, initialised block
     * @param loss a Minima (GC-safe) loss
     * @param inputs the probe inputs
     * @param labels the probe labels
     * @param maxProducts most Hessian-vector products of one Lanczos run
     * @param tolerance Lanczos relative residual tolerance
     * @param seed seed of Lanczos' start vector (and of the default trace probes)
     * @return the front door on that batch
     */
    public static Curvature onBatch(Block block, Loss loss, NDArray inputs, NDArray labels, int maxProducts,
            double tolerance, long seed) {
        return Curvature.builder().setBlock(block).setLoss(loss).setBatch(inputs, labels)
                .optMaxIterations(maxProducts).optTolerance(tolerance).optSeed(seed).optProgressBar(false).build();
    }

    /**
     * λ_max of the loss Hessian on one batch.
     *
     * @param block the trained, initialised block
     * @param loss a Minima (GC-safe) loss
     * @param inputs the probe inputs
     * @param labels the probe labels
     * @param maxProducts most Hessian-vector products
     * @param tolerance Lanczos relative residual tolerance
     * @param seed seed of Lanczos' start vector
     * @return the top eigenpair with its residual ({@code .max()} is λ_max)
     */
    public static Eigenpairs top(Block block, Loss loss, NDArray inputs, NDArray labels, int maxProducts,
            double tolerance, long seed) {
        try (Curvature curvature = onBatch(block, loss, inputs, labels, maxProducts, tolerance, seed)) {
            return curvature.topEigenvalue();
        }
    }
}
