package dev.minima.curvature;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Predicate;

/**
 * The principal sub-block PᵀAP of a symmetric operator A on a subset of coordinates, P = [e_{i₁} … e_{i_k}]:
 * e.g. the Hessian block of one layer's weights. Each product embeds the k-vector in the full space with
 * zeros, applies A once and reads back the chosen coordinates.
 *
 * <p>Coordinates keep the order given (any order, no repeats), so the result's i-th coordinate is the
 * original coordinate {@code indices()[i]}. {@link #ranges(ParameterSpace, Predicate)} gives the index
 * ranges of named parameters of a {@link ParameterSpace}.
 *
 * <pre>{@code
 * List<Range> firstLayer = RestrictedOperator.ranges(h.objective().space(), n -> n.startsWith("01"));
 * Eigenpairs top = Lanczos.builder().build().run(RestrictedOperator.of(h, firstLayer));
 * }</pre>
 *
 * <p>To differentiate only some parameters in the first place (cheaper), build the objective with {@code
 * ParameterSpace.of(block, filter)} instead: the Hessian of that space is the same sub-block.
 */
public final class RestrictedOperator implements SymmetricOperator {

    /**
     * A half-open range of flat coordinates [start, end).
     *
     * @param start first coordinate
     * @param end one past the last coordinate
     */
    public record Range(long start, long end) {
        /**
         * Validates the range.
         *
         * @param start first coordinate, ≥ 0
         * @param end one past the last coordinate, ≥ start
         */
        public Range {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("invalid range [" + start + ", " + end + "): need 0 ≤ start ≤ end");
            }
        }

        /** @return end − start */
        public long length() {
            return end - start;
        }
    }

    private final SymmetricOperator operator;
    private final long[] indices;

    private RestrictedOperator(SymmetricOperator operator, long[] indices) {
        this.operator = operator;
        this.indices = indices;
    }

    /**
     * @param operator the full operator A
     * @param indices the coordinates to keep, distinct, each in [0, A.dimension())
     * @return PᵀAP on those coordinates, in the given order
     * @throws IllegalArgumentException if an index is repeated, out of range, or none is given
     */
    public static RestrictedOperator of(SymmetricOperator operator, long[] indices) {
        long n = operator.dimension();
        if (indices.length == 0) {
            throw new IllegalArgumentException("no coordinates given: a restriction needs at least one index");
        }
        BitSet seen = new BitSet();
        for (long i : indices) {
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException(
                        "index " + i + " is outside the operator's coordinates [0, " + n + ")");
            }
            if (seen.get(Math.toIntExact(i))) {
                throw new IllegalArgumentException("index " + i
                        + " is repeated: a principal sub-block needs distinct coordinates");
            }
            seen.set(Math.toIntExact(i));
        }
        return new RestrictedOperator(operator, indices.clone());
    }

    /**
     * @param operator the full operator A
     * @param ranges disjoint coordinate ranges
     * @return PᵀAP on the coordinates of the ranges, in order
     * @throws IllegalArgumentException if the ranges overlap, leave the operator's coordinates, or are empty
     */
    public static RestrictedOperator of(SymmetricOperator operator, List<Range> ranges) {
        long total = 0;
        for (Range r : ranges) {
            total += r.length();
        }
        long[] idx = new long[Math.toIntExact(total)];
        int k = 0;
        for (Range r : ranges) {
            for (long i = r.start(); i < r.end(); i++) {
                idx[k++] = i;
            }
        }
        return of(operator, idx);
    }

    /**
     * The flat coordinate ranges of the parameters whose names match, in the space's order.
     *
     * @param space a parameter space
     * @param names which parameter names to include
     * @return one range per matching parameter
     * @throws IllegalArgumentException if no parameter matches, listing the names there are
     */
    public static List<Range> ranges(ParameterSpace space, Predicate<String> names) {
        List<Range> out = new ArrayList<>();
        for (int i = 0; i < space.names().size(); i++) {
            if (names.test(space.names().get(i))) {
                out.add(new Range(space.offset(i), space.offset(i + 1)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no parameter matches; the space has " + space.names());
        }
        return out;
    }

    /** @return a copy of the kept coordinates, in order */
    public long[] indices() {
        return indices.clone();
    }

    /** @return the full operator */
    public SymmetricOperator operator() {
        return operator;
    }

    @Override
    public boolean isDeterministic() {
        return operator.isDeterministic();
    }

    @Override
    public long dimension() {
        return indices.length;
    }

    @Override
    public DataType dataType() {
        return operator.dataType();
    }

    @Override
    public Device device() {
        return operator.device();
    }

    @Override
    public NDArray apply(NDArray vector) {
        SymmetricOperator.checkVector(this, vector);
        NDManager target = vector.getManager();
        try (NDManager scope = target.newSubManager()) {
            NDArray idx = scope.create(indices); // an index only, never in a differentiated graph
            NDArray v = vector.toType(dataType(), false);
            NDArray full = scope.zeros(new Shape(operator.dimension()), dataType()).scatter(idx, v, 0);
            NDArray w = operator.apply(full);
            NDArray r = w.gather(idx, 0);
            r.attach(target);
            if (v != vector) {
                v.attach(scope);
            }
            return r;
        }
    }
}
