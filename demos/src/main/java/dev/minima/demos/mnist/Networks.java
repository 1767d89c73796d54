package dev.minima.demos.mnist;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

/** The fully connected ReLU networks of the MNIST demos, as plain DJL blocks. */
public final class Networks {

    private Networks() {}

    /**
     * Mulayoff &amp; Michaeli's (2020) denoiser: {@code depth} Linear layers, each {@code width} wide, ReLU between them and a
     * linear output.
     *
     * @param depth number of Linear layers m (at least 1)
     * @param width units of every layer (784 in the paper: input, output and all hidden layers)
     * @return an uninitialised block
     * @throws IllegalArgumentException if depth or width is below 1
     */
    public static SequentialBlock denoiser(int depth, int width) {
        if (depth < 1 || width < 1) {
            throw new IllegalArgumentException("the denoiser needs depth >= 1 and width >= 1, got depth " + depth
                    + ", width " + width);
        }
        SequentialBlock block = new SequentialBlock();
        for (int i = 0; i < depth; i++) {
            block.add(Linear.builder().setUnits(width).build());
            if (i < depth - 1) {
                block.add(Activation::relu);
            }
        }
        return block;
    }

    /**
     * Nacson et al.'s (2023) one-hidden-layer network f(x) = Σ_i v_i σ(w_iᵀx + b_i) + c: Linear(k) → ReLU → Linear(1),
     * both with bias.
     *
     * @param hidden number of hidden neurons k
     * @return an uninitialised block
     * @throws IllegalArgumentException if hidden is below 1
     */
    public static SequentialBlock shallow(int hidden) {
        if (hidden < 1) {
            throw new IllegalArgumentException("the hidden layer needs at least one neuron, got " + hidden);
        }
        return new SequentialBlock()
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(1).build());
    }
}
