package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Small array helpers shared by the curvature code. */
final class NDArrays {

    private NDArrays() {}

    static NDArray concat(NDList arrays) {
        return ai.djl.ndarray.NDArrays.concat(arrays, 0);
    }
}
