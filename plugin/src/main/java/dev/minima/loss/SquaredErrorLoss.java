package dev.minima.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Squared-error loss {@code c · mean (f − y)²}, GC-safe: c = ½ gives the ½-MSE of the function-space papers
 * (Mulayoff et al. 2021; Nacson et al. 2023; ℓ'' = 1), c = 1 the plain MSE of Wen et al. (2023) (ℓ'' = 2). Built with
 * {@link Losses#halfMse()} and {@link Losses#mse()}.
 */
public final class SquaredErrorLoss extends MinimaLoss {

    private final double scale;
    private final OutputReduction reduction;

    SquaredErrorLoss(String name, double scale, OutputReduction reduction) {
        super(name);
        this.scale = scale;
        this.reduction = reduction;
    }

    /** @return the factor c in front of the mean squared error */
    public double scale() {
        return scale;
    }

    /** @return how the loss reduces over outputs */
    public OutputReduction reduction() {
        return reduction;
    }

    @Override
    public double curvatureConstant() {
        return 2 * scale;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray pred = single(predictions, "predictions");
        NDArray label = alignLabel(single(labels, "labels"), pred);
        NDArray diff = pred.sub(label);
        NDArray perElement = diff.mul(diff); // never pow(2): a Java-number exponent is a GC hazard
        NDArray loss = reduce(pred, perElement, reduction);
        return scale == 1.0 ? loss : loss.mul(constant(loss, scale));
    }
}
