package dev.minima.data;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import dev.minima.util.SeededRandom;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A DJL {@link Sampler.SubSampler} that visits every index once per epoch in a seeded random order.
 *
 * <p>DJL's {@code RandomSampler} draws from a global random source, so two runs differ unless the engine
 * seed is reset at exactly the same point. Here every call to {@link #sample} (one per epoch) draws a fresh
 * Fisher–Yates permutation from a {@link SplittableRandom} seeded once: epochs differ from each other, but
 * the whole sequence is the same on every run with the same seed.
 */
public final class SeededShuffle implements Sampler.SubSampler {

    private final SplittableRandom random;

    /**
     * @param seed the seed of the sequence of permutations
     */
    public SeededShuffle(long seed) {
        random = new SplittableRandom(seed);
    }

    /**
     * Draws the next epoch's order.
     *
     * @param dataset the dataset whose indices are visited
     * @return an iterator over a random permutation of {@code 0 .. size − 1}
     */
    @Override
    public synchronized Iterator<Long> sample(RandomAccessDataset dataset) {
        int n = Math.toIntExact(dataset.size());
        long[] order = permutation(n, random);
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public Long next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return order[next++];
            }
        };
    }

    /**
     * @param n the number of indices
     * @param random the source of randomness
     * @return a uniformly random permutation of {@code 0 .. n − 1} (Fisher–Yates)
     */
    static long[] permutation(int n, SplittableRandom random) {
        return Arrays.stream(SeededRandom.permutation(n, random)).asLongStream().toArray();
    }
}
