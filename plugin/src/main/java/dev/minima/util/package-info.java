/**
 * Utilities shared by the library and the demos: {@code NativeMemory} reads the resident memory of the process
 * outside the Java heap (libtorch's and DJL's native allocations) on Linux; {@code SeededRandom} is the one
 * implementation of seeded shuffles, subsets and Gaussian draws (Fisher–Yates, Box–Muller) behind every
 * seed option; {@code Numerics} holds the median and the logarithmic grid.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: off the path. The benchmarks
 * and memory tests use {@code NativeMemory} to check that products and training steps leave no native memory
 * behind; data generators, estimators' random probes and the demos draw their randomness from
 * {@code SeededRandom}.
 *
 * <p><b>Reuses</b> the JDK ({@code /proc/self/smaps}, {@code java.util.random.RandomGenerator}) and
 * {@code dev.minima.autograd.NativeArrays} for Gaussian arrays.
 */
package dev.minima.util;
