package dev.minima.demos.sweeps;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Eigenpairs;
import dev.minima.demos.support.Sharpness;
import dev.minima.loss.Losses;
import dev.minima.stability.ShallowReluBlocks;
import dev.minima.stability.ShallowReluNetwork;

/**
 * λ_max of the exact loss Hessian of a DJL block holding a trained shallow ReLU network: the independent check
 * of the Gram-matrix sharpness. The block is Linear(k) → ReLU → Linear(1) in float64; the Hessian comes from
 * double backpropagation through Minima's autograd bridge and its top eigenvalue from Lanczos, both behind
 * {@link Sharpness#top}.
 */
public final class DjlSharpness {

    /** Lanczos' cap on products (it stops at the number of parameters if that is smaller). */
    private static final int MAX_PRODUCTS = 400;

    private DjlSharpness() {}

    /**
     * The top eigenvalue of ∇²L(θ) for the ½-MSE loss on (x, y), through DJL.
     *
     * @param network the network (its block is built by {@link ShallowReluBlocks#toBlock})
     * @param x n inputs of d numbers
     * @param y n targets
     * @param seed Lanczos start-vector seed
     * @return λ_max ({@code .max()}) with its residual and the products spent
     */
    public static Eigenpairs of(ShallowReluNetwork network, double[][] x, double[] y, long seed) {
        int n = x.length;
        int d = x[0].length;
        double[] flat = new double[n * d];
        for (int j = 0; j < n; j++) {
            System.arraycopy(x[j], 0, flat, j * d, d);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray xs = NativeArrays.of(manager, flat, new Shape(n, d), DataType.FLOAT64);
            NDArray ys = NativeArrays.of(manager, y, new Shape(n, 1), DataType.FLOAT64);
            Block block = ShallowReluBlocks.toBlock(network, manager, DataType.FLOAT64);
            return Sharpness.top(block, Losses.halfMse(), xs, ys, MAX_PRODUCTS, 1e-10, seed);
        }
    }
}
