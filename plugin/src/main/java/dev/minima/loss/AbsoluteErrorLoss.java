package dev.minima.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Absolute-error loss {@code w · mean |f − y|}, GC-safe: the equivalent of DJL's {@code L1Loss} (weight w,
 * default 1). Its Hessian is zero almost everywhere (the loss is piecewise linear in the predictions), so the
 * curvature it shows comes from the model alone. Built by {@link DjlLosses#toGcSafe}.
 */
public final class AbsoluteErrorLoss extends MinimaLoss {

    private final double weight;

    AbsoluteErrorLoss(String name, double weight) {
        super(name);
        this.weight = weight;
    }

    /** @return the factor w in front of the mean absolute error */
    public double weight() {
        return weight;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray pred = single(predictions, "predictions");
        NDArray label = alignLabel(single(labels, "labels"), pred);
        NDArray loss = label.sub(pred).abs().mean();
        return weight == 1.0 ? loss : loss.mul(constant(loss, weight));
    }
}
