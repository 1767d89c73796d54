package dev.minima.curvature;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * A symmetric linear operator on a flat parameter-space vector: the one abstraction every curvature
 * estimator in Minima consumes (Lanczos, power iteration, Hutchinson, Hutch++, stochastic Lanczos
 * quadrature). Implementations include the Hessian and the Gauss–Newton matrix of a DJL block and loss,
 * a dense matrix, a restriction to a subset of coordinates, and the deep-linear dual operator.
 *
 * <p>Vectors are 1-D {@link NDArray}s of length {@link #dimension()} in {@link #dataType()} on {@link
 * #device()}. {@link #apply(NDArray)} attaches its result to the manager of its argument, so a caller that
 * scopes its work in a sub-manager leaves nothing behind.
 */
public interface SymmetricOperator {

    /** @return the dimension n of the space the operator acts on */
    long dimension();

    /** @return the data type of the vectors the operator takes and returns */
    DataType dataType();

    /** @return the device the operator's vectors live on */
    Device device();

    /**
     * Multiplies a vector by the operator.
     *
     * @param vector a 1-D array of length {@link #dimension()}
     * @return the product, a new 1-D array attached to {@code vector}'s manager
     * @throws IllegalArgumentException if the vector has the wrong shape
     */
    NDArray apply(NDArray vector);

    /**
     * Whether the operator is a fixed matrix. An operator whose products draw random numbers (a Hessian of a
     * block with dropout in training mode, recomputed for every product) is not: estimators then cannot trust
     * their internal error bars and say so in their results.
     *
     * @return true unless products of the same vector can differ (default true)
     */
    default boolean isDeterministic() {
        return true;
    }

    /**
     * Checks that a vector fits this operator.
     *
     * @param op the operator
     * @param vector the vector
     * @throws IllegalArgumentException naming the expected and the actual shape
     */
    static void checkVector(SymmetricOperator op, NDArray vector) {
        if (vector.getShape().dimension() != 1 || vector.getShape().get(0) != op.dimension()) {
            throw new IllegalArgumentException(
                    "vector of shape " + vector.getShape() + " does not fit an operator of dimension "
                            + op.dimension() + ": pass a flat 1-D vector of length " + op.dimension());
        }
    }
}
