package dev.minima.demos.sweeps;

import dev.minima.curvature.Eigenpairs;
import dev.minima.stability.GradientDescentRun;
import dev.minima.stability.GramSharpness;
import dev.minima.stability.InputSample;
import dev.minima.stability.LossConvention;
import dev.minima.stability.ShallowReluLoss;
import dev.minima.stability.ShallowReluNetwork;
import dev.minima.stability.StabilityReport;
import java.util.OptionalDouble;

/**
 * Measures the end point of a GD run: the function-space quantities and Gram sharpness through
 * {@link StabilityReport} (Minima's stability package), and the Hessian's top eigenvalue independently through
 * the DJL block ({@link DjlSharpness}).
 */
public final class SweepMeasure {

    private SweepMeasure() {}

    /**
     * @param run a finished run
     * @param eta the step size the end point is judged against (the final one after a step switch)
     * @param loss its training loss (data, width); its workspace is used
     * @param lanczosSeed seed of the Lanczos start vector
     * @param seconds the run's training time
     * @return the measurements (NaN where the run diverged)
     */
    public static SweepPoint of(GradientDescentRun run, double eta, ShallowReluLoss loss, long lanczosSeed,
            double seconds) {
        double threshold = 2 / eta;
        double bound = LossConvention.HALF_MSE.normBound(eta);
        double[] theta = run.theta();
        if (run.diverged() || !allFinite(theta)) {
            double nan = Double.NaN;
            return new SweepPoint(eta, run.steps(), run.loss(), false, false, true, nan, nan, nan, nan, threshold,
                    nan, nan, nan, nan, nan, nan, bound, nan, nan, 0, seconds);
        }
        int k = loss.width();
        int d = loss.inputDimension();
        double[][] x = loss.inputs();
        ShallowReluNetwork net = loss.network(theta);
        StabilityReport report = StabilityReport.of(net, x, OptionalDouble.of(eta), LossConvention.HALF_MSE);
        Eigenpairs djl = DjlSharpness.of(net, x, loss.targets(), lanczosSeed);
        double weyl = 0;
        double[] y = loss.targets();
        for (int j = 0; j < x.length; j++) {
            double sq = 1;
            for (double xl : x[j]) {
                sq += xl * xl;
            }
            weyl += Math.abs(loss.predict(theta, x[j]) - y[j]) * Math.sqrt(sq);
        }
        weyl /= x.length;
        double biasNorm = 0;
        double offsetNorm = 0;
        for (int i = 0; i < k; i++) {
            double b = theta[k * d + i];
            biasNorm += b * b;
            double w2 = 0;
            for (int l = 0; l < d; l++) { // θ = [W (k×d, row-major); b; v; c]
                w2 += theta[i * d + l] * theta[i * d + l];
            }
            if (w2 > 0) {
                offsetNorm += b * b / w2; // b̄_i = −b_i/‖w_i‖, Nacson et al. (2023), Sec. 3.2
            }
        }
        return new SweepPoint(eta, run.steps(), run.loss(), run.converged(), run.convergedInWarmup(), false,
                report.lambdaMaxGram(), djl.max(), djl.residual(0), weyl, threshold, report.lowerBoundNorm(),
                report.flattestLambda(), report.flattestCertificate(), report.ghatUpper(), report.stabilityNorm(),
                report.perNeuronNorm(), bound, Math.sqrt(biasNorm), Math.sqrt(offsetNorm), report.knotsOnData(), seconds);
    }

    /**
     * @param theta parameters [W; b; v; c], e.g. the initial point
     * @param loss the training loss (data, width)
     * @return λ_max(ΦᵀΦ/n) at θ: the Gauss–Newton sharpness (GD from here reaches the edge only for η ≳ 2/this)
     */
    public static double gramSharpness(double[] theta, ShallowReluLoss loss) {
        return GramSharpness.of(loss.network(theta), InputSample.of(loss.inputs()),
                LossConvention.HALF_MSE).lambdaMax();
    }

    private static boolean allFinite(double[] a) {
        for (double v : a) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
