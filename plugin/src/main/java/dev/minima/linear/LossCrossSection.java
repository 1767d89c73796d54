package dev.minima.linear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;

/**
 * 1-D cross-sections of the loss of any DJL block and Minima loss ({@link Objective}): along the line between
 * two parameter vectors (the "interpolation" plots of Keskar et al. 2016) or along any direction, e.g. a top
 * Hessian eigenvector from {@code Lanczos}. Mulayoff &amp; Michaeli (2020, Lemma 2, Fig. 7) show why the first can mislead:
 * for a two-layer scalar network two minima of different sharpness always look equally sharp along their connecting
 * line, and in ReLU networks the flatter of two minima can look sharper; plot each minimum along its own top
 * eigenvector as well.
 *
 * <p>The objective's parameters are overwritten while the section is taken and restored exactly afterwards
 * (also on failure). Each point costs one forward pass over the objective's data.
 *
 * <pre>{@code
 * CrossSection line = LossCrossSection.builder().optRange(-0.5, 1.5).optPoints(81).build()
 *         .between(objective, thetaSgd, thetaAdam);
 * }</pre>
 */
public final class LossCrossSection {

    private final int points;
    private final Double from;
    private final Double to;

    private LossCrossSection(Builder b) {
        this.points = b.points;
        this.from = b.from;
        this.to = b.to;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The loss along θ(t) = a + t (b − a): t = 0 at a, t = 1 at b (default range [−0.5, 1.5]).
     *
     * @param objective the block, loss and data
     * @param a the first parameter vector (flat, in the objective's parameter order)
     * @param b the second parameter vector
     * @return the section
     */
    public CrossSection between(Objective objective, double[] a, double[] b) {
        check(objective, a, "first vector");
        check(objective, b, "second vector");
        double[] step = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            step[i] = b[i] - a[i];
        }
        double norm = norm(step);
        if (!(norm > 0)) {
            throw new IllegalArgumentException("the two parameter vectors are equal: there is no line between them");
        }
        return section(objective, a, step, norm, from == null ? -0.5 : from, to == null ? 1.5 : to);
    }

    /**
     * The loss along θ(t) = origin + t·d/‖d‖, so t is a parameter-space distance (default range [−1, 1]).
     *
     * @param objective the block, loss and data
     * @param origin the centre (flat, in the objective's parameter order), e.g. a minimum
     * @param direction a non-zero direction, e.g. {@code eigenpairs.vector(0)}
     * @return the section
     */
    public CrossSection along(Objective objective, double[] origin, double[] direction) {
        check(objective, origin, "origin");
        check(objective, direction, "direction");
        double norm = norm(direction);
        if (!(norm > 0)) {
            throw new IllegalArgumentException("the direction is zero: pass a non-zero vector");
        }
        double[] unit = new double[direction.length];
        for (int i = 0; i < unit.length; i++) {
            unit[i] = direction[i] / norm;
        }
        return section(objective, origin, unit, 1.0, from == null ? -1.0 : from, to == null ? 1.0 : to);
    }

    /**
     * {@link #between(Objective, double[], double[])} with DJL vectors.
     *
     * @param objective the block, loss and data
     * @param a the first parameter vector
     * @param b the second parameter vector
     * @return the section
     */
    public CrossSection between(Objective objective, NDArray a, NDArray b) {
        return between(objective, Vectors.toDoubles(a), Vectors.toDoubles(b));
    }

    /**
     * {@link #along(Objective, double[], double[])} with DJL vectors.
     *
     * @param objective the block, loss and data
     * @param origin the centre
     * @param direction a non-zero direction
     * @return the section
     */
    public CrossSection along(Objective objective, NDArray origin, NDArray direction) {
        return along(objective, Vectors.toDoubles(origin), Vectors.toDoubles(direction));
    }

    private CrossSection section(Objective objective, double[] origin, double[] step, double stepNorm, double lo,
            double hi) {
        ParameterSpace space = objective.space();
        double[] t = new double[points];
        double[] loss = new double[points];
        try (NDManager scope = NDManager.newBaseManager(space.device(), "PyTorch")) {
            NDArray saved = space.values(scope);
            try {
                double[] theta = new double[origin.length];
                for (int p = 0; p < points; p++) {
                    t[p] = lo + (hi - lo) * p / (points - 1);
                    for (int i = 0; i < theta.length; i++) {
                        theta[i] = origin[i] + t[p] * step[i];
                    }
                    try (NDManager sub = scope.newSubManager()) {
                        space.assign(Vectors.of(sub, theta, space.dataType()));
                    }
                    loss[p] = objective.value();
                }
            } finally {
                space.assign(saved);
            }
        }
        return new CrossSection(t, loss, stepNorm);
    }

    private static void check(Objective objective, double[] v, String what) {
        long n = objective.space().dimension();
        if (v == null || v.length != n) {
            throw new IllegalArgumentException(what + " has length " + (v == null ? 0 : v.length)
                    + " but the objective has " + n + " parameters: pass a flat vector in ParameterSpace order");
        }
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException(what + " holds a non-finite entry " + x);
            }
        }
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    /** Builder of {@link LossCrossSection}. */
    public static final class Builder {
        private int points = 51;
        private Double from;
        private Double to;

        private Builder() {}

        /**
         * @param points grid points, at least 3 (default 51)
         * @return this builder
         */
        public Builder optPoints(int points) {
            if (points < 3) {
                throw new IllegalArgumentException("a cross-section needs at least 3 points, got " + points);
            }
            this.points = points;
            return this;
        }

        /**
         * @param from first t
         * @param to last t, &gt; from
         * @return this builder
         */
        public Builder optRange(double from, double to) {
            if (!(to > from) || !Double.isFinite(from) || !Double.isFinite(to)) {
                throw new IllegalArgumentException("range must be finite with from < to, got [" + from + ", " + to + "]");
            }
            this.from = from;
            this.to = to;
            return this;
        }

        /** @return the cross-section tool */
        public LossCrossSection build() {
            return new LossCrossSection(this);
        }
    }
}
