package dev.minima.curvature;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * D A D for a symmetric operator A and a diagonal D = diag(d): with d = P^{-1/2} this is P^{-1/2} H P^{-1/2},
 * symmetric and with the same spectrum as P⁻¹H (similar matrices).
 */
public final class ScaledOperator implements SymmetricOperator {

    private final SymmetricOperator inner;
    private final NDArray diagonal;

    /**
     * @param inner the operator A
     * @param diagonal d, a vector of the operator's dimension (kept by reference: keep it open while in use)
     */
    public ScaledOperator(SymmetricOperator inner, NDArray diagonal) {
        SymmetricOperator.checkVector(inner, diagonal);
        this.inner = inner;
        this.diagonal = diagonal;
    }

    @Override
    public long dimension() {
        return inner.dimension();
    }

    @Override
    public DataType dataType() {
        return inner.dataType();
    }

    @Override
    public Device device() {
        return inner.device();
    }

    @Override
    public NDArray apply(NDArray vector) {
        SymmetricOperator.checkVector(this, vector);
        NDManager target = vector.getManager();
        try (NDManager scope = target.newSubManager()) {
            NDArray scaled = vector.mul(diagonal);
            scaled.attach(scope);
            NDArray product = inner.apply(scaled);
            NDArray result = product.mul(diagonal);
            result.attach(target);
            return result;
        }
    }
}
