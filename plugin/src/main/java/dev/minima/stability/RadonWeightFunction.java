package dev.minima.stability;

/**
 * The multivariate weight functions of Nacson et al. (2023) for an empirical sample (X uniform over the inputs), on
 * the Radon domain: a direction v (normally unit) and an offset b, i.e. the hyperplane vᵀx = b of the
 * neuron σ(vᵀx − b).
 *
 * <ul>
 *   <li>g̃(v, b) = P(Xᵀv &gt; b)² · E[Xᵀv − b | Xᵀv &gt; b] · sqrt(‖E[X | Xᵀv &gt; b]‖² + 1) (Nacson et al. 2023, eq.
 *       12) = E[σ(Xᵀv − b)] · ‖E[(X, 1) · 1{Xᵀv &gt; b}]‖ [derived, docs/theory.md §2];
 *   <li>g(v, b) = min(g̃(v, b), g̃(−v, −b)) (Nacson et al. 2023, Theorem 1): even, ≥ 0, zero outside [min_j x_jᵀv,
 *       max_j x_jᵀv];
 *   <li>ĝ(v, b) = P(Xᵀv &gt; b) · sqrt(E[(Xᵀv − b)² | ·]) · sqrt(1 + E[‖X‖² | ·]) (Nacson et al. 2023, eq. 18 / 114) =
 *       sqrt(E[σ(Xᵀv − b)²]) · sqrt(E[(1 + ‖X‖²) 1{Xᵀv &gt; b}]) ≥ g̃ (Cauchy–Schwarz).
 * </ul>
 *
 * All three are positively homogeneous of degree 1 in (v, b). The "1" is the hidden-bias feature; {@link
 * #of(InputSample, boolean)} with {@code biasFeature = false} drops it, which is the variant that bounds the
 * Hessian of a network whose first layer has no bias [derived here from Nacson et al. (2023), eq. (48) without the (Σ_j
 * I_ji)² term].
 */
public final class RadonWeightFunction {

    private final InputSample sample;
    private final boolean biasFeature;

    private RadonWeightFunction(InputSample sample, boolean biasFeature) {
        this.sample = sample;
        this.biasFeature = biasFeature;
    }

    /**
     * @param sample the training inputs
     * @return the paper's weight functions for that sample
     */
    public static RadonWeightFunction of(InputSample sample) {
        return new RadonWeightFunction(sample, true);
    }

    /**
     * @param sample the training inputs
     * @param biasFeature true for the paper's definitions, false to drop the bias feature "1"
     * @return the weight functions
     */
    public static RadonWeightFunction of(InputSample sample, boolean biasFeature) {
        return new RadonWeightFunction(sample, biasFeature);
    }

    /** @return whether the bias feature "1" is included */
    public boolean biasFeature() {
        return biasFeature;
    }

    /** @return the sample */
    public InputSample sample() {
        return sample;
    }

    private void checkDirection(double[] v) {
        if (v == null || v.length != sample.dimension()) {
            throw new IllegalArgumentException(
                    "direction has " + (v == null ? 0 : v.length) + " entries, expected d = " + sample.dimension());
        }
    }

    /**
     * @param v a direction
     * @param b an offset
     * @return g̃(v, b)
     */
    public double gTilde(double[] v, double b) {
        checkDirection(v);
        int n = sample.size();
        int d = sample.dimension();
        double[] acc = new double[d];
        double count = 0;
        double excess = 0;
        for (int j = 0; j < n; j++) {
            double[] x = sample.row(j);
            double t = -b;
            for (int l = 0; l < d; l++) {
                t += x[l] * v[l];
            }
            if (t > 0) {
                excess += t;
                count += 1;
                for (int l = 0; l < d; l++) {
                    acc[l] += x[l];
                }
            }
        }
        if (count == 0) {
            return 0.0;
        }
        double s = biasFeature ? (count / n) * (count / n) : 0.0;
        for (int l = 0; l < d; l++) {
            s += (acc[l] / n) * (acc[l] / n);
        }
        return excess / n * Math.sqrt(s);
    }

    /**
     * @param v a direction
     * @param b an offset
     * @return g(v, b) = min(g̃(v, b), g̃(−v, −b))
     */
    public double g(double[] v, double b) {
        double[] minus = new double[v.length];
        for (int l = 0; l < v.length; l++) {
            minus[l] = -v[l];
        }
        return Math.min(gTilde(v, b), gTilde(minus, -b));
    }

    /**
     * @param v a direction
     * @param b an offset
     * @return ĝ(v, b)
     */
    public double gHat(double[] v, double b) {
        checkDirection(v);
        int n = sample.size();
        int d = sample.dimension();
        double sq = 0;
        double feat = 0;
        for (int j = 0; j < n; j++) {
            double[] x = sample.row(j);
            double t = -b;
            double xx = 0;
            for (int l = 0; l < d; l++) {
                t += x[l] * v[l];
                xx += x[l] * x[l];
            }
            if (t > 0) {
                sq += t * t;
                feat += xx + (biasFeature ? 1.0 : 0.0);
            }
        }
        return Math.sqrt(sq / n) * Math.sqrt(feat / n);
    }
}
