package dev.minima.demos.mnist;

import dev.minima.curvature.SpectralDensityEstimate;
import dev.minima.demos.DemoCommand;
import dev.minima.demos.mnist.LandscapeComparison.ModelLandscape;
import dev.minima.demos.support.CsvTable;
import dev.minima.landscape.LandscapeCharts;
import dev.minima.landscape.LayerCurvatureTable;
import dev.minima.landscape.SharpnessEstimate;
import dev.minima.landscape.Surface;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The outputs of {@code landscape}: CSV of every surface, density, layer table and sharpness measure, the side-by-side
 * charts, {@code report.md} (which measures rank SAM flatter than SGD) and the figures of {@code summary.json}.
 */
public final class LandscapeReport {

    private LandscapeReport() {}

    /** One comparison row: a measure's value for SGD and SAM, with standard errors (0 when exact). */
    record Row(String measure, double sgd, double sgdError, double sam, double samError) {
        boolean samFlatter() {
            return sam < sgd;
        }

        /** The difference is beyond two combined standard errors (always, for exact or worst-case values). */
        boolean resolved() {
            return Math.abs(sam - sgd) > 2 * Math.hypot(sgdError, samError);
        }
    }

    /**
     * Writes every output file.
     *
     * @param s the settings
     * @param mode "quick" or "full"
     * @param runs the SGD and SAM landscapes
     * @param outDir the output directory
     * @param wallSeconds wall-clock seconds of the run
     * @param cpuSeconds process CPU seconds of the run
     * @return the figures for {@code summary.json}
     * @throws Exception if a file cannot be written
     */
    public static Map<String, Object> write(LandscapeComparison.Settings s, String mode, List<ModelLandscape> runs,
            Path outDir, double wallSeconds, double cpuSeconds) throws Exception {
        ModelLandscape sgd = runs.get(0);
        ModelLandscape sam = runs.get(1);
        for (ModelLandscape r : runs) {
            String n = r.name().toLowerCase(Locale.ROOT);
            r.random1d().writeCsv(outDir.resolve("surface-" + n + "-1d-random.csv"));
            r.eigen1d().writeCsv(outDir.resolve("surface-" + n + "-1d-eigen.csv"));
            r.random2d().writeCsv(outDir.resolve("surface-" + n + "-2d-random.csv"));
            r.eigen2d().writeCsv(outDir.resolve("surface-" + n + "-2d-eigen.csv"));
            r.layers().writeCsv(outDir.resolve("layers-" + n + ".csv"));
            try (CsvTable csv = new CsvTable(outDir.resolve("spectral-density-" + n + ".csv"),
                    List.of("eigenvalue", "density"))) {
                SpectralDensityEstimate d = r.density();
                for (int i = 0; i < d.grid().length; i++) {
                    csv.row(d.grid()[i], d.density()[i]);
                }
            }
        }
        try (CsvTable csv = new CsvTable(outDir.resolve("sharpness.csv"), List.of("model", "measure", "radius",
                "value", "standard_error", "base_loss", "perturbation_l2", "perturbation_linf", "evaluations"))) {
            for (ModelLandscape r : runs) {
                for (SharpnessEstimate e : r.sharpness()) {
                    csv.row(r.name(), e.measure(), e.radius(), e.value(), e.standardError(), e.baseLoss(),
                            e.perturbationL2(), e.perturbationLinf(), e.evaluations());
                }
            }
        }
        charts(runs, outDir);
        List<Row> rows = rows(sgd, sam);
        DemoCommand.writeAtomically(outDir.resolve("report.md"), markdown(s, mode, runs, rows, wallSeconds,
                cpuSeconds));
        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mode", mode);
        config.put("model", "MLP 784-" + s.hidden() + "-10 ReLU, softmax cross-entropy");
        config.put("source", s.params() == null ? "trained" : s.params().toString());
        config.put("train", s.trainSize());
        config.put("epochs", s.epochs());
        config.put("batch", s.batch());
        config.put("lr", s.learningRate());
        config.put("rho_training", s.rho());
        config.put("probe", s.probe());
        config.put("points_1d", s.points1d());
        config.put("points_2d", s.points2d());
        config.put("range", s.range());
        config.put("eigen_range", sgd.eigen1d().x()[sgd.eigen1d().x().length - 1]);
        config.put("seed", s.seed());
        summary.put("config", config);
        for (ModelLandscape r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", r.source());
            m.put("train_seconds", r.trainSeconds());
            m.put("train_loss", r.trainLoss());
            m.put("train_accuracy", r.trainAccuracy());
            m.put("test_accuracy", r.testAccuracy());
            m.put("probe_loss", r.probeLoss());
            m.put("top_eigenvalues", r.top());
            m.put("trace_sum_of_blocks", r.layers().totalTrace());
            Map<String, Object> sh = new LinkedHashMap<>();
            for (SharpnessEstimate e : r.sharpness()) {
                sh.put(e.measure(), Map.of("value", e.value(), "standard_error", e.standardError(), "radius",
                        e.radius(), "perturbation_l2", e.perturbationL2(), "perturbation_linf", e.perturbationLinf()));
            }
            m.put("sharpness", sh);
            summary.put(r.name().toLowerCase(Locale.ROOT), m);
        }
        Map<String, Object> flatter = new LinkedHashMap<>();
        for (Row r : rows) {
            flatter.put(r.measure(), r.samFlatter() ? (r.resolved() ? "SAM" : "SAM (within noise)")
                    : r.resolved() ? "SGD" : "SGD (within noise)");
        }
        summary.put("flatter", flatter);
        summary.put("wall_seconds", wallSeconds);
        summary.put("process_cpu_seconds", cpuSeconds);
        return summary;
    }

