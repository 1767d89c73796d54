package dev.minima.linear;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;
import dev.minima.autograd.NativeArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Largest intermediate gains max_x ‖h_k(x)‖/‖x‖ of any DJL {@link SequentialBlock}, by gradient ascent on the
 * input from many random starts, as in Mulayoff &amp; Michaeli's (2020) denoising experiments (Sec. 6, Fig. 6: 100 starts,
 * the maximum over runs). h_k is the output of the block's first children up to cut point k.
 *
 * <p>The search runs on the sphere ‖x‖ = ρ ({@link Builder#optRadius}): for a linear or bias-free ReLU network
 * the gain does not depend on ρ, with biases it does. Each start follows Riemannian gradient ascent of
 * ‖h_k(x)‖²: a geodesic step of angle θ along the tangent part of ∇_x (from {@link AutogradBridge}), accepted
 * only if the objective does not decrease; θ grows by 1.5 after an accepted step and halves after a rejected
 * one, and a start stops when the tangent gradient is small ({@link Builder#optTolerance}) or θ falls below
 * 10⁻⁹ rad. For a linear map a step of the right angle is exactly a
 * power-iteration step, so the gains converge to σ_max(W_k ⋯ W_1). All starts run as one batch (the block must
 * treat the rows of a batch independently, as it does in inference mode).
 *
 * <p>Default cut points: each child with parameters starts a new layer and the parameter-free children after it
 * (activations) belong to it, so [Linear, relu, Linear, relu, Linear] has cut points 2, 4, 5.
 *
 * <pre>{@code
 * GainProfile gains = GainAscent.builder().optStarts(100).optSeed(0).build().run(block, new Shape(784));
 * }</pre>
 */
public final class GainAscent {

    private static final Logger logger = LoggerFactory.getLogger(GainAscent.class);
    private static final double MIN_ANGLE = 1e-9;

    private final int starts;
    private final int maxIterations;
    private final double radius;
    private final long seed;
    private final int[] cutPoints;
    private final double tolerance;
    /** Test hook run between each forward pass and its backward pass (e.g. System.gc()). */
    Runnable betweenForwardAndBackward = () -> {};

    private GainAscent(Builder b) {
        this.starts = b.starts;
        this.maxIterations = b.maxIterations;
        this.radius = b.radius;
        this.seed = b.seed;
        this.cutPoints = b.cutPoints;
        this.tolerance = b.tolerance;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Measures the gains.
     *
     * @param block an initialised block ({@link SequentialBlock}; any other block is one single layer)
     * @param exampleShape the shape of one input example, without the batch axis (e.g. (784))
     * @return the gains per cut point
     * @throws IllegalArgumentException if a cut point is out of range or the block has no parameters
     */
    public GainProfile run(Block block, Shape exampleShape) {
        List<Block> children = children(block);
        int[] cuts = cutPoints != null ? cutPoints.clone() : defaultCuts(children);
        for (int i = 0; i < cuts.length; i++) {
            if (cuts[i] < 1 || cuts[i] > children.size() || (i > 0 && cuts[i] <= cuts[i - 1])) {
                throw new IllegalArgumentException("cut point " + cuts[i] + " is invalid: cut points count children "
                        + "of the block, increasing, between 1 and " + children.size());
            }
        }
        Parameter first = firstParameter(block);
        DataType type = first.getArray().getDataType();
        Device device = first.getArray().getDevice();
        int dim = Math.toIntExact(exampleShape.size());
        double[] maxGains = new double[cuts.length];
        int[] its = new int[cuts.length];
        double[] best = null;
        try (NDManager base = NDManager.newBaseManager(device, "PyTorch")) {
            ParameterStore store = new ParameterStore(base, false);
            SplittableRandom random = new SplittableRandom(seed);
            for (int c = 0; c < cuts.length; c++) {
                double[][] x = randomStarts(random, dim);
                Ascent a = ascend(children.subList(0, cuts[c]), store, base, x, exampleShape, type);
                maxGains[c] = Math.sqrt(a.best) / radius;
                its[c] = a.iterations;
                best = a.bestRow;
                logger.debug("gain ascent: cut {} (children 1..{}) gain {} after {} iterations", c + 1, cuts[c],
                        maxGains[c], a.iterations);
            }
            double[] top = new double[cuts.length];
            for (int c = 0; c < cuts.length; c++) {
                try (NDManager scope = base.newSubManager()) {
                    NDArray in = input(scope, new double[][] {best}, exampleShape, type);
                    top[c] = Math.sqrt(values(children.subList(0, cuts[c]), store, in)[0]) / radius;
                }
            }
            return new GainProfile(cuts, maxGains, top, best, radius, starts, its);
        }
    }

    private record Ascent(double best, double[] bestRow, int iterations) {}

    private Ascent ascend(List<Block> layers, ParameterStore store, NDManager base, double[][] x, Shape example,
            DataType type) {
        int n = x.length;
        double[] f = new double[n];
        double[][] g = new double[n][];
        double[] theta = new double[n];
        boolean[] done = new boolean[n];
        java.util.Arrays.fill(theta, 0.5);
        boolean needGradient = true;
        int it = 0;
        for (; it < maxIterations; it++) {
            if (needGradient) {
                valueAndGradient(layers, store, base, x, example, type, f, g);
            }
            double[][] cand = new double[n][];
            boolean any = false;
            for (int r = 0; r < n; r++) {
                double[] t = tangent(g[r], x[r]);
                double tn = Dense.norm(t);
                if (done[r] || !(tn > tolerance * Dense.norm(g[r])) || theta[r] < MIN_ANGLE) {
                    done[r] = true;
                    cand[r] = x[r];
                    continue;
                }
                any = true;
                double cos = Math.cos(theta[r]);
                double sin = Math.sin(theta[r]);
                cand[r] = new double[x[r].length];
                for (int i = 0; i < t.length; i++) {
                    cand[r][i] = cos * x[r][i] + sin * radius * t[i] / tn;
                }
                // renormalise so rounding never lets the iterate drift off the sphere (the gain assumes ‖x‖ = ρ)
                double scale = radius / Dense.norm(cand[r]);
                for (int i = 0; i < t.length; i++) {
                    cand[r][i] *= scale;
                }
            }
            if (!any) {
                break;
            }
            double[] fc;
            try (NDManager scope = base.newSubManager()) {
                fc = values(layers, store, input(scope, cand, example, type));
            }
            needGradient = false;
            for (int r = 0; r < n; r++) {
                if (done[r]) {
                    continue;
                }
                if (fc[r] >= f[r]) {
                    x[r] = cand[r];
                    theta[r] = Math.min(1.5 * theta[r], Math.PI / 2);
                    needGradient = true;
                } else {
                    theta[r] /= 2;
                }
            }
        }
        if (needGradient) {
            valueAndGradient(layers, store, base, x, example, type, f, g);
        }
        int arg = 0;
        for (int r = 1; r < n; r++) {
            if (f[r] > f[arg]) {
                arg = r;
            }
        }
        return new Ascent(f[arg], x[arg].clone(), it);
    }

    /** The tangent part of g at x on the sphere of radius ρ. */
    private double[] tangent(double[] g, double[] x) {
        double c = Dense.dot(g, x) / (radius * radius);
        double[] t = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            t[i] = g[i] - c * x[i];
        }
        return t;
    }

    /** f_r = ‖h(x_r)‖² and ∇_x f_r for every row, by one forward and one backward pass. */
    void valueAndGradient(List<Block> layers, ParameterStore store, NDManager base, double[][] x, Shape example,
            DataType type, double[] f, double[][] g) {
        try (NDManager scope = base.newSubManager()) {
            NDArray in = input(scope, x, example, type);
            in.setRequiresGradient(true);
            NDArray perRow;
            NDArray total;
            try (GradMode on = GradMode.enabled()) {
                NDArray h = forward(layers, store, in).reshape(x.length, -1);
                perRow = h.mul(h).sum(new int[] {1}); // never pow(2): a Java-number operand is a GC hazard
                total = perRow.sum();
            }
            betweenForwardAndBackward.run();
            NDArray grad = AutogradBridge.on(in.getDevice()).gradient(total, new NDList(in), false, scope).get(0);
            double[] fv = toDoubles(perRow);
            double[] gv = toDoubles(grad);
            int d = x[0].length;
            for (int r = 0; r < x.length; r++) {
                f[r] = fv[r];
                g[r] = new double[d];
                System.arraycopy(gv, r * d, g[r], 0, d);
            }
        }
    }

    private double[] values(List<Block> layers, ParameterStore store, NDArray in) {
        try (GradMode off = GradMode.disabled()) {
            NDArray h = forward(layers, store, in).reshape(in.getShape().get(0), -1);
            return toDoubles(h.mul(h).sum(new int[] {1}));
        }
    }

    private static NDArray forward(List<Block> layers, ParameterStore store, NDArray in) {
        NDList h = new NDList(in);
        for (Block b : layers) {
            h = b.forward(store, h, false);
        }
        return h.singletonOrThrow();
    }

    private static NDArray input(NDManager scope, double[][] x, Shape example, DataType type) {
        int d = x[0].length;
        double[] flat = new double[x.length * d];
        for (int r = 0; r < x.length; r++) {
            System.arraycopy(x[r], 0, flat, r * d, d);
        }
        long[] dims = new long[example.dimension() + 1];
        dims[0] = x.length;
        System.arraycopy(example.getShape(), 0, dims, 1, example.dimension());
        return NativeArrays.of(scope, flat, new Shape(dims), type);
    }

    private static double[] toDoubles(NDArray a) {
        try (NDArray d = a.toType(DataType.FLOAT64, true)) {
            return d.toDoubleArray();
        }
    }

    private double[][] randomStarts(SplittableRandom random, int dim) {
        double[][] x = RandomMatrices.gaussian(starts, dim, random).get2DData();
        for (double[] row : x) {
            double n = Dense.norm(row);
            for (int i = 0; i < dim; i++) {
                row[i] *= radius / n;
            }
        }
        return x;
    }

    private static List<Block> children(Block block) {
        List<Block> out = new ArrayList<>();
        if (block instanceof SequentialBlock) {
            for (Pair<String, Block> c : block.getChildren()) {
                out.add(c.getValue());
            }
        } else {
            out.add(block);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the SequentialBlock has no children: nothing to measure");
        }
        return out;
    }

    private static int[] defaultCuts(List<Block> children) {
        List<Integer> cuts = new ArrayList<>();
        boolean seenParameters = false;
        for (int i = 0; i < children.size(); i++) {
            boolean has = !children.get(i).getParameters().isEmpty();
            if (has && seenParameters) {
                cuts.add(i);
            }
            seenParameters |= has;
        }
        cuts.add(children.size());
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Parameter firstParameter(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (!p.getValue().isInitialized()) {
                throw new IllegalArgumentException("parameter '" + p.getKey() + "' is not initialised: call "
                        + "block.initialize(manager, dataType, inputShapes) first");
            }
            return p.getValue();
        }
        throw new IllegalArgumentException("the block has no parameters: its data type and device are unknown");
    }

    /** Builder of {@link GainAscent}. */
    public static final class Builder {
        private int starts = 100;
        private int maxIterations = 300;
        private double radius = 1.0;
        private long seed;
        private int[] cutPoints;
        private double tolerance = 1e-8;

        private Builder() {}

        /**
         * @param starts random starts per cut point (default 100, as in Mulayoff &amp; Michaeli 2020)
         * @return this builder
         */
        public Builder optStarts(int starts) {
            if (starts < 1) {
                throw new IllegalArgumentException("starts must be at least 1, got " + starts);
            }
            this.starts = starts;
            return this;
        }

        /**
         * @param maxIterations ascent iterations per cut point (default 300)
         * @return this builder
         */
        public Builder optMaxIterations(int maxIterations) {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be at least 1, got " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * @param radius the input norm ρ searched over (default 1)
         * @return this builder
         */
        public Builder optRadius(double radius) {
            if (!(radius > 0) || !Double.isFinite(radius)) {
                throw new IllegalArgumentException("radius must be positive and finite, got " + radius);
            }
            this.radius = radius;
            return this;
        }

        /**
         * @param seed seed of the random starts (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param cutPoints how many children of the block each h_k runs through, increasing (default: one cut
         *     after each parameterised child and the activations that follow it)
         * @return this builder
         */
        public Builder optCutPoints(int... cutPoints) {
            this.cutPoints = cutPoints.clone();
            return this;
        }

        /**
         * @param tolerance a start stops when the tangent part of its gradient is at most this fraction of the
         *     gradient (default 1e-8: the gain error is then of order tolerance², far below 1e-12); starts at a
         *     kink of a ReLU network stop instead when the step angle falls below 1e-9 rad
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            if (!(tolerance > 0) || !(tolerance < 1)) {
                throw new IllegalArgumentException("tolerance must be in (0, 1), got " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /** @return the estimator */
        public GainAscent build() {
            return new GainAscent(this);
        }
    }
}
