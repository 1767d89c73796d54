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

    private HessianOperator(Objective objective, boolean retainGraph) {
        super(objective, retainGraph);
    }

    /**
     * @param objective the objective
     * @return its Hessian; the gradient graph is retained when the objective has a single batch
     */
    public static HessianOperator of(Objective objective) {
        return new HessianOperator(objective, objective.batches().size() == 1);
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
        return bridge.gradient(objective.lossOf(batch, scope, index), space.arrays(), true, scope);
    }

    /** Hv = ∇⟨g, v⟩; gradient pieces that do not depend on the parameters contribute 0 (the bridge skips them). */
    @Override
    NDList product(NDList gradient, NDList v, NDManager scope) {
        return bridge.grad(gradient, space.arrays(), v, false, scope);
    }
}
