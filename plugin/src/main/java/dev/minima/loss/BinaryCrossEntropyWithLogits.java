package dev.minima.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Binary cross-entropy on logits z with optional label smoothing p, GC-safe:
 * {@code ℓ = softplus(z) − t·z} with target {@code t = (1 − p)·y + p·(1 − y)} for labels y in {0, 1}
 * (Wen et al.'s (2023) logistic loss uses p = 0.2). Computed stably as {@code max(z, 0) − t·z + log(1 + e^{−|z|})}.
 * Labels in {−1, +1} are accepted with {@link Losses#binaryCrossEntropyWithLogits(double, boolean)}.
 */
public final class BinaryCrossEntropyWithLogits extends MinimaLoss {

    private final double smoothing;
    private final boolean signedLabels;
    private final double weight;

    BinaryCrossEntropyWithLogits(String name, double smoothing, boolean signedLabels) {
        this(name, smoothing, signedLabels, 1.0);
    }

    BinaryCrossEntropyWithLogits(String name, double smoothing, boolean signedLabels, double weight) {
        super(name);
        this.weight = weight;
        if (!(smoothing >= 0 && smoothing < 0.5)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 0.5), got " + smoothing);
        }
        this.smoothing = smoothing;
        this.signedLabels = signedLabels;
    }

    /** @return the label smoothing p */
    public double smoothing() {
        return smoothing;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray z = single(predictions, "predictions");
        NDArray y = alignLabel(single(labels, "labels"), z);
        if (signedLabels) {
            y = y.add(constant(z, 1.0)).mul(constant(z, 0.5)); // {-1, 1} -> {0, 1}
        }
        // t = (1 - 2p) y + p; always a new array made by libtorch
        NDArray t = y.mul(constant(z, 1.0 - 2.0 * smoothing)).add(constant(z, smoothing));
        NDArray softplus = z.abs().neg().exp().add(constant(z, 1.0)).log().add(z.getNDArrayInternal().relu());
        NDArray loss = softplus.sub(t.mul(z)).mean();
        return weight == 1.0 ? loss : loss.mul(constant(loss, weight));
    }
}