    private static void charts(List<ModelLandscape> runs, Path outDir) {
        Map<String, Surface> r1 = by(runs, ModelLandscape::random1d);
        Map<String, Surface> e1 = by(runs, ModelLandscape::eigen1d);
        LandscapeCharts.slices(r1, "loss along a filter-normalised random direction (same seed for both)",
                "alpha (filter-normalised units; 0 = trained parameters)", wide(r1), outDir.resolve(
                        "slice-1d-random.png"));
        LandscapeCharts.slices(e1, "loss along each model's top Hessian eigenvector",
                "alpha (parameter distance; 0 = trained parameters)", wide(e1), outDir.resolve("slice-1d-eigen.png"));
        LandscapeCharts.contours(by(runs, ModelLandscape::random2d),
                "loss on a plane of two filter-normalised random directions (same seeds for both)",
                "alpha (filter-normalised direction 1)", "beta (filter-normalised direction 2)",
                outDir.resolve("surface-2d-random.png"));
        LandscapeCharts.contours(by(runs, ModelLandscape::eigen2d),
                "loss on the plane of each model's top two Hessian eigenvectors", "alpha (eigenvector 1)",
                "beta (eigenvector 2)", outDir.resolve("surface-2d-eigen.png"));
        Map<String, SpectralDensityEstimate> d = new LinkedHashMap<>();
        Map<String, double[]> tops = new LinkedHashMap<>();
        Map<String, LayerCurvatureTable> layers = new LinkedHashMap<>();
        Map<String, List<SharpnessEstimate>> sharp = new LinkedHashMap<>();
        for (ModelLandscape r : runs) {
            d.put(r.name(), r.density());
            tops.put(r.name(), r.top());
            layers.put(r.name(), r.layers());
            sharp.put(r.name(), r.sharpness());
        }
        LandscapeCharts.spectralDensity(d, tops, 0, outDir.resolve("spectral-density.png"));
        LandscapeCharts.layers(layers, outDir.resolve("layers.png"));
        LandscapeCharts.sharpness(sharp, outDir.resolve("sharpness.png"));
    }

