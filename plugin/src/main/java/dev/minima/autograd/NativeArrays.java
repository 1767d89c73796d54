package dev.minima.autograd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays whose memory belongs to libtorch, never to a Java buffer.
 *
 * <p>DJL's PyTorch engine creates arrays from Java data with {@code torch::from_blob} over a direct
 * {@code ByteBuffer}: when autograd saves such an array and the Java object is collected, the backward pass
 * reads freed memory and returns silently wrong gradients (see the README, "GC-safe losses"). Every
 * constant or Java-made array that can enter a differentiated graph in Minima goes through this class,
 * which copies the data into libtorch-owned memory at once.
 */
public final class NativeArrays {

    private NativeArrays() {}

    /**
     * @param manager the manager (and device) of the result
     * @param value the value, kept in full double precision for float64
     * @param dataType the data type
     * @return a scalar array owned by libtorch
     */
    public static NDArray scalar(NDManager manager, double value, DataType dataType) {
        try (NDArray javaBacked = manager.create(value)) {
            return ownedCopy(javaBacked, dataType);
        }
    }

    /**
     * @param manager the manager (and device) of the result
     * @param values the values
     * @param shape the shape
     * @param dataType the data type
     * @return an array owned by libtorch
     */
    public static NDArray of(NDManager manager, double[] values, Shape shape, DataType dataType) {
        try (NDArray javaBacked = manager.create(values, shape)) {
            return ownedCopy(javaBacked, dataType);
        }
    }

    /**
     * @param manager the manager (and device) of the result
     * @param values the values
     * @param shape the shape
     * @param dataType the data type
     * @return an array owned by libtorch
     */
    public static NDArray of(NDManager manager, float[] values, Shape shape, DataType dataType) {
        try (NDArray javaBacked = manager.create(values, shape)) {
            return ownedCopy(javaBacked, dataType);
        }
    }

    /** clone() always copies into libtorch memory; toType alone may return a view of the Java buffer. */
    private static NDArray ownedCopy(NDArray javaBacked, DataType dataType) {
        NDArray typed = javaBacked.toType(dataType, false);
        NDArray copy = typed.duplicate();
        if (typed != javaBacked) {
            typed.close();
        }
        return copy;
    }

    /**
     * Copies every array of a list into a manager. A forward pass attaches its intermediates to its first
     * input's manager, so running it on copies in a short-lived scope frees everything it makes with the scope.
     *
     * @param arrays the arrays (unchanged)
     * @param manager the manager of the copies
     * @return the copies, in order
     */
    public static NDList copyInto(NDList arrays, NDManager manager) {
        NDList out = new NDList(arrays.size());
        for (NDArray a : arrays) {
            NDArray c = a.duplicate();
            c.attach(manager);
            out.add(c);
        }
        return out;
    }
}
