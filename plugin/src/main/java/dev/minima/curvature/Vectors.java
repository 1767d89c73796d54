package dev.minima.curvature;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.minima.autograd.NativeArrays;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;

/**
 * Operations on flat parameter-space vectors (1-D arrays) used by the estimators: inner products read back
 * as Java doubles, and seeded random draws that give the same numbers on every engine and device.
 */
public final class Vectors {

    private Vectors() {}

    /**
     * @param a a vector
     * @param b a vector of the same length
     * @return ⟨a, b⟩ in double precision
     */
    public static double dot(NDArray a, NDArray b) {
        try (NDArray d = a.dot(b)) {
            return scalar(d);
        }
    }

    /**
     * @param a a vector
     * @return ‖a‖₂
     */
    public static double norm(NDArray a) {
        return Math.sqrt(Math.max(0, dot(a, a)));
    }

    /**
     * @param a a scalar array of any floating type
     * @return its value as a double
     */
    public static double scalar(NDArray a) {
        if (a.getDataType() == DataType.FLOAT64) {
            return a.getDouble();
        }
        try (NDArray d = a.toType(DataType.FLOAT64, true)) {
            return d.getDouble();
        }
    }

    /**
     * A Rademacher vector (entries ±1 with equal probability).
     *
     * @param manager the manager of the result
     * @param n length
     * @param dataType data type
     * @param random the source of randomness
     * @return the vector, owned by libtorch
     */
    public static NDArray rademacher(NDManager manager, long n, DataType dataType, SplittableRandom random) {
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextBoolean() ? 1.0 : -1.0;
        }
        return NativeArrays.of(manager, v, new Shape(n), dataType);
    }

    /**
     * A standard Gaussian vector.
     *
     * @param manager the manager of the result
     * @param n length
     * @param dataType data type
     * @param random the source of randomness
     * @return the vector, owned by libtorch
     */
    public static NDArray gaussian(NDManager manager, long n, DataType dataType, SplittableRandom random) {
        return SeededRandom.gaussian(manager, new Shape(n), dataType, random);
    }

    /**
     * @param manager the manager of the result
     * @param values the entries
     * @param dataType data type
     * @return a vector owned by libtorch
     */
    public static NDArray of(NDManager manager, double[] values, DataType dataType) {
        return NativeArrays.of(manager, values, new Shape(values.length), dataType);
    }

    /**
     * @param v a vector
     * @return its entries as doubles
     */
    public static double[] toDoubles(NDArray v) {
        if (v.getDataType() == DataType.FLOAT64) {
            return v.toDoubleArray();
        }
        try (NDArray d = v.toType(DataType.FLOAT64, true)) {
            return d.toDoubleArray();
        }
    }

    /**
     * @param op an operator
     * @return a fresh manager on the operator's device for an estimator's scratch work
     */
    static NDManager scratch(SymmetricOperator op) {
        Device device = op.device();
        return NDManager.newBaseManager(device, "PyTorch");
    }
}
