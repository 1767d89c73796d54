package dev.minima.demos.samxor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.UniformInitializer;
import dev.minima.autograd.NativeArrays;

/**
 * The ReLU networks of Wen et al. (2023) (docs/theory.md §4) as DJL blocks with one scalar output:
 *
 * <ul>
 *   <li>{@link Variant#NO_BIAS}, 2-MLP-No-Bias: f(x) = W₂ relu(W₁x);
 *   <li>{@link Variant#BIAS}, 2-MLP-Bias: f(x) = W₂ relu(W₁x + b₁), and with {@link Builder#optDepth(int)} D
 *       the D-layer MLP-Bias W_D relu(⋯ W₂ relu(W₁x + b₁)) (bias in the first layer only);
 *   <li>{@link Variant#SIM_LN}, 2-MLP-Sim-LN: f(x) = W₂ relu(h)/max(‖relu(h)‖₂, ε) with h = W₁x + b₁.
 * </ul>
 *
 * <p>Parameters are initialised as PyTorch's {@code nn.Linear} (the papers' code): weights and biases
 * uniform in ±1/√fan_in, with the first layer's range multiplied by {@link Builder#optFirstLayerScale} (Wen et
 * al. 2023 scale it by 0.01 for its Sim-LN runs). Seed libtorch with {@code Engine.getInstance().setRandomSeed}
 * before {@code initialize} for reproducible weights. Every constant in the forward pass is libtorch-owned,
 * so the blocks are safe to differentiate under garbage-collection pressure. The 2-layer parameters are named
 * {@code 01Linear_weight} (W₁), {@code 01Linear_bias} (b₁) and {@code 03Linear_weight} (W₂).
 *
 * <pre>{@code
 * Block net = ReluMlp.builder().setInputDimension(30).setWidth(500).optVariant(ReluMlp.Variant.BIAS).build();
 * Engine.getInstance().setRandomSeed(1);
 * net.initialize(manager, DataType.FLOAT32, new Shape(1, 30));
 * }</pre>
 */
public final class ReluMlp {

    /** Which of Wen et al.'s (2023) architectures. */
    public enum Variant {
        /** 2-MLP-No-Bias: W₂ relu(W₁x). */
        NO_BIAS,
        /** MLP-Bias: bias in the first layer only. */
        BIAS,
        /** 2-MLP-Sim-LN: simplified LayerNorm (no mean subtraction, no affine) before the output layer. */
        SIM_LN
    }

    private ReluMlp() {}

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of the networks. */
    public static final class Builder {
        private int inputDimension;
        private int width;
        private Variant variant = Variant.BIAS;
        private int depth = 2;
        private double firstLayerScale = 1.0;
        private double layerNormEpsilon = 1e-6;

        private Builder() {}

        /**
         * @param d the input dimension
         * @return this builder
         */
        public Builder setInputDimension(int d) {
            this.inputDimension = d;
            return this;
        }

        /**
         * @param width the hidden width m (Wen et al. 2023: 500)
         * @return this builder
         */
        public Builder setWidth(int width) {
            this.width = width;
            return this;
        }

        /**
         * @param variant the architecture (default {@link Variant#BIAS})
         * @return this builder
         */
        public Builder optVariant(Variant variant) {
            this.variant = variant;
            return this;
        }

        /**
         * @param depth the number of linear layers D (default 2; Sim-LN is 2-layer only)
         * @return this builder
         */
        public Builder optDepth(int depth) {
            this.depth = depth;
            return this;
        }

        /**
         * @param scale factor on the first layer's initial range (default 1)
         * @return this builder
         */
        public Builder optFirstLayerScale(double scale) {
            this.firstLayerScale = scale;
            return this;
        }

        /**
         * @param epsilon ε in max(‖relu(h)‖, ε) for Sim-LN (default 1e-6)
         * @return this builder
         */
        public Builder optLayerNormEpsilon(double epsilon) {
            this.layerNormEpsilon = epsilon;
            return this;
        }

        /**
         * @return the (uninitialised) block
         * @throws IllegalArgumentException if a size is out of range
         */
        public SequentialBlock build() {
            if (inputDimension < 1 || width < 1) {
                throw new IllegalArgumentException("input dimension and width must be positive, got d = "
                        + inputDimension + ", width = " + width + ": call setInputDimension and setWidth");
            }
            if (depth < 2) {
                throw new IllegalArgumentException("depth must be at least 2, got " + depth);
            }
            if (variant == Variant.SIM_LN && depth != 2) {
                throw new IllegalArgumentException("Sim-LN is defined for 2 layers only, got depth " + depth);
            }
            if (!(firstLayerScale > 0) || !(layerNormEpsilon > 0)) {
                throw new IllegalArgumentException("first-layer scale and ε must be positive, got "
                        + firstLayerScale + " and " + layerNormEpsilon);
            }
            SequentialBlock net = new SequentialBlock();
            net.add(linear(width, variant != Variant.NO_BIAS, inputDimension, firstLayerScale));
            net.add(Activation::relu);
            if (variant == Variant.SIM_LN) {
                double eps = layerNormEpsilon;
                net.add(new LambdaBlock(list -> new NDList(simplifiedLayerNorm(list.singletonOrThrow(), eps)),
                        "SimLN"));
            }
            for (int layer = 2; layer < depth; layer++) {
                net.add(linear(width, false, width, 1.0));
                net.add(Activation::relu);
            }
            net.add(linear(1, false, width, 1.0));
            return net;
        }

        private static Linear linear(int units, boolean bias, int fanIn, double scale) {
            Linear l = Linear.builder().setUnits(units).optBias(bias).build();
            // PyTorch's nn.Linear default: kaiming_uniform(a = √5) = U(±1/√fan_in), bias U(±1/√fan_in)
            UniformInitializer init = new UniformInitializer((float) (scale / Math.sqrt(fanIn)));
            l.setInitializer(init, Parameter.Type.WEIGHT);
            if (bias) {
                l.setInitializer(init, Parameter.Type.BIAS);
            }
            return l;
        }
    }

    /**
     * a / max(‖a‖₂, ε) row-wise (Wen et al.'s (2023) simplified LayerNorm), with a libtorch-owned ε.
     *
     * @param a activations, shape (batch, width)
     * @param epsilon ε
     * @return the normalised activations
     */
    static NDArray simplifiedLayerNorm(NDArray a, double epsilon) {
        NDArray eps = NativeArrays.scalar(a.getManager(), epsilon, a.getDataType());
        NDArray norm = a.norm(new int[] {-1}, true);
        return a.div(norm.maximum(eps));
    }
}
