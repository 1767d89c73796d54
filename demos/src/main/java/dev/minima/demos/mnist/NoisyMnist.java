package dev.minima.demos.mnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.minima.autograd.NativeArrays;
import dev.minima.data.MnistArrays;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;

/**
 * Mulayoff &amp; Michaeli's (2020) denoising data (Sec. 6): clean MNIST pixels in [0, 1] as targets and clean + N(0, σ²) white
 * noise as inputs (σ = 1.25 in the paper). The noise is drawn once per image from a seed, so the training set
 * is a fixed finite set whose loss has minima. {@link #redrawnInputs} draws the noise of the first images afresh
 * (another seed), for training in which every epoch sees new noise.
 *
 * @param noisy inputs, image after image, {@code size × pixels}
 * @param clean targets, same layout
 * @param size number of images
 * @param pixels pixels per image (784)
 * @param sigma noise standard deviation
 */
public record NoisyMnist(float[] noisy, float[] clean, int size, int pixels, double sigma) {

    /**
     * Adds seeded Gaussian noise to clean images.
     *
     * @param images clean images (pixels in [0, 1])
     * @param sigma noise standard deviation (positive)
     * @param seed seed of the noise
     * @return the pairs
     * @throws IllegalArgumentException if sigma is not positive or the set is empty
     */
    public static NoisyMnist of(MnistArrays images, double sigma, long seed) {
        if (!(sigma >= 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("noise level sigma must be a finite number >= 0, got " + sigma);
        }
        if (images.size() == 0) {
            throw new IllegalArgumentException("no images to add noise to: ask for at least one image");
        }
        float[] clean = images.pixels().clone();
        float[] noisy = new float[clean.length];
        SplittableRandom random = new SplittableRandom(seed);
        double[] z = SeededRandom.gaussians(random, clean.length);
        for (int i = 0; i < clean.length; i++) {
            noisy[i] = (float) (clean[i] + sigma * z[i]);
        }
        return new NoisyMnist(noisy, clean, images.size(), images.pixelsPerImage(), sigma);
    }

    /**
     * Copies the arrays: the record is immutable.
     *
     * @param noisy inputs, image after image
     * @param clean targets, same layout
     * @param size number of images
     * @param pixels pixels per image
     * @param sigma noise standard deviation
     */
    public NoisyMnist {
        if (noisy.length != clean.length || noisy.length != (long) size * pixels) {
            throw new IllegalArgumentException(noisy.length + " noisy and " + clean.length + " clean values do not"
                    + " make " + size + " images of " + pixels + " pixels");
        }
        noisy = noisy.clone();
        clean = clean.clone();
    }

    /**
     * The first {@code n} clean images plus noise drawn afresh: clean + σ·z with z ~ N(0, I) from the given seed,
     * the same draw for the same seed.
     *
     * @param manager the manager of the result
     * @param dataType the data type
     * @param n images, from the first
     * @param noiseSeed seed of the noise
     * @return a libtorch-owned (n, pixels) array
     * @throws IllegalArgumentException if n is not in [1, size]
     */
    public NDArray redrawnInputs(NDManager manager, DataType dataType, int n, long noiseSeed) {
        if (n < 1 || n > size) {
            throw new IllegalArgumentException("asked for noise on " + n + " images, have " + size + ": ask for 1 to "
                    + size);
        }
        float[] out = new float[n * pixels];
        double[] z = SeededRandom.gaussians(new SplittableRandom(noiseSeed), out.length);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (clean[i] + sigma * z[i]);
        }
        return NativeArrays.of(manager, out, new Shape(n, pixels), dataType);
    }

    /** @return a copy of the noisy inputs */
    @Override
    public float[] noisy() {
        return noisy.clone();
    }

    /** @return a copy of the clean targets */
    @Override
    public float[] clean() {
        return clean.clone();
    }

    /**
     * @param manager the manager of the result
     * @param dataType the data type
     * @return the noisy inputs as a libtorch-owned (size, pixels) array
     */
    public NDArray inputs(NDManager manager, DataType dataType) {
        return NativeArrays.of(manager, noisy, new Shape(size, pixels), dataType);
    }

    /**
     * @param manager the manager of the result
     * @param dataType the data type
     * @return the clean targets as a libtorch-owned (size, pixels) array
     */
    public NDArray targets(NDManager manager, DataType dataType) {
        return NativeArrays.of(manager, clean, new Shape(size, pixels), dataType);
    }
}
