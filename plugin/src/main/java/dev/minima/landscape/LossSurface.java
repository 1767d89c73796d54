package dev.minima.landscape;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.util.ProgressBar;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A 1-D or 2-D slice of the loss landscape around the current parameters θ: the loss (and, for a classifier,
 * the accuracy) of an {@link Objective} at θ + α·d₁ (+ β·d₂) on a regular grid of α (and β), as in Li et al.
 * (2018), Sec. 3–4, and in PyHessian's plots along the top eigenvectors (Yao et al. 2020).
 *
 * <pre>{@code
 * double[] d1 = Directions.randomFilterNormalized(objective.space(), 1, Directions.BiasMode.ZERO);
 * double[] d2 = Directions.randomFilterNormalized(objective.space(), 2, Directions.BiasMode.ZERO);
 * Surface s = LossSurface.builder().setObjective(objective).addDirection(d1).addDirection(d2)
 *         .optRange(-1, 1).optPoints(21).optAccuracy(true).build().run();
 * s.writeCsv(Path.of("surface.csv"));
 * }</pre>
 *
 * <p>The parameters are overwritten for each grid point and put back bit for bit at the end, also when an
 * evaluation fails. A DJL progress bar shows the grid points done.
 */
public final class LossSurface {

    private final Objective objective;
    private final List<double[]> directions;
    private final double lo;
    private final double hi;
    private final int points;
    private final boolean accuracy;
    private final boolean progress;

    private LossSurface(Builder b) {
        this.objective = b.objective;
        this.directions = b.directions;
        this.lo = b.lo;
        this.hi = b.hi;
        this.points = b.points;
        this.accuracy = b.accuracy;
        this.progress = b.progress;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Evaluates the grid.
     *
     * @return the surface
     * @throws dev.minima.curvature.NonFiniteLossException if the loss is not finite at a grid point
     */
    public Surface run() {
        ParameterSpace space = objective.space();
        int dims = directions.size();
        double[] xs = grid(lo, hi, points);
        double[] ys = dims == 2 ? xs.clone() : new double[] {0};
        double[][] loss = new double[ys.length][xs.length];
        double[][] acc = new double[ys.length][xs.length];
        double[] centre;
        ProgressBar bar = progress ? new ProgressBar("Loss surface " + dims + "-D", (long) xs.length * ys.length)
                : null;
        if (bar != null) {
            bar.start(0);
        }
        try (NDManager base = NDManager.newBaseManager(space.device(), "PyTorch")) {
            NDArray theta = space.values(base);
            Evaluator evaluator = new Evaluator(objective, base);
            NDArray d1 = Vectors.of(base, directions.get(0), space.dataType());
            NDArray d2 = dims == 2 ? Vectors.of(base, directions.get(1), space.dataType()) : null;
            try {
                centre = evaluator.lossAndAccuracy(base, accuracy);
                long done = 0;
                for (int j = 0; j < ys.length; j++) {
                    for (int i = 0; i < xs.length; i++) {
                        try (NDManager scope = base.newSubManager()) {
                            // first operands live in scope, so every intermediate does too
                            NDArray p = NativeArrays.scalar(scope, xs[i], d1.getDataType()).mul(d1);
                            p.addi(theta);
                            if (d2 != null) {
                                p.addi(NativeArrays.scalar(scope, ys[j], d2.getDataType()).mul(d2));
                            }
                            space.assign(p);
                            double[] v = evaluator.lossAndAccuracy(scope, accuracy);
                            loss[j][i] = v[0];
                            acc[j][i] = v[1];
                        }
                        if (bar != null) {
                            bar.update(++done);
                        }
                    }
                }
            } finally {
                space.assign(theta);
            }
        }
        if (bar != null) {
            bar.end();
        }
        return new Surface(xs, dims == 2 ? ys : null, loss, acc, centre[0], centre[1]);
    }

    static double[] grid(double lo, double hi, int n) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = lo + (hi - lo) * i / (n - 1);
        }
        return g;
    }

    /** Builder of {@link LossSurface}. */
    public static final class Builder {
        private Objective objective;
        private final List<double[]> directions = new ArrayList<>();
        private double lo = -1;
        private double hi = 1;
        private int points = 21;
        private boolean accuracy;
        private boolean progress = true;

        private Builder() {}

        /**
         * @param objective block, loss and data; its parameter space fixes the directions' length
         * @return this builder
         */
        public Builder setObjective(Objective objective) {
            this.objective = objective;
            return this;
        }

        /**
         * Adds a direction: the first gives a 1-D slice, a second one a 2-D slice.
         *
         * @param direction a flat vector of the objective's parameter-space dimension (copied)
         * @return this builder
         */
        public Builder addDirection(double[] direction) {
            directions.add(direction == null ? null : direction.clone());
            return this;
        }

        /**
         * @param lo the smallest coordinate along each direction (default −1)
         * @param hi the largest (default 1); the grid is centred on θ when lo = −hi
         * @return this builder
         */
        public Builder optRange(double lo, double hi) {
            this.lo = lo;
            this.hi = hi;
            return this;
        }

        /**
         * @param points grid points along each direction, at least 2 (default 21; odd puts θ itself on the grid)
         * @return this builder
         */
        public Builder optPoints(int points) {
            this.points = points;
            return this;
        }

        /**
         * @param accuracy also evaluate the accuracy (argmax of the block's first output against the labels)
         * @return this builder
         */
        public Builder optAccuracy(boolean accuracy) {
            this.accuracy = accuracy;
            return this;
        }

        /**
         * @param progress show a DJL progress bar (default true)
         * @return this builder
         */
        public Builder optProgressBar(boolean progress) {
            this.progress = progress;
            return this;
        }

        /**
         * @return the surface evaluator
         * @throws IllegalArgumentException on a missing objective, 0 or more than 2 directions, a direction of the
         *     wrong size, fewer than 2 grid points, or an empty or non-finite range
         */
        public LossSurface build() {
            Objects.requireNonNull(objective, "setObjective(objective) is required");
            if (directions.isEmpty() || directions.size() > 2) {
                throw new IllegalArgumentException("a loss surface needs 1 or 2 directions, got " + directions.size()
                        + ": call addDirection once for a 1-D slice, twice for a 2-D slice");
            }
            for (int i = 0; i < directions.size(); i++) {
                Directions.check(objective.space(), directions.get(i), "direction " + (i + 1));
            }
            if (points < 2) {
                throw new IllegalArgumentException("a grid needs at least 2 points per direction, got " + points
                        + ": use optPoints(21) or so");
            }
            if (!Double.isFinite(lo) || !Double.isFinite(hi) || !(hi > lo)) {
                throw new IllegalArgumentException("the range [" + lo + ", " + hi + "] is empty or not finite: give"
                        + " lo < hi, e.g. optRange(-1, 1)");
            }
            return new LossSurface(this);
        }
    }
}
