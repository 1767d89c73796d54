package dev.minima.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import dev.minima.autograd.NativeArrays;

/**
 * Base of Minima's GC-safe losses: DJL {@link Loss}es whose graphs hold no array backed by Java memory.
 *
 * <p>DJL's own losses multiply by Java numbers ({@code mul(Number)}), whose operand is a Java buffer that the
 * garbage collector may free before the backward pass; gradients then come back silently wrong. Every
 * constant here is created by libtorch ({@link NativeArrays}). Minima's curvature, SAM and monitor paths
 * vouch for these losses only; see {@link LossSafety}.
 */
public abstract class MinimaLoss extends Loss {

    /** How a loss reduces over the output dimensions of one example. */
    public enum OutputReduction {
        /** Mean over every element (batch and outputs), as DJL's {@code L2Loss}. */
        MEAN,
        /** Sum over the outputs of each example, then mean over the batch (Mulayoff &amp; Michaeli's (2020) convention). */
        SUM_OUTPUTS
    }

    /**
     * @param name the loss's name in DJL metrics and logs
     */
    protected MinimaLoss(String name) {
        super(name);
    }

    /**
     * The Hessian constant of the loss with respect to one prediction at interpolation, ℓ'' (1 for ½-MSE,
     * 2 for MSE): the factor C in the stability bound ‖f‖ ≤ 1/(Cη) − 1/2 (docs/theory.md §0).
     *
     * @return the constant, or NaN when the loss has no constant second derivative
     */
    public double curvatureConstant() {
        return Double.NaN;
    }

    /**
     * The one array of a prediction list, for losses of single-output blocks.
     *
     * @param predictions the predictions
     * @param what what the list holds, for the error message (e.g. "predictions")
     * @return the single prediction array
     * @throws IllegalArgumentException if the list does not hold exactly one array
     */
    protected static NDArray single(NDList predictions, String what) {
        if (predictions.size() != 1) {
            throw new IllegalArgumentException(what + " must hold exactly one array, got " + predictions.size());
        }
        return predictions.get(0);
    }

    /**
     * Reshapes labels to the predictions' shape when they hold the same number of elements.
     *
     * @param label the labels
     * @param pred the predictions
     * @return labels shaped and typed like the predictions
     */
    protected static NDArray alignLabel(NDArray label, NDArray pred) {
        if (!label.getShape().equals(pred.getShape())) {
            if (label.getShape().size() != pred.getShape().size()) {
                throw new IllegalArgumentException("labels of shape " + label.getShape()
                        + " do not match predictions of shape " + pred.getShape());
            }
            label = label.reshape(pred.getShape());
        }
        return label.getDataType() == pred.getDataType() ? label : label.toType(pred.getDataType(), false);
    }

    /**
     * @param pred an array of predictions (batch first)
     * @param perElement the per-element loss, same shape
     * @param reduction the reduction over outputs
     * @return the scalar loss
     */
    protected static NDArray reduce(NDArray pred, NDArray perElement, OutputReduction reduction) {
        if (reduction == OutputReduction.SUM_OUTPUTS && perElement.getShape().dimension() > 1) {
            int[] axes = new int[perElement.getShape().dimension() - 1];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i + 1;
            }
            return perElement.sum(axes).mean();
        }
        return perElement.mean();
    }

    /**
     * @param like an array whose manager, device and type the constant takes
     * @param value the value
     * @return a libtorch-owned scalar
     */
    protected static NDArray constant(NDArray like, double value) {
        DataType type = like.getDataType();
        return NativeArrays.scalar(like.getManager(), value, type);
    }
}
