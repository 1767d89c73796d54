package dev.minima.stability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The distinct knots (ReLU hyperplanes) of a one-hidden-layer network and their Radon-domain
 * coefficients: the atoms of α = (R*)⁻¹Δf = Σ_i a_i δ_(w̄_i, b̄_i) (Nacson et al. 2023, eq. 14, 56–57).
 *
 * <p>Neuron i with w_i ≠ 0 sits on the hyperplane w̄_iᵀx = b̄_i, w̄_i = w_i/‖w_i‖, b̄_i = −b_i/‖w_i‖, with
 * coefficient a_i = v_i‖w_i‖. Neurons whose normalised (w̄, b̄) coincide (within a tolerance) merge, their
 * coefficients adding before the absolute value (Nacson et al. 2023, eq. 58: "multiple deltas ... at the same
 * location"). Antipodal pairs (w̄_j, b̄_j) = −(w̄_i, b̄_i) fold onto the same hyperplane: since σ(−t) = σ(t) − t, a
 * σ(t) + a' σ(−t) = (a + a') σ(t) − a' t, so the coefficient is a + a' and −a' t joins the affine part (both
 * neurons have the same Laplacian δ(t); Nacson et al. 2023, footnote 12, states only the special case a = −a'). Neurons
 * with w_i = 0 are constants and have no knot.
 *
 * <p>For d = 1 this reduces to f'' = Σ_i v_i |w_i| δ(x − c_i), c_i = −b_i/w_i (docs/theory.md §1 erratum:
 * Mulayoff et al. (2021) and its supplement print w_i v_i; the coefficient is v_i|w_i|, since σ(wx + b) = |w| σ(±(x −
 * c))).
 */
public final class MergedKnots {

    /** Default relative tolerance for "same hyperplane". */
    public static final double DEFAULT_TOLERANCE = 1e-9;

    /**
     * A distinct knot: the hyperplane directionᵀx = offset with merged coefficient.
     *
     * @param direction the unit normal w̄ (orientation of the first neuron merged into it)
     * @param offset b̄
     * @param coefficient α = Σ a_i over merged neurons (antipodal ones folded)
     * @param neurons the merged neuron indices
     */
    public record Knot(double[] direction, double offset, double coefficient, int[] neurons) {
        /** @return a copy of the unit normal */
        @Override
        public double[] direction() {
            return direction.clone();
        }

        /** @return a copy of the merged neuron indices */
        @Override
        public int[] neurons() {
            return neurons.clone();
        }
    }

    private final List<Knot> knots;
    private final double[] linear;

    private MergedKnots(List<Knot> knots, double[] linear) {
        this.knots = Collections.unmodifiableList(knots);
        this.linear = linear;
    }

    /**
     * @param network the network
     * @return its merged knots with {@link #DEFAULT_TOLERANCE}
     */
    public static MergedKnots of(ShallowReluNetwork network) {
        return of(network, DEFAULT_TOLERANCE);
    }

