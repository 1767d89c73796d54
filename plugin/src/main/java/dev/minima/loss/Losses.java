package dev.minima.loss;

import dev.minima.loss.MinimaLoss.OutputReduction;

/** Factory of Minima's GC-safe losses, named like DJL's {@code Loss.l2Loss()} and friends. */
public final class Losses {

    private Losses() {}

    /** @return ½-MSE, {@code ½ mean (f − y)²}: the loss of Mulayoff et al. (2021) and Nacson et al. (2023) (ℓ'' = 1) */
    public static SquaredErrorLoss halfMse() {
        return new SquaredErrorLoss("HalfMSE", 0.5, OutputReduction.MEAN);
    }

    /**
     * @param reduction how to reduce over the outputs of one example
     * @return ½-MSE with the given reduction
     */
    public static SquaredErrorLoss halfMse(OutputReduction reduction) {
        return new SquaredErrorLoss("HalfMSE", 0.5, reduction);
    }

    /** @return plain MSE, {@code mean (f − y)²}: the loss of Wen et al. (2023) (ℓ'' = 2) */
    public static SquaredErrorLoss mse() {
        return new SquaredErrorLoss("MSE", 1.0, OutputReduction.MEAN);
    }

    /**
     * @param reduction how to reduce over the outputs of one example ({@link OutputReduction#SUM_OUTPUTS}
     *     is Mulayoff &amp; Michaeli's (2020) ℓ = Ê‖y − f(x)‖²)
     * @return MSE with the given reduction
     */
    public static SquaredErrorLoss mse(OutputReduction reduction) {
        return new SquaredErrorLoss("MSE", 1.0, reduction);
    }

    /** @return softmax cross-entropy on logits */
    public static SoftmaxCrossEntropy softmaxCrossEntropy() {
        return new SoftmaxCrossEntropy("SoftmaxCrossEntropy");
    }

    /**
     * @param labelSmoothing p in [0, 0.5): targets become 1 − p and p
     * @return binary cross-entropy on logits with labels in {0, 1}
     */
    public static BinaryCrossEntropyWithLogits binaryCrossEntropyWithLogits(double labelSmoothing) {
        return new BinaryCrossEntropyWithLogits("BCEWithLogits", labelSmoothing, false);
    }

    /**
     * @param labelSmoothing p in [0, 0.5)
     * @param signedLabels true if labels are in {−1, +1} rather than {0, 1}
     * @return binary cross-entropy on logits
     */
    public static BinaryCrossEntropyWithLogits binaryCrossEntropyWithLogits(double labelSmoothing, boolean signedLabels) {
        return new BinaryCrossEntropyWithLogits("BCEWithLogits", labelSmoothing, signedLabels);
    }
}
