package dev.minima.curvature;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The exact Hessian of an {@link Objective} with respect to its parameters, as a {@link SymmetricOperator}.
 *
 * <p>Each product is Pearlmutter's double backpropagation through {@code torch.autograd.grad} (see {@link
 * dev.minima.autograd.AutogradBridge}): first g = ∇L with a graph, then Hv = ∇⟨g, v⟩. On an objective with one batch the
 * gradient graph is built once and reused, so each further product costs one backward pass (as PyHessian does
 * in single-batch mode); with several batches every product runs each batch again, weighted by its size.
 *
 * <p>The operator captures the parameters as they are when the graph is built: after the parameters change
 * (an optimizer step), close it and make a new one. Close it to free the retained graph.
 */
public final class HessianOperator extends BatchedCurvatureOperator<NDList> {

    private final boolean retainGraph;
    private double retainedLoss = Double.NaN;

    private HessianOperator(Objective objective, boolean retainGraph) {
        super(objective, retainGraph);
        this.retainGraph = retainGraph;
    }

    /**
     * The objective's value from the retained create-graph pass (built now if no product has built it): the
     * forward pass that serves every product also gives the loss, at no extra cost.
     *
     * @return the loss
     * @throws IllegalStateException if the graph is not retained (several batches)
     */
    public double retainedLoss() {
        retainedPieces();
        return retainedLoss;
    }

    /**
     * ‖∇L‖₂ from the retained gradient (built now if no product has built it).
     *
     * @return the gradient norm
     * @throws IllegalStateException if the graph is not retained (several batches)
     */
    public double retainedGradientNorm() {
        NDList gradient = retainedPieces();
        try (NDManager scope = NDManager.newBaseManager(device(), "PyTorch")) {
            NDList detached = new NDList(gradient.size());
            for (ai.djl.ndarray.NDArray g : gradient) {
                ai.djl.ndarray.NDArray d = g.stopGradient();
                d.attach(scope);
                detached.add(d);
            }
            return Vectors.norm(space.flatten(detached));
        }
    }

    /**
     * @param objective the objective
     * @return its Hessian; the gradient graph is retained when {@link Objective#canRetainGraph()}
     */
    public static HessianOperator of(Objective objective) {
        return new HessianOperator(objective, objective.canRetainGraph());
    }

    /**
     * @param objective the objective
     * @param retainGraph retain the gradient graph between products (single-batch objectives only)
     * @return its Hessian
     * @throws IllegalArgumentException if a retained graph is asked of a multi-batch objective
     */
    public static HessianOperator of(Objective objective, boolean retainGraph) {
        return new HessianOperator(objective, retainGraph);
    }

    /** The batch's gradient g = ∇L with its graph, so that products can differentiate it again. */
    @Override
    NDList pieces(Objective.BatchData batch, int index, NDManager scope) {
        ai.djl.ndarray.NDArray loss = objective.lossOf(batch, scope, index);
        if (retainGraph) {
            retainedLoss = Vectors.scalar(loss);
        }
        return bridge.gradient(loss, space.arrays(), true, scope);
    }

    /** Hv = ∇⟨g, v⟩; gradient pieces that do not depend on the parameters contribute 0 (the bridge skips them). */
    @Override
    NDList product(NDList gradient, NDList v, NDManager scope) {
        return bridge.grad(gradient, space.arrays(), v, false, scope);
    }
}
