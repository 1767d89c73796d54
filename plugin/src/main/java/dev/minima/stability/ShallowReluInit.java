package dev.minima.stability;

import java.util.SplittableRandom;

/**
 * Seeded initial points for one-hidden-layer ReLU networks, θ = [W; b; v; c].
 *
 * <p>{@link #pytorchDefault} draws PyTorch's default {@code nn.Linear} initialisation (every weight and bias
 * uniform on ±1/√fan_in: fan_in = d for the hidden layer, k for the output), which Mulayoff et al. (2021), supplement
 * Sec. I multiplies by factors to study the init scale and Nacson et al. (2023), App. N multiplies by about 10 ("large
 * initialization").
 */
public final class ShallowReluInit {

    private ShallowReluInit() {}

    /**
     * @param width k hidden neurons
     * @param inputDimension d
     * @param scale factor applied to every parameter (1 = PyTorch's default)
     * @param seed seed of the draw
     * @return θ₀ = scale·[W; b; v; c], W, b ~ U(±1/√d), v, c ~ U(±1/√k)
     */
    public static double[] pytorchDefault(int width, int inputDimension, double scale, long seed) {
        if (width < 1 || inputDimension < 1) {
            throw new IllegalArgumentException("width and input dimension must be ≥ 1, got k = " + width + ", d = "
                    + inputDimension);
        }
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("init scale must be positive and finite, got " + scale);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int k = width;
        int d = inputDimension;
        double[] theta = new double[k * d + 2 * k + 1];
        double hidden = scale / Math.sqrt(d);
        double output = scale / Math.sqrt(k);
        int p = 0;
        for (int i = 0; i < k * d + k; i++) {
            theta[p++] = hidden * (2 * random.nextDouble() - 1);
        }
        for (int i = 0; i <= k; i++) {
            theta[p++] = output * (2 * random.nextDouble() - 1);
        }
        return theta;
    }
}
