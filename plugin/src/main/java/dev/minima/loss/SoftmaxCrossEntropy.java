package dev.minima.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Softmax cross-entropy on logits, mean over the batch, GC-safe. Labels are either class indices (shape
 * {@code (B)} or {@code (B, 1)}) or a distribution of the logits' shape.
 */
public final class SoftmaxCrossEntropy extends MinimaLoss {

    SoftmaxCrossEntropy(String name) {
        super(name);
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = single(predictions, "predictions");
        NDArray label = single(labels, "labels");
        if (logits.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    "softmax cross-entropy expects logits of shape (batch, classes), got " + logits.getShape());
        }
        long batch = logits.getShape().get(0);
        int classes = (int) logits.getShape().get(1);
        NDArray logp = logits.logSoftmax(-1);
        NDArray target;
        if (label.getShape().equals(logits.getShape())) {
            target = label.toType(logits.getDataType(), false);
        } else if (label.getShape().size() == batch) {
            target = label.reshape(batch).toType(DataType.INT64, false).oneHot(classes).toType(logits.getDataType(), false);
        } else {
            throw new IllegalArgumentException("labels of shape " + label.getShape()
                    + " fit neither class indices (" + batch + ") nor logits " + logits.getShape());
        }
        return logp.mul(target).sum(new int[] {1}).mean().neg();
    }
}
