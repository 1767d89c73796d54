package dev.minima.curvature;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.minima.autograd.GradMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The parameters of a DJL block seen as one flat vector space: an ordered list of parameters with their
 * shapes and offsets, and conversions between a flat 1-D vector and the per-parameter arrays.
 *
 * <p>Flat vectors are what {@link SymmetricOperator}s and estimators work on; the order is the block's
 * {@code getParameters()} order, restricted to the parameters chosen at construction.
 *
 * <p>A space is <em>live</em> (its arrays are the block's own parameter arrays) or a <em>snapshot</em> ({@link
 * #snapshot(NDManager)}): copies of every parameter of the block taken at one moment, which an {@link Objective}
 * built over the snapshot feeds to the block in place of the live arrays. A snapshot can be measured on another
 * thread while training goes on updating the live arrays.
 */
public final class ParameterSpace {

    private final List<String> names;
    private final List<Parameter> parameters;
    private final long[] offsets;
    private final long dimension;
    private final DataType dataType;
    private final Device device;
    private final Block block;
    /** Snapshot copies of every parameter of the block (null for a live space). */
    private final Map<Parameter, NDArray> copies;

    private ParameterSpace(Block block, List<String> names, List<Parameter> parameters, Map<Parameter, NDArray> copies) {
        this.block = block;
        this.copies = copies;
        this.names = Collections.unmodifiableList(names);
        this.parameters = Collections.unmodifiableList(parameters);
        offsets = new long[parameters.size() + 1];
        DataType type = null;
        Device dev = null;
        for (int i = 0; i < parameters.size(); i++) {
            NDArray a = array(i);
            offsets[i + 1] = offsets[i] + a.size();
            if (type == null) {
                type = a.getDataType();
                dev = a.getDevice();
            } else if (type != a.getDataType() || !dev.equals(a.getDevice())) {
                throw new IllegalArgumentException("parameters must share one data type and device: '" + names.get(i)
                        + "' is " + a.getDataType() + " on " + a.getDevice() + ", the first is " + type + " on " + dev);
            }
        }
        dimension = offsets[parameters.size()];
        dataType = type;
        device = dev;
    }

    /**
     * The space of all trainable parameters of a block. Parameters whose arrays autograd does not track yet
     * (a model restored with {@code Model.load}) are marked for gradients, as DJL's {@code Trainer} does.
     *
     * @param block an initialised block
     * @return the space of all its parameters that require gradients
     * @throws IllegalArgumentException if the block has no initialised trainable parameters
     */
    public static ParameterSpace of(Block block) {
        return of(block, name -> true);
    }

    /**
     * @param block an initialised block
     * @param include which parameters (by the name in {@code block.getParameters()}) belong to the space
     * @return the space of the chosen parameters
     * @throws IllegalArgumentException if none is chosen or one is not initialised
     */
    public static ParameterSpace of(Block block, Predicate<String> include) {
        List<String> names = new ArrayList<>();
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter param = p.getValue();
            if (!include.test(p.getKey()) || !param.requiresGradient()) {
                continue;
            }
            if (!param.isInitialized()) {
                throw new IllegalArgumentException("parameter '" + p.getKey()
                        + "' is not initialised: call block.initialize(manager, dataType, inputShapes) first");
            }
            NDArray array = param.getArray();
            if (!array.hasGradient()) {
                // a block restored by Model.load has arrays that autograd does not track yet; DJL's Trainer
                // would attach gradients on its own, so do what it does
                array.setRequiresGradient(true);
            }
            names.add(p.getKey());
            params.add(param);
        }
        if (params.isEmpty()) {
            throw new IllegalArgumentException("block " + block.getClass().getSimpleName()
                    + " has no trainable parameters" + (block.getParameters().isEmpty() ? "" : " matching the filter")
                    + ": curvature needs at least one parameter that requires gradients");
        }
        return new ParameterSpace(block, names, params, null);
    }

    /**
     * A snapshot of this space: copies, on the same device and attached to {@code manager}, of the current
     * values of every parameter of the block (the differentiated ones marked for gradients, the others, e.g.
     * batch-norm running statistics, as plain copies). An {@link Objective} built over the snapshot evaluates the
     * block with these copies instead of the live arrays and differentiates with respect to them, so the live
     * parameters, their {@code .grad} and the optimizer are never touched and may change meanwhile. Call it where
     * nothing updates the parameters (in a training listener, before the step); the copies are taken without
     * autograd recording. Closing {@code manager} frees the snapshot.
     *
     * @param manager the manager owning the copies
     * @return the snapshot space, with the same names, order and dimension
     */
    public ParameterSpace snapshot(NDManager manager) {
        Map<Parameter, NDArray> out = new IdentityHashMap<>();
        try (GradMode off = GradMode.disabled()) {
            for (Pair<String, Parameter> p : block.getParameters()) {
                Parameter param = p.getValue();
                if (!param.isInitialized()) {
                    continue;
                }
                NDArray source = valueOf(param);
                NDArray c = source.duplicate(); // with recording off: a leaf with no graph back to the live array
                c.attach(manager);
                if (parameters.contains(param)) {
                    c.setRequiresGradient(true);
                }
                out.put(param, c);
            }
        }
        return new ParameterSpace(block, new ArrayList<>(names), new ArrayList<>(parameters), out);
    }

    /** @return whether this space holds snapshot copies rather than the block's live arrays */
    public boolean isSnapshot() {
        return copies != null;
    }

    /** @return the block whose parameters this space describes */
    public Block block() {
        return block;
    }

    /**
     * The array standing for a parameter: its snapshot copy in a snapshot space, its live array otherwise.
     *
     * @param parameter a parameter of the block
     * @return the array to use for it
     */
    public NDArray valueOf(Parameter parameter) {
        if (copies != null) {
            NDArray c = copies.get(parameter);
            if (c == null) {
                throw new IllegalArgumentException("parameter '" + parameter.getName() + "' is not in this snapshot"
                        + " (it was not initialised when the snapshot was taken)");
            }
            return c;
        }
        return parameter.getArray();
    }

    private NDArray array(int i) {
        return valueOf(parameters.get(i));
    }

    /** @return the dimension (total number of scalars) */
    public long dimension() {
        return dimension;
    }

    /** @return the parameters' data type */
    public DataType dataType() {
        return dataType;
    }

    /** @return the parameters' device */
    public Device device() {
        return device;
    }

    /** @return parameter names, in order */
    public List<String> names() {
        return names;
    }

    /** @return the parameters, in order */
    public List<Parameter> parameters() {
        return parameters;
    }

    /**
     * @param i parameter index
     * @return the offset of parameter i in a flat vector
     */
    public long offset(int i) {
        return offsets[i];
    }

    /** @return the arrays differentiated, in order: the live parameter arrays (not copies), or a snapshot's copies */
    public NDList arrays() {
        NDList list = new NDList(parameters.size());
        for (int i = 0; i < parameters.size(); i++) {
            list.add(array(i));
        }
        return list;
    }

    /**
     * Concatenates per-parameter arrays into one flat vector.
     *
     * @param parts one array per parameter, shaped like it
     * @return a flat vector attached to the first part's manager
     */
    public NDArray flatten(NDList parts) {
        if (parts.size() != parameters.size()) {
            throw new IllegalArgumentException("expected " + parameters.size() + " arrays, got " + parts.size());
        }
        NDList flat = new NDList(parts.size());
        for (NDArray a : parts) {
            flat.add(a.reshape(-1));
        }
        return flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat);
    }

    /**
     * Splits a flat vector into per-parameter arrays (views where the engine allows).
     *
     * @param flat a vector of length {@link #dimension()}
     * @return arrays shaped like the parameters, attached to the vector's manager
     */
    public NDList unflatten(NDArray flat) {
        if (flat.getShape().dimension() != 1 || flat.size() != dimension) {
            throw new IllegalArgumentException("vector of shape " + flat.getShape()
                    + " does not fit a parameter space of dimension " + dimension);
        }
        NDList out = new NDList(parameters.size());
        if (parameters.size() == 1) {
            out.add(flat.reshape(array(0).getShape()));
            return out;
        }
        long[] cuts = new long[parameters.size() - 1];
        System.arraycopy(offsets, 1, cuts, 0, cuts.length);
        NDList pieces = flat.split(cuts);
        for (int i = 0; i < parameters.size(); i++) {
            Shape s = array(i).getShape();
            out.add(pieces.get(i).reshape(s));
        }
        return out;
    }

    /**
     * @param manager the manager of the copy
     * @return a flat copy of the parameters' current values
     */
    public NDArray values(NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            NDList copies = new NDList(parameters.size());
            for (int i = 0; i < parameters.size(); i++) {
                NDArray c = array(i).stopGradient();
                c.attach(scope);
                copies.add(c);
            }
            NDArray flat = flatten(copies).duplicate();
            flat.attach(manager);
            return flat;
        }
    }

    /**
     * Overwrites the parameters in place with the values of a flat vector (an exact copy; autograd is not
     * recorded).
     *
     * @param flat a vector of length {@link #dimension()}
     */
    public void assign(NDArray flat) {
        try (NDManager scope = flat.getManager().newSubManager();
                GradMode off = GradMode.disabled()) {
            NDList parts = unflatten(flat);
            parts.attach(scope);
            for (int i = 0; i < parameters.size(); i++) {
                array(i).set(new NDIndex("..."), parts.get(i));
            }
        }
    }

    /**
     * Checks that every parameter is finite.
     *
     * @return the name of the first parameter holding NaN or infinity, or null if all are finite
     */
    public String firstNonFinite() {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray a = array(i);
            try (NDArray bad = a.isNaN().logicalOr(a.isInfinite()).any()) {
                if (bad.getBoolean()) {
                    return names.get(i);
                }
            }
        }
        return null;
    }
}
