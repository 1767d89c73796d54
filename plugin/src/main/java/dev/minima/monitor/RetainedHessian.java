package dev.minima.monitor;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.minima.autograd.AutogradBridge;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.SymmetricOperator;
import dev.minima.curvature.Vectors;

/**
 * The Hessian of a single-batch {@link Objective} from one create-graph gradient, which also yields the loss
 * and the gradient norm: one forward and one backward pass serve all three, where a separate loss/gradient
 * pass and a {@code HessianOperator} would take two of each. Each product is then one backward pass,
 * Hv = ∇⟨g, v⟩ (Pearlmutter), through the same autograd bridge as {@code HessianOperator}.
 *
 * <p>TODO(merge): if {@code HessianOperator} grows an accessor for its retained gradient and loss, use it
 * instead of this class.
 */
final class RetainedHessian implements SymmetricOperator, AutoCloseable {

    private final ParameterSpace space;
    private final AutogradBridge bridge;
    private final NDManager graph;
    private NDList gradient;
    private double loss;
    private final double gradientNorm;
    private long products;

    RetainedHessian(Objective objective) {
        if (!objective.canRetainGraph()) {
            throw new IllegalArgumentException("a retained Hessian needs a single-batch objective, this one has "
                    + objective.batchCount());
        }
        this.space = objective.space();
        this.bridge = AutogradBridge.on(space.device());
        this.graph = NDManager.newBaseManager(space.device(), "PyTorch");
        try {
            objective.forEachBatch(graph, (l, w, s, b) -> {
                loss = Vectors.scalar(l);
                gradient = bridge.gradient(l, space.arrays(), true, graph);
            });
            try (NDManager scope = graph.newSubManager()) {
                NDList detached = new NDList(gradient.size());
                for (NDArray g : gradient) {
                    NDArray d = g.stopGradient();
                    d.attach(scope);
                    detached.add(d);
                }
                gradientNorm = Vectors.norm(space.flatten(detached));
            }
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** @return the objective's value */
    double loss() {
        return loss;
    }

    /** @return ‖∇L‖₂ */
    double gradientNorm() {
        return gradientNorm;
    }

    /** @return products so far */
    long products() {
        return products;
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

    @Override
    public NDArray apply(NDArray vector) {
        SymmetricOperator.checkVector(this, vector);
        NDManager target = vector.getManager();
        NDArray result;
        try (NDManager scope = target.newSubManager()) {
            NDList v = space.unflatten(vector.toType(dataType(), false));
            v.attach(scope);
            result = space.flatten(bridge.grad(gradient, space.arrays(), v, false, scope));
            result.attach(target);
        }
        products++;
        return result;
    }

    @Override
    public void close() {
        graph.close();
    }
}
