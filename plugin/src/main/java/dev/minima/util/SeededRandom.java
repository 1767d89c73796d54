package dev.minima.util;

import java.util.random.RandomGenerator;

/**
 * Seeded Gaussian sampling, written once for the library and the demos.
 *
 * <p>Every method draws from the generator it is given (usually a {@link java.util.SplittableRandom} made
 * from a seed option) and nothing else, so the same seed gives the same numbers on every run and platform.
 * The draw order is part of the contract and does not change: {@link #gaussian(RandomGenerator)} is
 * Box–Muller (Box &amp; Muller 1958) from two uniforms u₁ = 1 − U, u₂ = U′, returning √(−2 ln u₁) cos 2πu₂
 * (one normal per two uniforms).
 */
public final class SeededRandom {

    private SeededRandom() {}

    /**
     * One standard normal number by Box–Muller (cosine branch; two uniforms per number).
     *
     * @param random the source of randomness
     * @return a draw from N(0, 1)
     */
    public static double gaussian(RandomGenerator random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
