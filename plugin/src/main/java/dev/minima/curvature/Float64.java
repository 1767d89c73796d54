package dev.minima.curvature;

import ai.djl.Model;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Converts a DJL model or block to float64 in place, for exact curvature work (finite differences, small
 * eigenvalues, comparisons with closed forms), since DJL's {@code Block.cast} is not implemented for its
 * built-in blocks. Every initialised parameter (weights and biases, and also batch-norm running statistics)
 * gets a float64 copy of its values; the float32 arrays are closed. Feed the block float64 inputs afterwards.
 *
 * <pre>{@code
 * Float64.convert(model);   // or Float64.convert(block)
 * }</pre>
 */
public final class Float64 {

    private Float64() {}

    /**
     * Converts a model's block and data type to float64.
     *
     * @param model a model whose block is initialised
     * @return the model
     */
    public static Model convert(Model model) {
        convert(model.getBlock());
        model.setDataType(DataType.FLOAT64);
        return model;
    }

    /**
     * Converts every initialised parameter of a block to float64, in place; parameters already in float64 are
     * left alone.
     *
     * @param block an initialised block
     * @return the block
     * @throws IllegalArgumentException if the block has no initialised parameter
     */
    public static Block convert(Block block) {
        int initialised = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter param = p.getValue();
            if (!param.isInitialized()) {
                continue;
            }
            initialised++;
            NDArray old = param.getArray();
            if (old.getDataType() == DataType.FLOAT64) {
                continue;
            }
            try (NDArray wide = old.toType(DataType.FLOAT64, true)) {
                // Parameter.setArray refuses an initialised parameter; Parameter.load (DJL's own way of
                // restoring a saved model) replaces the array
                param.load(old.getManager(), new DataInputStream(new ByteArrayInputStream(encode(param, wide))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (MalformedModelException e) {
                throw new IllegalStateException("could not convert parameter '" + p.getKey() + "': " + e.getMessage(), e);
            }
            NDArray now = param.getArray();
            now.setName(param.getName());
            if (param.requiresGradient()) {
                now.setRequiresGradient(true);
            }
            old.close();
        }
        if (initialised == 0) {
            throw new IllegalArgumentException("block " + block.getClass().getSimpleName() + " has no initialised"
                    + " parameter: call block.initialize(manager, DataType.FLOAT32, inputShape) first");
        }
        return block;
    }

    /** The layout {@link Parameter#load} reads: 'P', version 1, the name, the encoded array. */
    private static byte[] encode(Parameter param, NDArray array) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeChar('P');
            out.writeByte(1);
            out.writeUTF(param.getName());
            out.write(array.encode());
        }
        return bytes.toByteArray();
    }
}
