package dev.minima.monitor;

import dev.minima.curvature.Preconditioner;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.AdamW;
import ai.djl.training.optimizer.Optimizer;
import dev.minima.autograd.GradMode;
import dev.minima.curvature.ParameterSpace;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * The preconditioner of DJL's {@link Adam} (and {@link AdamW}), read from the optimiser's own state.
 *
 * <p><b>How P is obtained.</b> DJL keeps Adam's second moments in private fields; this class reads them
 * reflectively (field names of DJL 0.35.1: {@code variances}, {@code beta1}, {@code beta2}, {@code epsilon}
 * in Adam/AdamW; {@code numUpdate}, {@code beginNumUpdate}, {@code weightDecays} in {@code Optimizer}), so it
 * sees exactly the arrays DJL will use, costs no memory and no work between measurements, and needs no
 * change to the user's training code. If a future DJL renames them, construction fails with a message
 * saying so.
 *
 * <p><b>Which P.</b> DJL's update (pytorch-native {@code adamUpdate}) is
 * θ ← θ − η·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε), i.e. θ ← θ − η P⁻¹ m with
 * <pre>P = (1 − β₁ᵗ) · diag(√v + ε) / √(1 − β₂ᵗ)</pre>
 * which is Cohen et al. 2022's P_t = (1−β₁ᵗ)·diag(√v̂ + ε) up to where ε sits (DJL adds ε before the bias
 * correction). The v used is the one of the update about to be applied: v' = β₂v + (1−β₂)g̃² with g̃ the
 * parameter's pending {@code .grad} after DJL's rescale, one-sided clip and (Adam, not AdamW) weight decay,
 * and t the next update count. Inside {@code onTrainingBatch} this is exact (it is what the next
 * {@code trainer.step()} computes); after a step (epoch end) {@code .grad} is zero and v' = β₂v, which differs
 * from the next step's v by the unknown next gradient. The {@code .grad} arrays are only read.
 *
 * <p>Stability threshold: Adam's m is an exponential moving average with β₁, so on a quadratic the update
 * is stable iff λ_max(P⁻¹H) &lt; (2 + 2β₁)/((1 − β₁)η) (38/η for β₁ = 0.9; Cohen et al. 2022, §3).
 */
public final class AdamPreconditioner implements Preconditioner {

    private final Optimizer optimizer;
    private final boolean decoupledWeightDecay;
    private final Field variances;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final Field numUpdate;
    private final int beginNumUpdate;
    private final float weightDecay;
    private final float rescaleGrad;
    private final float clipGrad;

    private AdamPreconditioner(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.decoupledWeightDecay = optimizer instanceof AdamW;
        Class<?> owner = decoupledWeightDecay ? AdamW.class : Adam.class;
        variances = field(owner, "variances");
        beta1 = (float) read(field(owner, "beta1"));
        beta2 = (float) read(field(owner, "beta2"));
        epsilon = (float) read(field(owner, "epsilon"));
        numUpdate = field(Optimizer.class, "numUpdate");
        beginNumUpdate = (int) read(field(Optimizer.class, "beginNumUpdate"));
        weightDecay = (float) read(field(Optimizer.class, "weightDecays"));
        rescaleGrad = (float) read(field(Optimizer.class, "rescaleGrad"));
        clipGrad = (float) read(field(Optimizer.class, "clipGrad"));
    }

    /**
     * @param optimizer a DJL {@link Adam} or {@link AdamW}, the same instance the trainer uses
     * @return its preconditioner
     * @throws IllegalArgumentException if the optimiser is not Adam or AdamW
     * @throws IllegalStateException if this DJL version keeps Adam's state under other names
     */
    public static AdamPreconditioner of(Optimizer optimizer) {
        if (!(optimizer instanceof Adam) && !(optimizer instanceof AdamW)) {
            throw new IllegalArgumentException("AdamPreconditioner reads DJL's Adam or AdamW state, got "
                    + (optimizer == null ? "null" : optimizer.getClass().getName())
                    + ": pass the Adam instance given to DefaultTrainingConfig.optOptimizer");
        }
        return new AdamPreconditioner(optimizer);
    }

    /** @return β₁ */
    public float beta1() {
        return beta1;
    }

    /** @return β₂ */
    public float beta2() {
        return beta2;
    }

    /** @return ε */
    public float epsilon() {
        return epsilon;
    }

    /** @return the update count t of the next update (1 for the first) */
    public int nextUpdate() {
        return Math.max((int) read(numUpdate), beginNumUpdate) + 1;
    }

    @Override
    public double threshold(double eta) {
        // EMA momentum m ← β₁m + (1−β₁)g: stable iff ηλ(1−β₁) < 2 + 2β₁ (heavy-ball bound, Cohen et al. 2022)
        return (2.0 + 2.0 * beta1) / ((1.0 - beta1) * eta);
    }

    @Override
    @SuppressWarnings("unchecked")
    public NDArray inverseSqrtDiagonal(ParameterSpace space, NDManager manager) {
        Map<String, Map<Device, NDArray>> state = (Map<String, Map<Device, NDArray>>) read(variances);
        int t = nextUpdate();
        double correction = Math.sqrt(1.0 - Math.pow(beta2, t)) / (1.0 - Math.pow(beta1, t));
        NDArray result;
        try (NDManager scope = manager.newSubManager();
                GradMode off = GradMode.disabled()) {
            NDList parts = new NDList(space.parameters().size());
            for (Parameter p : space.parameters()) {
                NDArray w = p.getArray();
                NDArray g = w.getGradient();
                g.attach(scope);
                NDArray gt = g.mul(rescaleGrad);
                if (clipGrad >= 0) {
                    gt = gt.minimum(clipGrad); // DJL clamps from above only (clamp_max)
                }
                if (!decoupledWeightDecay && weightDecay != 0) {
                    NDArray decay = w.mul(weightDecay); // attached to the model's manager: move it
                    decay.attach(scope);
                    gt = gt.add(decay);
                }
                Map<Device, NDArray> perDevice = state.get(p.getId());
                NDArray v = perDevice == null ? null : perDevice.get(w.getDevice());
                NDArray vNext = gt.mul(gt).mul(1.0 - beta2);
                if (v != null) {
                    NDArray decayed = v.mul(beta2); // attached to the optimiser's manager: move it
                    decayed.attach(scope);
                    vNext = vNext.add(decayed);
                }
                // P^{-1/2} = sqrt( √(1−β₂ᵗ)/(1−β₁ᵗ) / (√v' + ε) )
                NDArray inv = vNext.sqrt().add(epsilon).pow(-1).mul(correction).sqrt();
                parts.add(inv);
            }
            result = space.flatten(parts).duplicate();
            result.attach(manager);
        }
        return result;
    }

    private Object read(Field f) {
        try {
            return f.get(optimizer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + f + " of DJL's " + optimizer.getClass().getSimpleName(), e);
        }
    }

    private static Field field(Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException | RuntimeException e) {
            throw new IllegalStateException("DJL's " + owner.getSimpleName() + " has no readable field '" + name
                    + "' (this class was written for DJL 0.35.1): the Adam preconditioner cannot be read from this"
                    + " DJL version; monitor without optPreconditioner or update AdamPreconditioner", e);
        }
    }
}
