package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.minima.autograd.GradMode;

/**
 * The generalised Gauss–Newton matrix G = Σ_b w_b J_bᵀ H_ℓ,b J_b of an {@link Objective}, for any loss:
 * J_b is the Jacobian of the block's outputs on batch b with respect to the parameters, H_ℓ,b the Hessian of
 * the loss with respect to those outputs, w_b the batch's share of the data (Schraudolph 2002, "Fast curvature
 * matrix-vector products for second-order gradient descent").
 *
 * <p>G is the Hessian with the terms that carry the block's own second derivatives dropped: for a square loss
 * with ℓ'' = C and mean reduction over n examples of scalar outputs it is (C/n) Σ_i ∇f(x_i)∇f(x_i)ᵀ = CΦΦᵀ/n
 * (docs/theory.md §0), equal to the Hessian at an interpolating minimum; for a block linear in its parameters it
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
public final class GaussNewtonOperator extends BatchedCurvatureOperator<GaussNewtonOperator.Pieces> {

    /** The differentiable pieces of one batch: outputs, their leaf copies, ∇_zℓ, the dummy u and Jᵀu. */
    record Pieces(NDList outputs, NDList leaves, NDList lossGradient, NDList dummy, NDList jtDummy) {}

    private GaussNewtonOperator(Objective objective, boolean retainGraph) {
        super(objective, retainGraph);
    }

    /**
     * @param objective the objective (block, loss and data)
     * @return its Gauss–Newton matrix; the graphs are retained when the objective has a single batch
     */
    public static GaussNewtonOperator of(Objective objective) {
        return new GaussNewtonOperator(objective, objective.batches().size() == 1);
    }

    @Override
    Pieces pieces(Objective.BatchData batch, int index, NDManager scope) {
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
    @Override
    NDList product(Pieces p, NDList v, NDManager scope) {
        NDList jv = bridge.grad(p.jtDummy(), p.dummy(), v, false, scope);
        NDList hjv = bridge.grad(p.lossGradient(), p.leaves(), jv, false, scope);
        return bridge.grad(p.outputs(), space.arrays(), hjv, false, scope);
    }
}
