package dev.minima.landscape;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;

/**
 * Directions in parameter space for loss surfaces, as flat vectors in the order of a {@link ParameterSpace}.
 *
 * <p>Filter normalisation (Li et al. 2018, Sec. 4): a random Gaussian direction d is rescaled filter by filter,
 * d_{i,j} ← d_{i,j} · ‖θ_{i,j}‖ / ‖d_{i,j}‖, where θ_{i,j} is the j-th filter of parameter i, i.e. the j-th slice
 * along its first axis: a row (one output neuron) of a DJL {@code Linear} weight of shape (out, in), one output
 * channel of a convolution kernel. A unit of the slice coordinate then moves every filter by its own norm, which
 * removes the scale invariance of ReLU networks from the picture. Parameters with fewer than two axes (biases,
 * batch-norm scales) are set to zero by default, as in the authors' published code; {@link BiasMode#WEIGHTS}
 * copies the parameter itself into the direction instead (their alternative).
 */
public final class Directions {

    /** What a filter-normalised direction holds on parameters with fewer than two axes. */
    public enum BiasMode {
        /** Zero: biases stay where they are (the default of Li et al.'s code). */
        ZERO,
        /** The parameter's own values: the bias moves by its own norm per unit, like a filter. */
        WEIGHTS
    }

    private Directions() {}

    /**
     * @param space the parameter space
     * @param seed the seed
     * @return a standard Gaussian vector of the space's dimension
     */
    public static double[] gaussian(ParameterSpace space, long seed) {
        return SeededRandom.gaussians(new SplittableRandom(seed), Math.toIntExact(space.dimension()));
    }

    /**
     * A seeded random Gaussian direction, filter-normalised to the current parameters (Li et al. 2018).
     *
     * @param space the parameter space (its current values are the reference θ)
     * @param seed the seed
     * @param biasMode what the direction holds on parameters with fewer than two axes
     * @return the direction
     */
    public static double[] randomFilterNormalized(ParameterSpace space, long seed, BiasMode biasMode) {
        return filterNormalize(space, gaussian(space, seed), biasMode);
    }

    /**
     * Rescales each filter of a direction to the norm of the matching filter of the current parameters.
     *
     * @param space the parameter space (its current values are the reference θ)
     * @param direction a direction of the space's dimension (not modified)
     * @param biasMode what the result holds on parameters with fewer than two axes
     * @return the filter-normalised copy; a zero filter of d stays zero
     * @throws IllegalArgumentException if the direction has the wrong length
     */
    public static double[] filterNormalize(ParameterSpace space, double[] direction, BiasMode biasMode) {
        check(space, direction, "direction");
        double[] theta;
        try (NDManager m = NDManager.newBaseManager(space.device(), "PyTorch")) {
            theta = Vectors.toDoubles(space.values(m));
        }
        double[] d = direction.clone();
        for (int p = 0; p < space.parameters().size(); p++) {
            Shape shape = space.parameters().get(p).getArray().getShape();
            int start = Math.toIntExact(space.offset(p));
            int end = Math.toIntExact(space.offset(p + 1));
            if (shape.dimension() < 2) {
                for (int i = start; i < end; i++) {
                    d[i] = biasMode == BiasMode.ZERO ? 0 : theta[i];
                }
                continue;
            }
            long filters = shape.get(0);
            int length = Math.toIntExact((end - start) / filters);
            for (int f = 0; f < filters; f++) {
                int a = start + f * length;
                double dn = 0;
                double wn = 0;
                for (int i = a; i < a + length; i++) {
                    dn += d[i] * d[i];
                    wn += theta[i] * theta[i];
                }
                double scale = dn > 0 ? Math.sqrt(wn / dn) : 0;
                for (int i = a; i < a + length; i++) {
                    d[i] *= scale;
                }
            }
        }
        return d;
    }

    /**
     * @param top eigenpairs computed with their vectors kept ({@code Lanczos.builder().optKeepVectors(true)})
     * @param k how many, largest first
     * @return the first k unit eigenvectors
     * @throws IllegalArgumentException if fewer than k were computed or the vectors were not kept
     */
    public static double[][] eigenvectors(Eigenpairs top, int k) {
        if (k < 1 || k > top.size()) {
            throw new IllegalArgumentException("asked for " + k + " eigenvectors but " + top.size()
                    + " eigenpairs were computed: raise Lanczos.optTopK");
        }
        double[][] out = new double[k][];
        for (int i = 0; i < k; i++) {
            out[i] = top.vector(i);
            if (out[i] == null || out[i].length == 0) {
                throw new IllegalArgumentException("the eigenvectors were not kept: build Lanczos with"
                        + " optKeepVectors(true)");
            }
        }
        return out;
    }

    static void check(ParameterSpace space, double[] direction, String what) {
        if (direction == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        if (direction.length != space.dimension()) {
            throw new IllegalArgumentException(what + " has " + direction.length + " entries but the parameter space"
                    + " has " + space.dimension() + " (" + space.names() + "): give one entry per parameter scalar,"
                    + " in the order of ParameterSpace.of(block)");
        }
        for (double v : direction) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(what + " holds a non-finite entry " + v);
            }
        }
    }
}
