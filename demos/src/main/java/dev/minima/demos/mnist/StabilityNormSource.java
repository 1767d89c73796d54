package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;

/**
 * Where {@code mnist-classify} gets the stability norm S_θ of a trained one-hidden-layer network (paper 002,
 * Eq. 15) on the training inputs. The implementation belongs to {@code dev.minima.stability}; until that
 * package is available the demo uses {@link #NONE} and reports the norm and the bound 1 + 2S_θ as missing.
 */
@FunctionalInterface
public interface StabilityNormSource {

    /** A source that computes nothing: every norm is NaN. */
    StabilityNormSource NONE = (block, inputs) -> Double.NaN;

    /**
     * @param block the trained Linear(k) → ReLU → Linear(1) block
     * @param inputs the training inputs (n, d)
     * @return S_θ, or NaN when unavailable
     */
    double stabilityNorm(Block block, NDArray inputs);
}
