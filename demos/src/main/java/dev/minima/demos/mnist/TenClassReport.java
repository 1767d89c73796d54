package dev.minima.demos.mnist;

import dev.minima.demos.support.Report;
import java.util.Locale;

/** The claims of Foret et al. (2021) and Wen et al. (2023) about SAM set beside the 10-class SGD-vs-SAM run. */
public final class TenClassReport {

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
        boolean flatterTop = sam.lmax() < sgd.lmax();
        // a difference counts only if it exceeds twice the combined standard error of the two estimates
        double traceSe = Math.hypot(sgd.traceStandardError(), sam.traceStandardError());
        boolean flatterTrace = sgd.trace() - sam.trace() > 2 * traceSe;
        r.claim("SAM ends at a flatter minimum than SGD at equal epochs: lower lambda_max (Foret et al. 2021; Wen et al."
                + " 2023)", String.format(Locale.ROOT, "lambda_max SAM %.4g +/- %.2g vs SGD %.4g +/- %.2g (2/eta = %.4g)",
                sam.lmax(), sam.lmaxResidual(), sgd.lmax(), sgd.lmaxResidual(), sgd.threshold()), flatterTop);
        r.claim("... and a lower Hessian trace (Wen et al. 2023: SAM's implicit bias minimises tr(H))",
                String.format(Locale.ROOT, "tr(H) SAM %.4g +/- %.2g vs SGD %.4g +/- %.2g (difference %.3g, 2 s.e. %.2g)",
                        sam.trace(), sam.traceStandardError(), sgd.trace(), sgd.traceStandardError(),
                        sgd.trace() - sam.trace(), 2 * traceSe), flatterTrace);
        r.claim("SAM's test accuracy is at least SGD's (Foret et al. 2021, Table 1)", String.format(Locale.ROOT,
                "SAM %.4f vs SGD %.4f (train loss SAM %.4g, SGD %.4g)", sam.testAccuracy(), sgd.testAccuracy(),
                sam.trainLoss(), sgd.trainLoss()), sam.testAccuracy() >= sgd.testAccuracy());
        if ("quick".equals(mode)) {
            r.note(String.format(Locale.ROOT, "The 10-class quick mode trains %d epochs on %d images; Foret et al."
                    + " train to convergence. A test-accuracy difference of 1/10,000 is one image; SAM at equal"
                    + " epochs can trail SGD in training loss early on. Run with --full for 60,000 images.",
                    s.epochs(), s.trainSize()));
        }
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
