package dev.minima.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Softmax cross-entropy as DJL's {@code SoftmaxCrossEntropyLoss} computes it, GC-safe: with {@code fromLogit}
 * the predictions are logits and go through log-softmax over the last axis, otherwise they are taken to be
 * log-probabilities already; sparse labels are class indices (one per row), dense labels a distribution of the
 * predictions' shape; the per-row loss is multiplied by the weight and averaged over every row (all axes but
 * the class axis). Built by {@link DjlLosses#toGcSafe}.
 */
public final class WeightedSoftmaxCrossEntropy extends MinimaLoss {

    private final double weight;
    private final boolean sparseLabel;
    private final boolean fromLogit;

    WeightedSoftmaxCrossEntropy(String name, double weight, boolean sparseLabel, boolean fromLogit) {
        super(name);
        this.weight = weight;
        this.sparseLabel = sparseLabel;
        this.fromLogit = fromLogit;
    }

    /** @return the weight w */
    public double weight() {
        return weight;
    }

    /** @return true if labels are class indices */
    public boolean sparseLabel() {
        return sparseLabel;
    }

    /** @return true if predictions are logits (log-softmax applied), false if they are log-probabilities */
    public boolean fromLogit() {
        return fromLogit;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray pred = single(predictions, "predictions");
        NDArray label = single(labels, "labels");
        int dims = pred.getShape().dimension();
        if (dims < 1) {
            throw new IllegalArgumentException("softmax cross-entropy needs predictions with a class axis, got shape "
                    + pred.getShape());
        }
        int classes = (int) pred.getShape().get(dims - 1);
        NDArray logp = fromLogit ? pred.logSoftmax(-1) : pred;
        NDArray target;
        if (sparseLabel) {
            long rows = pred.getShape().size() / classes;
            if (label.getShape().size() != rows) {
                throw new IllegalArgumentException("sparse labels of shape " + label.getShape() + " do not give one"
                        + " class index per row of predictions " + pred.getShape());
            }
            target = label.reshape(pred.getShape().slice(0, dims - 1)).toType(DataType.INT64, false).oneHot(classes)
                    .toType(pred.getDataType(), false);
        } else {
            target = alignLabel(label, pred);
        }
        NDArray perRow = logp.mul(target).sum(new int[] {-1}).neg();
        NDArray loss = perRow.mean();
        return weight == 1.0 ? loss : loss.mul(constant(loss, weight));
    }
}
