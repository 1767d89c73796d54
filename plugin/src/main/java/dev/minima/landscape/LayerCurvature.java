package dev.minima.landscape;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.util.ProgressBar;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.Hutchinson;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.RestrictedOperator;
import dev.minima.curvature.SymmetricOperator;
import dev.minima.curvature.TraceEstimate;
import dev.minima.curvature.Vectors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Per-layer curvature: λ_max (Lanczos) and the trace of the diagonal Hessian block PᵀHP of each parameter, or of
 * each named group of parameters, through {@link RestrictedOperator}. The trace is exact (a sum of unit-vector
 * quadratic forms) when the block has at most as many coordinates as Hutchinson samples, otherwise Hutchinson's
 * estimate with its standard error. The blocks' traces add up to tr(H); their λ_max bound λ_max(H) from below.
 *
 * <pre>{@code
 * LayerCurvatureTable table = LayerCurvature.builder().optTraceSamples(30).build().run(hessian, objective.space());
 * table.writeCsv(Path.of("layers.csv"));
 * }</pre>
 */
public final class LayerCurvature {

    private final Map<String, Predicate<String>> groups;
    private final int lanczosIterations;
    private final double tolerance;
    private final int traceSamples;
    private final long seed;
    private final boolean progress;

    private LayerCurvature(Builder b) {
        this.groups = b.groups;
        this.lanczosIterations = b.lanczosIterations;
        this.tolerance = b.tolerance;
        this.traceSamples = b.traceSamples;
        this.seed = b.seed;
        this.progress = b.progress;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param operator the Hessian (or any operator) on the whole parameter space
     * @param space the parameter space the operator acts on, for the parameters' names and offsets
     * @return one row per parameter or group, in order
     * @throws IllegalArgumentException if the operator and space differ in dimension or a group matches nothing
     */
    public LayerCurvatureTable run(SymmetricOperator operator, ParameterSpace space) {
        if (operator.dimension() != space.dimension()) {
            throw new IllegalArgumentException("the operator has dimension " + operator.dimension()
                    + " but the parameter space " + space.dimension() + ": pass the space the operator was built on");
        }
        Map<String, Predicate<String>> g = groups;
        if (g == null) {
            g = new LinkedHashMap<>();
            for (String name : space.names()) {
                g.put(name, name::equals);
            }
        }
        List<LayerCurvatureTable.Row> rows = new ArrayList<>();
        ProgressBar bar = progress ? new ProgressBar("Per-layer curvature", g.size()) : null;
        if (bar != null) {
            bar.start(0);
        }
        for (Map.Entry<String, Predicate<String>> e : g.entrySet()) {
            RestrictedOperator block = RestrictedOperator.of(operator, RestrictedOperator.ranges(space, e.getValue()));
            Eigenpairs top = Lanczos.builder().optMaxIterations(lanczosIterations).optTolerance(tolerance)
                    .optSeed(seed).optKeepVectors(false).build().run(block);
            TraceEstimate trace = block.dimension() <= traceSamples ? exactTrace(block)
                    : Hutchinson.builder().optSamples(traceSamples).optSeed(seed + 1).build().run(block);
            rows.add(new LayerCurvatureTable.Row(e.getKey(), block.dimension(), top.max(), top.residual(0),
                    trace.value(), trace.standardError(), block.dimension() <= traceSamples,
                    top.products() + trace.products()));
            if (bar != null) {
                bar.update(rows.size());
            }
        }
        if (bar != null) {
            bar.end();
        }
        return new LayerCurvatureTable(rows);
    }

    private static TraceEstimate exactTrace(SymmetricOperator op) {
        int n = Math.toIntExact(op.dimension());
        double sum = 0;
        try (NDManager m = NDManager.newBaseManager(op.device(), "PyTorch")) {
            for (int i = 0; i < n; i++) {
                try (NDManager scope = m.newSubManager()) {
                    double[] e = new double[n];
                    e[i] = 1;
                    NDArray v = Vectors.of(scope, e, op.dataType());
                    sum += Vectors.toDoubles(op.apply(v))[i];
                }
            }
        }
        return new TraceEstimate(sum, 0, n, n);
    }

    /** Builder of {@link LayerCurvature}. */
    public static final class Builder {
        private Map<String, Predicate<String>> groups;
        private int lanczosIterations = 40;
        private double tolerance = 1e-3;
        private int traceSamples = 30;
        private long seed;
        private boolean progress;

        private Builder() {}

        /**
         * @param groups named groups of parameters (e.g. "layer 1" → names starting with "01"), in table order;
         *     default one row per parameter
         * @return this builder
         */
        public Builder optGroups(Map<String, Predicate<String>> groups) {
            this.groups = new LinkedHashMap<>(Objects.requireNonNull(groups, "groups"));
            return this;
        }

        /**
         * @param iterations most Lanczos products per block (default 40)
         * @return this builder
         */
        public Builder optLanczosIterations(int iterations) {
            this.lanczosIterations = iterations;
            return this;
        }

        /**
         * @param tolerance Lanczos relative residual tolerance (default 1e-3)
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /**
         * @param samples Hutchinson probes per block (default 30); blocks this small or smaller get the exact trace
         * @return this builder
         */
        public Builder optTraceSamples(int samples) {
            this.traceSamples = samples;
            return this;
        }

        /**
         * @param seed seed of Lanczos' start and Hutchinson's probes (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param progress show a DJL progress bar over the blocks (default false)
         * @return this builder
         */
        public Builder optProgressBar(boolean progress) {
            this.progress = progress;
            return this;
        }

        /**
         * @return the estimator
         * @throws IllegalArgumentException if the iterations or samples are below 2, or the groups are empty
         */
        public LayerCurvature build() {
            if (lanczosIterations < 2 || traceSamples < 2) {
                throw new IllegalArgumentException("need at least 2 Lanczos iterations and 2 trace samples, got "
                        + lanczosIterations + " and " + traceSamples);
            }
            if (groups != null && groups.isEmpty()) {
                throw new IllegalArgumentException("no groups given: leave optGroups out for one row per parameter");
            }
            return new LayerCurvature(this);
        }
    }
}
