package dev.minima.demos.mnist;

import dev.minima.demos.support.Report;
import java.util.Locale;

/**
 * The 10-class SGD-vs-SAM run set beside the papers that make each claim: Foret et al. (2021) for SAM against SGD
 * (flatter minimum, test accuracy), Cohen et al. (2021) for the sharpness of SGD against 2/η. Wen, Ma &amp; Li
 * (2023) prove that 1-SAM (batch size 1) minimises the Hessian trace; this run uses SAM on batches of 128, so
 * its trace is reported as a figure without a verdict.
 */
public final class TenClassReport {

    /** The test accuracy both runs must reach for the networks to count as trained (an MLP on MNIST: 97–98%). */
    public static final double TRAINED_ACCURACY = 0.97;

    /**
     * Slack allowed on λ_max ≤ 2/η during SGD training: Cohen et al. (2021) find the sharpness hovering at and
     * slightly above 2/η at the edge of stability.
     */
    static final double EDGE_SLACK = 0.1;

    /** Test images (the binomial standard error of an accuracy is computed on them). */
    static final int TEST_IMAGES = 10_000;

    private TenClassReport() {}

    /**
     * Adds the comparison's settings and claims.
     *
     * @param r the report
     * @param s the settings
     * @param mode "quick" or "full"
     * @param sgd the SGD run
     * @param sam the SAM run
     */
    public static void compare(Report r, TenClassComparison.Settings s, String mode, TenClassRun sgd, TenClassRun sam) {
        r.intro(String.format(Locale.ROOT, "10-class part (mode %s): MLP 784-%d-10 ReLU, PyTorch default init"
                + " from seed %d, softmax cross-entropy (Losses.softmaxCrossEntropy()), %d training images, batch"
                + " %d, %d epochs of plain SGD (lr %s) and of SAM (rho %s) on the same SGD, same initial weights and"
                + " batch order. lambda_max (Lanczos) and tr(H) (Hutchinson, %d Rademacher probes, +/- standard"
                + " error) of the exact Hessian of the loss on %d training images at the final weights; accuracy on"
                + " the 10,000 test images.", mode, s.hidden(), s.seed(), s.trainSize(), s.batch(), s.epochs(),
                num(s.learningRate()), num(s.rho()), s.traceSamples(), Math.min(s.probeSize(), s.trainSize())));
        r.claim("Both networks are trained (the precondition of comparing their minima)",
                "a ReLU MLP on MNIST reaches about 97-98% test accuracy",
                String.format(Locale.ROOT, "test accuracy SGD %.4f, SAM %.4f", sgd.testAccuracy(), sam.testAccuracy()),
                String.format(Locale.ROOT, "both >= %.2f", TRAINED_ACCURACY),
                sgd.testAccuracy() >= TRAINED_ACCURACY && sam.testAccuracy() >= TRAINED_ACCURACY);
        boolean flatterTop = sam.lmax() + sam.lmaxResidual() < sgd.lmax() - sgd.lmaxResidual();
        r.claim("SAM ends at a flatter minimum than SGD at equal epochs: lower lambda_max (Foret et al. 2021)",
                "Foret et al. 2021 (Hessian spectra at the end of training): SAM's top eigenvalue well below SGD's",
                String.format(Locale.ROOT, "lambda_max SAM %.4g +/- %.2g vs SGD %.4g +/- %.2g (%.0f%% lower)",
                        sam.lmax(), sam.lmaxResidual(), sgd.lmax(), sgd.lmaxResidual(),
                        100 * (1 - sam.lmax() / sgd.lmax())),
                "SAM's lambda_max + residual < SGD's lambda_max - residual", flatterTop);
        double se = accuracyStandardError(sgd.testAccuracy(), sam.testAccuracy());
        double diff = sam.testAccuracy() - sgd.testAccuracy();
        r.claim("SAM's test accuracy is at least SGD's (Foret et al. 2021)",
                "Foret et al. 2021: SAM lowers the test error across the image benchmarks they report",
                String.format(Locale.ROOT, "SAM %.4f vs SGD %.4f: %+.2f points (train loss SAM %.4g, SGD %.4g)",
                        sam.testAccuracy(), sgd.testAccuracy(), 100 * diff, sam.trainLoss(), sgd.trainLoss()),
                String.format(Locale.ROOT, "SAM >= SGD - 2 s.e. of the difference (2 x %.2f points: binomial on"
                        + " %,d test images)", 100 * se, TEST_IMAGES),
                diff >= -2 * se);
        boolean monitored = Double.isFinite(sgd.lmaxMonitorMax());
        if (monitored) {
            r.claim("SGD's sharpness stays at or below 2/eta during training (Cohen et al. 2021)",
                    "Cohen et al. 2021: lambda_max rises to 2/eta and hovers there (edge of stability), never far above",
                    String.format(Locale.ROOT, "largest lambda_max recorded by the monitor %.4g vs 2/eta = %.4g"
                            + " (ratio %.2f; final %.4g)", sgd.lmaxMonitorMax(), sgd.threshold(),
                            sgd.lmaxMonitorMax() / sgd.threshold(), sgd.lmax()),
                    String.format(Locale.ROOT, "largest recorded lambda_max <= (1 + %.0f%%) 2/eta", 100 * EDGE_SLACK),
                    sgd.lmaxMonitorMax() <= (1 + EDGE_SLACK) * sgd.threshold());
        }
        r.note(String.format(Locale.ROOT, "Hessian trace (figure only, no verdict): SAM %.4g +/- %.2g vs SGD %.4g +/- %.2g."
                + " Wen, Ma & Li (2023) prove that 1-SAM (batch size 1) minimises the trace; this run's SAM perturbs"
                + " along the gradient of a batch of %d, between their two cases (full-batch SAM: lambda_max; 1-SAM:"
                + " the trace), so their claim is not tested here.", sam.trace(), sam.traceStandardError(), sgd.trace(),
                sgd.traceStandardError(), s.batch()));
        if ("quick".equals(mode)) {
            r.note(String.format(Locale.ROOT, "The 10-class quick mode trains %d epochs on %d images; Foret et al."
                    + " train far longer with augmentation. A test-accuracy difference of 1/10,000 is one image.",
                    s.epochs(), s.trainSize()));
        }
    }

    /**
     * @param a one accuracy on the test images
     * @param b the other
     * @return the binomial standard error of a − b, the two taken as independent (conservative for the same images)
     */
    static double accuracyStandardError(double a, double b) {
        return Math.sqrt((a * (1 - a) + b * (1 - b)) / TEST_IMAGES);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
