package dev.minima.curvature;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.minima.autograd.AutogradBridge;

/**
 * The skeleton shared by the curvature operators of an {@link Objective}: per batch, build the
 * differentiable pieces once (a gradient graph), then multiply; with one batch the pieces are retained between
 * products, with several every product rebuilds them batch by batch and weights each batch by its size. Every
 * product runs in a sub-manager of the vector's manager and leaves only its result behind.
 *
 * @param <P> the per-batch pieces a product needs
 */
abstract class BatchedCurvatureOperator<P> implements SymmetricOperator, AutoCloseable {

    protected final Objective objective;
    protected final ParameterSpace space;
    protected final AutogradBridge bridge;
    private final boolean retainGraph;
    private NDManager graphScope;
    private P retained;
    private long products;

    BatchedCurvatureOperator(Objective objective, boolean retainGraph) {
        if (retainGraph && !objective.canRetainGraph()) {
            throw new IllegalArgumentException("a retained graph needs a single-batch objective whose block has no"
                    + " state to restore in training mode; this one has " + objective.batchCount() + " batches"
                    + (objective.restoresState() ? " and running statistics to restore" : ""));
        }
        this.objective = objective;
        this.space = objective.space();
        this.bridge = AutogradBridge.on(space.device());
        this.retainGraph = retainGraph;
    }

    /**
     * Builds one batch's differentiable pieces.
     *
     * @param batch the batch
     * @param index its index, for messages
     * @param scope the manager the pieces live in
     * @return the pieces
     */
    abstract P pieces(Objective.BatchData batch, int index, NDManager scope);

    /**
     * Multiplies one batch's operator by v.
     *
     * @param pieces the batch's pieces
     * @param v the vector, per parameter
     * @param scope the manager of the result
     * @return the product, per parameter
     */
    abstract NDList product(P pieces, NDList v, NDManager scope);

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

    /**
     * Whether two products with the same vector agree: false when the objective is stochastic (dropout in
     * training mode) and every product runs the block again; with a retained graph the random draw of the one
     * forward pass is fixed, so the operator is deterministic (the Hessian for that draw).
     *
     * @return whether the operator is a fixed matrix
     */
    @Override
    public boolean isDeterministic() {
        return !objective.isStochastic() || retainGraph;
    }

    /** @return the number of products computed so far */
    public long products() {
        return products;
    }

    /** @return the objective */
    public Objective objective() {
        return objective;
    }

    /**
     * @return the retained pieces of the single batch, built now if no product has built them yet
     * @throws IllegalStateException if this operator does not retain its graph
     */
    P retainedPieces() {
        if (!retainGraph) {
            throw new IllegalStateException("this operator rebuilds its pieces for every product (several batches)");
        }
        if (retained == null) {
            graphScope = NDManager.newBaseManager(device(), "PyTorch");
            retained = pieces(objective.singleBatch(), 0, graphScope);
        }
        return retained;
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
                result = space.flatten(product(retainedPieces(), v, scope));
            } else {
                NDArray[] acc = {null};
                objective.eachBatch(scope, (b, i, s) -> {
                    double w = (double) b.size() / objective.size();
                    NDArray term = space.flatten(product(pieces(b, i, s), v, s)).mul(w); // not differentiated
                    acc[0] = acc[0] == null ? term : acc[0].add(term);
                    acc[0].attach(scope);
                });
                result = acc[0];
            }
            result.attach(target);
        }
        products++;
        return result;
    }

    @Override
    public void close() {
        if (graphScope != null) {
            graphScope.close();
            graphScope = null;
            retained = null;
        }
    }
}
