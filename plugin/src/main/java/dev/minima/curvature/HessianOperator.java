package dev.minima.curvature;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.minima.autograd.AutogradBridge;

/**
 * The exact Hessian of an {@link Objective} with respect to its parameters, as a {@link SymmetricOperator}.
 *
 * <p>Each product is Pearlmutter's double backpropagation through {@code torch.autograd.grad} (see {@link
 * AutogradBridge}): first g = ∇L with a graph, then Hv = ∇⟨g, v⟩. On an objective with one batch the
 * gradient graph is built once and reused, so each further product costs one backward pass (as PyHessian does
 * in single-batch mode); with several batches every product runs each batch again, weighted by its size.
 *
 * <p>The operator captures the parameters as they are when the graph is built: after the parameters change
 * (an optimizer step), close it and make a new one. Close it to free the retained graph.
 */
public final class HessianOperator implements SymmetricOperator, AutoCloseable {

    private final Objective objective;
    private final ParameterSpace space;
    private final AutogradBridge bridge;
    private final boolean retainGraph;
    private NDManager graphScope;
    private NDList retainedGradient;
    private long products;

    private HessianOperator(Objective objective, boolean retainGraph) {
        this.objective = objective;
        this.space = objective.space();
        this.bridge = AutogradBridge.on(space.device());
        this.retainGraph = retainGraph;
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
     */
    public static HessianOperator of(Objective objective, boolean retainGraph) {
        if (retainGraph && objective.batches().size() != 1) {
            throw new IllegalArgumentException("a retained graph needs a single-batch objective, this one has "
                    + objective.batches().size() + " batches");
        }
        return new HessianOperator(objective, retainGraph);
    }

    @Override
    public long dimension() {
        return space.dimension();
    }

    @Override
    public DataType dataType() {
        return space.dataType();
    }

    @Override
    public Device device() {
        return space.device();
    }

    /** @return the number of Hessian-vector products computed so far */
    public long products() {
        return products;
    }

    /** @return the objective */
    public Objective objective() {
        return objective;
    }

    @Override
    public NDArray apply(NDArray vector) {
        SymmetricOperator.checkVector(this, vector);
        NDManager target = vector.getManager();
        NDArray result;
        try (NDManager scope = target.newSubManager()) {
            NDList v = space.unflatten(vector.toType(dataType(), false));
            v.attach(scope);
            if (retainGraph) {
                if (retainedGradient == null) {
                    graphScope = NDManager.newBaseManager(device(), "PyTorch");
                    objective.forEachBatch(graphScope, (l, w, s, b) -> {
                        retainedGradient = bridge.gradient(l, space.arrays(), true, graphScope);
                    });
                }
                result = space.flatten(product(retainedGradient, v, scope));
            } else {
                NDArray[] acc = {null};
                objective.forEachBatch(scope, (l, w, s, b) -> {
                    NDList g = bridge.gradient(l, space.arrays(), true, s);
                    NDArray hv = space.flatten(product(g, v, s)).mul(w);
                    if (acc[0] == null) {
                        acc[0] = hv;
                        acc[0].attach(scope);
                    } else {
                        acc[0].addi(hv);
                    }
                });
                result = acc[0];
            }
            result.attach(target);
        }
        products++;
        return result;
    }

    /** Hv = ∇⟨g, v⟩; gradient pieces that do not depend on the parameters contribute 0 (the bridge skips them). */
    private NDList product(NDList gradient, NDList v, NDManager scope) {
        return bridge.grad(gradient, space.arrays(), v, false, scope);
    }

    @Override
    public void close() {
        if (graphScope != null) {
            graphScope.close();
            graphScope = null;
            retainedGradient = null;
        }
    }
}