    /**
     * @param network the network
     * @param tolerance relative tolerance: two neurons share a knot when their unit normals agree to
     *     {@code tolerance} in every coordinate and their offsets to {@code tolerance·(1 + |b̄|)}
     * @return its merged knots; knots whose merged coefficient cancels to below 1e-12·Σ|a_i| are dropped
     */
    public static MergedKnots of(ShallowReluNetwork network, double tolerance) {
        if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
            throw new IllegalArgumentException("knot tolerance must be finite and ≥ 0, got " + tolerance);
        }
        int k = network.width();
        int d = network.inputDimension();
        double[][] dir = new double[k][];
        double[] off = new double[k];
        double[] coef = new double[k];
        double total = 0;
        for (int i = 0; i < k; i++) {
            double[] w = network.neuronWeights(i);
            double norm = InputSample.norm(w);
            if (norm == 0) {
                continue;
            }
            dir[i] = new double[d];
            for (int l = 0; l < d; l++) {
                dir[i][l] = w[l] / norm;
            }
            off[i] = -network.hiddenBias(i) / norm;
            coef[i] = network.outputWeight(i) * norm;
            total += Math.abs(coef[i]);
        }
        int[] group = new int[k];
        java.util.Arrays.fill(group, -1);
        List<Knot> out = new ArrayList<>();
        double[] linear = new double[d];
        for (int i = 0; i < k; i++) {
            if (dir[i] == null || group[i] >= 0) {
                continue;
            }
            group[i] = i;
            double alpha = coef[i];
            List<Integer> members = new ArrayList<>();
            members.add(i);
            for (int j = i + 1; j < k; j++) {
                if (dir[j] == null || group[j] >= 0) {
                    continue;
                }
                int s = sameHyperplane(dir[i], off[i], dir[j], off[j], tolerance);
                if (s != 0) {
                    group[j] = i;
                    members.add(j);
                    alpha += coef[j];
                    if (s < 0) {
                        // a' σ(−t) = a' σ(t) − a' t: the linear part gains −a' w̄_i
                        for (int l = 0; l < d; l++) {
                            linear[l] -= coef[j] * dir[i][l];
                        }
                    }
                }
            }
            if (Math.abs(alpha) > 1e-12 * total) {
                int[] m = members.stream().mapToInt(Integer::intValue).toArray();
                out.add(new Knot(dir[i].clone(), off[i], alpha, m));
            }
        }
        return new MergedKnots(out, linear);
    }

    /** @return +1 same orientation, −1 antipodal, 0 different */
    private static int sameHyperplane(double[] u, double bu, double[] v, double bv, double tol) {
        boolean same = Math.abs(bu - bv) <= tol * (1 + Math.abs(bu));
        boolean anti = Math.abs(bu + bv) <= tol * (1 + Math.abs(bu));
        for (int l = 0; l < u.length && (same || anti); l++) {
            same &= Math.abs(u[l] - v[l]) <= tol;
            anti &= Math.abs(u[l] + v[l]) <= tol;
        }
        return same ? 1 : anti ? -1 : 0;
    }

    /** @return the distinct knots with non-zero merged coefficient */
    public List<Knot> knots() {
        return knots;
    }

    /** @return the number L of distinct knots */
    public int count() {
        return knots.size();
    }

    /**
     * @return the gradient of the affine part created by folding antipodal neurons, in the knots' stored
     *     orientation (f = Σ α σ(w̄ᵀx − b̄) + (this)ᵀx + const, up to neurons with w_i = 0)
     */
    public double[] linearGradient() {
        return linear.clone();
    }

    /** @return ‖f‖_R = Σ_knots |α| (Ongie et al. 2020; Nacson et al. 2023, Sec. 5) */
    public double radonNorm() {
        double s = 0;
        for (Knot kn : knots) {
            s += Math.abs(kn.coefficient());
        }
        return s;
    }

    /**
     * The stability norm ‖f‖_{R,g} = Σ_knots |α| g(w̄, b̄) (Nacson et al. 2023, eq. 11 with eq. 14; equals S_θ when no
     * two neurons share a knot, Nacson et al. (2023), eq. 58). For d = 1 this is ∫|f''| g (Mulayoff et al. 2021, eq.
     * 21).
     *
     * @param weights the weight function of the sample
     * @return ‖f‖_{R,g}
     */
    public double stabilityNorm(RadonWeightFunction weights) {
        double s = 0;
        for (Knot kn : knots) {
            s += Math.abs(kn.coefficient()) * weights.g(kn.direction, kn.offset);
        }
        return s;
    }

    /**
     * ‖f‖_{R,ĝ} = Σ_knots |α| min(ĝ(w̄, b̄), ĝ(−w̄, −b̄)). ĝ is not even, and a knot's orientation is a free
     * choice of representation (flipping it only moves a linear term into the βhᵀx of Nacson et al. 2023, eq. 106); the
     * bound of Nacson et al. (2023), Lemma 2 (eq. 115–120) holds for every choice because |β| is then bounded by eq.
     * (119) independently of the orientation, so the smaller side is used.
     *
     * @param weights the weight function of the sample
     * @return ‖f‖_{R,ĝ}
     */
    public double gHatNorm(RadonWeightFunction weights) {
        double s = 0;
        for (Knot kn : knots) {
            double[] minus = new double[kn.direction.length];
            for (int l = 0; l < minus.length; l++) {
                minus[l] = -kn.direction[l];
            }
            double g = Math.min(weights.gHat(kn.direction, kn.offset), weights.gHat(minus, -kn.offset));
            s += Math.abs(kn.coefficient()) * g;
        }
        return s;
    }
}
