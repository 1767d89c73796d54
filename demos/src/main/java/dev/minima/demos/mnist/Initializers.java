package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.util.SeededRandom;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded initialisations of a stack of DJL {@code Linear} layers, written into the parameters with {@link
 * ParameterSpace#assign} so that the numbers depend only on the seed (not on libtorch's generator).
 *
 * <p>Parameters are taken in the block's order; a 2-D array is a weight of shape (out, in), a 1-D array the
 * bias of the weight before it.
 */
public final class Initializers {

    /** How the weights are drawn. */
    public enum Scheme {
        /** He et al. (2015): W ~ N(0, 2/fan_in), b = 0 (Mulayoff &amp; Michaeli 2020, Fig. 5 and, we take it, Fig. 6). */
        HE,
        /** W = I, b = 0 (Mulayoff &amp; Michaeli 2020, Lemma 1 and Fig. 4: a linear ResNet with zero initialisation). */
        IDENTITY,
        /** PyTorch's {@code nn.Linear} default: W, b ~ U(−1/√fan_in, 1/√fan_in) (Nacson et al.'s (2023) "standard"). */
        TORCH_DEFAULT
    }

    private Initializers() {}

    /**
     * Overwrites every parameter of the space.
     *
     * @param space the parameters of a stack of Linear layers
     * @param scheme how to draw them
     * @param scale a factor applied to every weight and bias (Nacson et al. (2023) use ×10 of the standard scale)
     * @param seed the seed
     * @throws IllegalArgumentException if the identity is asked of a non-square weight or a bias comes first
     */
    public static void apply(ParameterSpace space, Scheme scheme, double scale, long seed) {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("initialisation scale must be positive and finite, got " + scale);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] flat = new double[Math.toIntExact(space.dimension())];
        List<String> names = space.names();
        long fanIn = -1;
        for (int i = 0; i < names.size(); i++) {
            Shape shape = space.parameters().get(i).getArray().getShape();
            int offset = (int) space.offset(i);
            int size = (int) shape.size();
            if (shape.dimension() == 2) {
                long out = shape.get(0);
                fanIn = shape.get(1);
                fillWeight(flat, offset, out, fanIn, scheme, scale, random, names.get(i));
            } else if (shape.dimension() == 1) {
                if (fanIn < 0) {
                    throw new IllegalArgumentException("parameter '" + names.get(i)
                            + "' is a bias with no weight before it: pass a stack of Linear layers");
                }
                if (scheme == Scheme.TORCH_DEFAULT) {
                    double bound = scale / Math.sqrt(fanIn);
                    for (int j = 0; j < size; j++) {
                        flat[offset + j] = bound * (2 * random.nextDouble() - 1);
                    }
                } // HE and IDENTITY: zero biases
            } else {
                throw new IllegalArgumentException("parameter '" + names.get(i) + "' has shape " + shape
                        + "; only Linear weights (2-D) and biases (1-D) can be initialised here");
            }
        }
        try (NDManager scope = NDManager.newBaseManager(space.device(), "PyTorch")) {
            NDArray values = Vectors.of(scope, flat, space.dataType());
            space.assign(values);
        }
    }

    private static void fillWeight(double[] flat, int offset, long out, long in, Scheme scheme, double scale,
            SplittableRandom random, String name) {
        int n = (int) (out * in);
        switch (scheme) {
            case HE:
                double sd = scale * Math.sqrt(2.0 / in);
                for (int j = 0; j < n; j++) {
                    flat[offset + j] = sd * SeededRandom.gaussian(random);
                }
                break;
            case IDENTITY:
                if (out != in) {
                    throw new IllegalArgumentException("identity initialisation needs square weights, '" + name
                            + "' is " + out + " x " + in + ": use HE or make every layer as wide as the input");
                }
                for (int r = 0; r < out; r++) {
                    flat[offset + (int) (r * in + r)] = scale;
                }
                break;
            default:
                double bound = scale / Math.sqrt(in);
                for (int j = 0; j < n; j++) {
                    flat[offset + j] = bound * (2 * random.nextDouble() - 1);
                }
        }
    }
}
