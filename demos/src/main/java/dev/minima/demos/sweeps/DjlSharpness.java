package dev.minima.demos.sweeps;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;
import dev.minima.loss.Losses;
import dev.minima.stability.ShallowReluBlocks;
import dev.minima.stability.ShallowReluNetwork;

/**
 * λ_max of the exact loss Hessian of a DJL block holding a trained shallow ReLU network: the independent check
 * of the Gram-matrix sharpness. The block is Linear(k) → ReLU → Linear(1) in float64; the Hessian comes from
 * double backpropagation through Minima's autograd bridge ({@link HessianOperator}) and its top eigenvalue
 * from {@link Lanczos}.
 */
public final class DjlSharpness {

    /**
     * @param lambdaMax the top Hessian eigenvalue
     * @param residual ‖Hv − λv‖ of the Ritz pair
     * @param products Hessian-vector products spent
     */
    public record Result(double lambdaMax, double residual, int products) {}

    private DjlSharpness() {}

    /**
     * The top eigenvalue of ∇²L(θ) for the ½-MSE loss on (x, y), through DJL.
     *
     * @param network the network (its block is built by {@link ShallowReluBlocks#toBlock})
     * @param x n inputs of d numbers
     * @param y n targets
     * @param seed Lanczos start-vector seed
     * @return λ_max with its residual
     */
    public static Result of(ShallowReluNetwork network, double[][] x, double[] y, long seed) {
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
            try (Objective objective = Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(xs, ys)
                            .build();
                    HessianOperator hessian = HessianOperator.of(objective)) {
                int dim = (int) hessian.dimension();
                Eigenpairs top = Lanczos.builder().optTopK(1).optSeed(seed).optTolerance(1e-10)
                        .optMaxIterations(Math.min(dim, 400)).optKeepVectors(false).build().run(hessian);
                return new Result(top.max(), top.residual(0), top.products());
            }
        }
    }
}
