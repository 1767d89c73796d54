package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The diagonal preconditioner P of an adaptive optimiser, whose update is θ ← θ − η P⁻¹ m. For such
 * optimisers the quantity that equilibrates at the edge of stability is the preconditioned sharpness
 * λ_max(P⁻¹H), not λ_max(H) (Cohen et al. 2022, "Adaptive gradient methods at the edge of stability").
 * The monitor computes it as λ_max(P^{-1/2} H P^{-1/2}), a symmetric operator with the same spectrum.
 */
public interface Preconditioner {

    /**
     * The diagonal of P^{-1/2} for the update about to be applied, as a flat parameter-space vector.
     *
     * @param space the parameters, in the order of the flat vector
     * @param manager the manager of the result
     * @return a 1-D array of length {@code space.dimension()}, positive and finite
     */
    NDArray inverseSqrtDiagonal(ParameterSpace space, NDManager manager);

    /**
     * The largest λ_max(P⁻¹H) for which the optimiser's update is linearly stable on a quadratic.
     *
     * @param eta the learning rate
     * @return the threshold, e.g. (2 + 2β₁)/((1 − β₁)η) for Adam
     */
    double threshold(double eta);
}
