package dev.minima.landscape;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.NonFiniteLossException;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;

/**
 * Loss, accuracy and gradient of an {@link Objective} at the parameters the block holds now, each batch in its
 * own sub-manager. Forward passes for values run with autograd off; gradients go through Minima's autograd
 * bridge, so the parameters' {@code .grad} is never touched.
 */
final class Evaluator {

    /** Called between each batch's forward pass and its backward pass (tests put {@code System.gc()} here). */
    static volatile Runnable betweenForwardAndBackward = () -> {};

    private final Objective objective;
    private final ParameterStore store;

    Evaluator(Objective objective, NDManager manager) {
        this.objective = objective;
        this.store = new ParameterStore(manager, false);
    }

    /**
     * @param accuracy also compute the classification accuracy (argmax of the last axis against the labels)
     * @return {loss, accuracy (NaN when not asked for)}, weighted over the batches like the objective
     * @throws NonFiniteLossException if the loss is not finite
     */
    double[] lossAndAccuracy(NDManager parent, boolean accuracy) {
        double[] sums = new double[2]; // loss, correct
        try (GradMode off = GradMode.disabled()) {
            // one batch at a time, resident or streamed from a dataset
            objective.eachBatch(parent, (b, index, scope) -> {
                NDList x = NativeArrays.copyInto(b.data(), scope);
                NDList y = NativeArrays.copyInto(b.labels(), scope);
                NDList pred = objective.block().forward(store, x, false);
                NDArray value = objective.loss().evaluate(y, pred);
                double v = Vectors.scalar(value);
                if (!Double.isFinite(v)) {
                    throw new NonFiniteLossException("loss " + objective.loss().getName() + " is " + v
                            + " at these parameters: the perturbation is too large or the data hold NaN/inf");
                }
                sums[0] += v * b.size() / objective.size();
                if (accuracy) {
                    sums[1] += correct(pred.get(0), y.get(0));
                }
            });
        }
        return new double[] {sums[0], accuracy ? sums[1] / objective.size() : Double.NaN};
    }

    /**
     * @param parent the manager of the result
     * @return {loss, flat gradient attached to {@code parent}}
     */
    Object[] lossAndGradient(NDManager parent) {
        ParameterSpace space = objective.space();
        AutogradBridge bridge = AutogradBridge.on(space.device());
        double[] loss = {0};
        NDArray[] acc = {null};
        try (NDManager scope = parent.newSubManager()) {
            objective.forEachBatch(scope, (l, w, s, b) -> {
                loss[0] += w * Vectors.scalar(l);
                betweenForwardAndBackward.run();
                NDArray g = space.flatten(bridge.gradient(l, space.arrays(), false, s));
                NDArray term = objective.batchCount() == 1 ? g
                        : g.mul(NativeArrays.scalar(s, w, g.getDataType()));
                if (acc[0] == null) {
                    acc[0] = term.duplicate();
                    acc[0].attach(scope);
                } else {
                    acc[0].addi(term);
                }
            });
            acc[0].attach(parent);
        }
        return new Object[] {loss[0], acc[0]};
    }

    private static double correct(NDArray logits, NDArray labels) {
        if (logits.getShape().dimension() < 2 || logits.getShape().get(logits.getShape().dimension() - 1) < 2) {
            throw new IllegalArgumentException("accuracy needs class scores of shape (batch, classes ≥ 2), got "
                    + logits.getShape() + ": turn accuracy off for a regression model");
        }
        NDArray predicted = logits.argMax(-1).toType(DataType.INT64, false);
        NDArray truth = labels.reshape(predicted.getShape()).toType(DataType.INT64, false);
        return predicted.eq(truth).sum().toType(DataType.FLOAT64, false).getDouble();
    }
}
