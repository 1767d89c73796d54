package dev.minima.stability;

import java.util.ArrayList;
import java.util.List;

/**
 * The sufficient condition for GD stability of Nacson et al. (2023), Theorem 3 (eq. 20): a solution f (no knot on a
 * data point) is stable for GD with step η if
 *
 * <pre>
 *   ‖f‖_{R,ĝ} + 2 (‖f‖_R + inf_x ‖∇f(x)‖) · sqrt(λ_max(Σ_X)) · sqrt(1 + E‖X‖²) ≤ 1/(C·η) − 1/2,
 * </pre>
 *
 * from Nacson et al. (2023), Lemma 2 (eq. 19–20; proof App. K eq. 98–120), with Σ_X the 1/n data covariance.
 *
 * <p><b>How each term is computed, and why the result stays sufficient.</b> ‖f‖_R and ‖f‖_{R,ĝ} use the
 * merged knots ({@link MergedKnots}); ĝ is not even, and each knot's orientation is taken on the side with
 * the smaller ĝ, which App. K permits because eq. (119) bounds the linear coefficient |β| for any
 * orientation. The infimum of ‖∇f‖ over ℝ^d is not computed exactly (that would need every linear region);
 * the minimum over a finite set of probe points (the inputs, their mean, the origin and far points along
 * each knot normal and each axis) is used instead. That value is ≥ the infimum, so the left-hand side is
 * over-estimated and a "certified" answer remains valid.
 *
 * <p><b>Applicability.</b> The implementation built in App. K (eq. 106–109) needs hidden biases (b = −τ for
 * the two linear-part neurons), an output bias (it absorbs c + βτ), and L + 2 ≤ k neurons (L distinct knots
 * plus two for a possible linear part; the paper adds them "if needed"). When these fail {@link
 * Result#certified()} is false whatever the left-hand side.
 */
public final class Theorem3Certificate {

    /**
     * The evaluated condition.
     *
     * @param gHatNorm ‖f‖_{R,ĝ}
     * @param radonNorm ‖f‖_R
     * @param gradientNormUpper min of ‖∇f‖ over the probe points (≥ inf_x ‖∇f(x)‖)
     * @param spread sqrt(λ_max(Σ_X)) · sqrt(1 + E‖X‖²)
     * @param lhs the left-hand side of Nacson et al. (2023), eq. (20)
     * @param bound 1/(C·η) − 1/2
     * @param architectureSupported hidden and output biases present and L + 2 ≤ k
     * @param certified {@code architectureSupported && lhs ≤ bound}
     */
    public record Result(
            double gHatNorm, double radonNorm, double gradientNormUpper, double spread, double lhs, double bound,
            boolean architectureSupported, boolean certified) {}

    private Theorem3Certificate() {}

    /**
     * @param network the network (a solution: it should interpolate its training data)
     * @param sample the training inputs
     * @param eta step size η &gt; 0
     * @param loss the loss convention
     * @return the evaluated condition
     */
    public static Result evaluate(ShallowReluNetwork network, InputSample sample, double eta, LossConvention loss) {
        double bound = loss.normBound(eta);
        sample.checkCompatible(network);
        MergedKnots knots = MergedKnots.of(network);
        RadonWeightFunction weights = RadonWeightFunction.of(sample, true);
        double gHat = knots.gHatNorm(weights);
        double radon = knots.radonNorm();
        double grad = Double.POSITIVE_INFINITY;
        for (double[] p : probes(network, sample, knots)) {
            grad = Math.min(grad, InputSample.norm(network.inputGradient(p)));
        }
        double spread = Math.sqrt(sample.covarianceMaxEigenvalue()) * Math.sqrt(1 + sample.meanSquaredNorm());
        double lhs = gHat + 2 * (radon + grad) * spread;
        boolean supported = network.hasHiddenBias() && network.hasOutputBias()
                && knots.count() + 2 <= network.width();
        return new Result(gHat, radon, grad, spread, lhs, bound, supported, supported && lhs <= bound);
    }

    private static List<double[]> probes(ShallowReluNetwork network, InputSample sample, MergedKnots knots) {
        int d = sample.dimension();
        List<double[]> probes = new ArrayList<>();
        for (int j = 0; j < sample.size(); j++) {
            probes.add(sample.point(j));
        }
        double[] mean = sample.mean();
        probes.add(mean);
        probes.add(new double[d]);
        double far = 1 + 2 * sample.maxNorm();
        for (MergedKnots.Knot kn : knots.knots()) {
            far = Math.max(far, 1 + 2 * Math.abs(kn.offset()) + 2 * sample.maxNorm());
        }
        List<double[]> dirs = new ArrayList<>();
        for (MergedKnots.Knot kn : knots.knots()) {
            dirs.add(kn.direction());
        }
        for (int l = 0; l < d; l++) {
            double[] e = new double[d];
            e[l] = 1;
            dirs.add(e);
        }
        for (double[] u : dirs) {
            for (int sign = -1; sign <= 1; sign += 2) {
                double[] p = mean.clone();
                for (int l = 0; l < d; l++) {
                    p[l] += sign * far * u[l];
                }
                probes.add(p);
            }
        }
        return probes;
    }
}
