package dev.minima.curvature;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;

/**
 * The generalised Gauss–Newton matrix G = Σ_b w_b J_bᵀ H_ℓ,b J_b of an {@link Objective}, for any loss:
 * J_b is the Jacobian of the block's outputs on batch b with respect to the parameters, H_ℓ,b the Hessian of
 * the loss with respect to those outputs, w_b the batch's share of the data (Schraudolph 2002, "Fast curvature
 * matrix-vector products for second-order gradient descent").
 *
 * <p>G is the Hessian with the terms that carry the block's own second derivatives dropped: for a square loss
 * with ℓ'' = C and mean reduction over n examples of scalar outputs it is (C/n) Σ_i ∇f(x_i)∇f(x_i)ᵀ = CΦΦᵀ/n
 * (formulas.md §0), equal to the Hessian at an interpolating minimum; for a block linear in its parameters it
 * is the Hessian for every loss. It is positive semi-definite whenever the loss is convex in the outputs.
 *
 * <p>Each product costs three backward passes through {@code torch.autograd.grad}:
 * <ol>
 *   <li>Jv by the double-vjp trick: with a dummy u of the outputs' shape, Jᵀu is linear in u, and
 *       ∇_u⟨Jᵀu, v⟩ = Jv;</li>
 *   <li>H_ℓ(Jv) by double backprop of the loss with respect to a detached leaf copy z of the outputs, so that
 *       this pass never reaches the parameters;</li>
 *   <li>Jᵀ(H_ℓJv) by one vector–Jacobian product.</li>
 * </ol>
 * On a single-batch objective the three graphs are built once and retained (close the operator to free
 * them); with several batches each product runs every batch again.
 */
public final class GaussNewtonOperator implements SymmetricOperator, AutoCloseable {

    private final Objective objective;
    private final ParameterSpace space;
    private final AutogradBridge bridge;
    private final boolean retainGraph;
    private NDManager graphScope;
    private Pieces retained;
    private long products;

    /** The differentiable pieces of one batch: outputs, their leaf copies, ∇_zℓ, the dummy u and Jᵀu. */
    private record Pieces(NDList outputs, NDList leaves, NDList lossGradient, NDList dummy, NDList jtDummy) {}

    private GaussNewtonOperator(Objective objective, boolean retainGraph) {
        this.objective = objective;
        this.space = objective.space();
        this.bridge = AutogradBridge.on(space.device());
        this.retainGraph = retainGraph;
    }

    /**
     * @param objective the objective (block, loss and data)
     * @return its Gauss–Newton matrix; the graphs are retained when the objective has a single batch
     */
    public static GaussNewtonOperator of(Objective objective) {
        return new GaussNewtonOperator(objective, objective.batches().size() == 1);
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

    /** @return the number of products computed so far */
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
                if (retained == null) {
                    graphScope = NDManager.newBaseManager(device(), "PyTorch");
                    retained = pieces(objective.batches().get(0), 0, graphScope);
                }
                result = space.flatten(product(retained, v, scope));
            } else {
                NDArray acc = null;
                for (int i = 0; i < objective.batches().size(); i++) {
                    Objective.BatchData b = objective.batches().get(i);
                    double w = (double) b.size() / objective.size();
                    try (NDManager s = scope.newSubManager()) {
                        NDArray gv = space.flatten(product(pieces(b, i, s), v, s));
                        NDArray term = gv.mul(w); // not differentiated: a Java scalar is safe here
                        if (acc == null) {
                            acc = term;
                        } else {
                            acc = acc.add(term);
                        }
                        acc.attach(scope);
                    }
                }
                result = acc;
            }
            result.attach(target);
        }
        products++;
        return result;
    }

    private Pieces pieces(Objective.BatchData batch, int index, NDManager scope) {
        NDList outputs = objective.predict(batch, scope);
        NDList leaves = new NDList(outputs.size());
        NDList dummy = new NDList(outputs.size());
        for (NDArray out : outputs) {
            NDArray z = out.stopGradient();
            z.attach(scope);
            z.setRequiresGradient(true);
            leaves.add(z);
            NDArray u = scope.zeros(out.getShape(), out.getDataType());
            u.setRequiresGradient(true);
            dummy.add(u);
        }
        NDArray loss;
        try (GradMode on = GradMode.enabled()) {
            loss = objective.loss().evaluate(objective.labelsIn(batch, scope), leaves);
        }
        objective.checkedLoss(loss, index);
        NDList lossGradient = bridge.gradient(loss, leaves, true, scope);
        NDList jtDummy = bridge.grad(outputs, space.arrays(), dummy, true, scope);
        return new Pieces(outputs, leaves, lossGradient, dummy, jtDummy);
    }

    /** Jᵀ H_ℓ J v for one batch, per parameter. */
    private NDList product(Pieces p, NDList v, NDManager scope) {
        NDList jv = bridge.grad(p.jtDummy(), p.dummy(), v, false, scope);
        NDList hjv = bridge.grad(p.lossGradient(), p.leaves(), jv, false, scope);
        return bridge.grad(p.outputs(), space.arrays(), hjv, false, scope);
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