    private static boolean wide(Map<String, Surface> m) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (Surface s : m.values()) {
            lo = Math.min(lo, s.minLoss());
            hi = Math.max(hi, s.maxLoss());
        }
        return lo > 0 && hi / lo >= 100; // a log axis only over two decades or more
    }

    private static Map<String, Surface> by(List<ModelLandscape> runs, Function<ModelLandscape, Surface> f) {
        Map<String, Surface> m = new LinkedHashMap<>();
        for (ModelLandscape r : runs) {
            m.put(r.name(), f.apply(r));
        }
        return m;
    }

    static List<Row> rows(ModelLandscape sgd, ModelLandscape sam) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("lambda_max (top Hessian eigenvalue)", sgd.top()[0], sgd.topResiduals()[0], sam.top()[0],
                sam.topResiduals()[0]));
        rows.add(new Row("trace of the Hessian (sum over blocks)", sgd.layers().totalTrace(), traceError(sgd),
                sam.layers().totalTrace(), traceError(sam)));
        for (int i = 0; i < sgd.sharpness().size(); i++) {
            SharpnessEstimate a = sgd.sharpness().get(i);
            SharpnessEstimate b = sam.sharpness().get(i);
            String radius = (a.measure().contains("average") ? "sigma " : "rho ") + fmt(a.radius());
            rows.add(new Row(a.measure() + " sharpness (" + radius + ")", a.value(), a.standardError(), b.value(),
                    b.standardError()));
        }
        rows.add(new Row("mean loss increase over the 2-D random-direction grid", meanIncrease(sgd.random2d()), 0,
                meanIncrease(sam.random2d()), 0));
        rows.add(new Row("mean loss increase at the ends of the 1-D random slice", endIncrease(sgd.random1d()), 0,
                endIncrease(sam.random1d()), 0));
        rows.add(new Row("mean loss increase at the ends of the 1-D top-eigenvector slice", endIncrease(sgd.eigen1d()),
                0, endIncrease(sam.eigen1d()), 0));
        return rows;
    }

    private static double traceError(ModelLandscape r) {
        double v = 0;
        for (LayerCurvatureTable.Row row : r.layers().rows()) {
            v += row.traceStandardError() * row.traceStandardError();
        }
        return Math.sqrt(v);
    }

    private static double meanIncrease(Surface s) {
        double sum = 0;
        int n = 0;
        for (double[] row : s.loss()) {
            for (double v : row) {
                sum += v - s.centreLoss();
                n++;
            }
        }
        return sum / n;
    }

    private static double endIncrease(Surface s) {
        double[] l = s.loss1d();
        return 0.5 * (l[0] + l[l.length - 1]) - s.centreLoss();
    }

    private static String markdown(LandscapeComparison.Settings s, String mode, List<ModelLandscape> runs,
            List<Row> rows, double wall, double cpu) {
        StringBuilder sb = new StringBuilder("# landscape: SGD vs SAM on 10-class MNIST\n\n");
        sb.append(String.format(Locale.ROOT, "MLP 784-%d-10 (ReLU, softmax cross-entropy), %s; every measure on the"
                + " same probe of %d training images (seed %d). Mode %s: %.0f s wall, %.0f s process CPU.%n%n",
                s.hidden(), s.params() == null ? String.format(Locale.ROOT, "both trained from the same initial weights"
                        + " and batch order: %d images, %d epochs, batch %d, SGD lr %s; SAM rho %s on the same SGD",
                        s.trainSize(), s.epochs(), s.batch(), fmt(s.learningRate()), fmt(s.rho()))
                        : "loaded from " + s.params(), s.probe(), s.seed(), mode, wall, cpu));
        sb.append("| model | train loss | train accuracy | test accuracy | probe loss | top eigenvalues |\n");
        sb.append("|---|---:|---:|---:|---:|---|\n");
        for (ModelLandscape r : runs) {
            StringBuilder top = new StringBuilder();
            for (double v : r.top()) {
                top.append(top.length() == 0 ? "" : ", ").append(fmt(v));
            }
            sb.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %s |%n", r.name(), r.trainLoss(),
                    r.trainAccuracy(), r.testAccuracy(), r.probeLoss(), top));
        }
        sb.append("\n## Which measures rank SAM flatter than SGD\n\n");
        sb.append("Lower is flatter. \"within noise\": the difference is less than two combined standard errors"
                + " (Monte Carlo error of average-case measures and Hutchinson traces, Lanczos residual of"
                + " lambda_max).\n\n");
        sb.append("| measure | SGD | SAM | SAM / SGD | flatter |\n|---|---:|---:|---:|---|\n");
        int samCount = 0;
        for (Row r : rows) {
            String who = r.samFlatter() ? "SAM" : "SGD";
            if (r.samFlatter() && r.resolved()) {
                samCount++;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %s%s |%n", r.measure(),
                    withError(r.sgd(), r.sgdError()), withError(r.sam(), r.samError()), r.sam() / r.sgd(), who,
                    r.resolved() ? "" : " (within noise)"));
        }
        sb.append(String.format(Locale.ROOT, "%n%d of %d measures rank SAM flatter beyond their noise. Test accuracy:"
                + " SGD %.4f, SAM %.4f.%n", samCount, rows.size(), runs.get(0).testAccuracy(),
                runs.get(1).testAccuracy()));
        sb.append("\nAndriushchenko et al. (2023) found that which measure is taken (worst or average case, adaptive or"
                + " not, l2 or linf) can change such rankings, and that none of them tracks generalisation"
                + " reliably across settings; the adaptive measures are the ones invariant to the rescalings"
                + " w1 -> a w1, b1 -> a b1, w2 -> w2 / a of a ReLU network, which change the plain ones without"
                + " changing the function.\n");
        sb.append("\n## Curvature per parameter block\n\n");
        for (ModelLandscape r : runs) {
            sb.append("**").append(r.name()).append("**\n\n").append(r.layers().toMarkdown()).append('\n');
        }
        sb.append("## Files\n\n");
        sb.append("- `slice-1d-random.png`, `slice-1d-eigen.png`: loss and accuracy along one direction, both models"
                + " on one chart\n");
        sb.append("- `surface-2d-random.png`, `surface-2d-eigen.png`: contour maps of log loss on one colour scale\n");
        sb.append("- `spectral-density.png`: SLQ eigenvalue density on a log axis, top eigenvalues marked (red)\n");
        sb.append("- `layers.png`, `sharpness.png`: per-block curvature and the six sharpness measures\n");
        sb.append("- CSV: `surface-<model>-<slice>.csv`, `spectral-density-<model>.csv`, `layers-<model>.csv`,"
                + " `sharpness.csv`\n");
        return sb.toString();
    }

    private static String withError(double v, double e) {
        return e > 0 ? fmt(v) + " ± " + String.format(Locale.ROOT, "%.2g", e) : fmt(v);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
