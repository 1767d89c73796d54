package dev.minima.demos.mnist;

import dev.minima.demos.support.Charts;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The charts of {@code mnist-classify}'s step-size grid (Nacson et al. 2023, Fig. 5). */
public final class ClassifyCharts {

    private ClassifyCharts() {}

    /**
     * Fig. 5(a): λ_max of each minimum, the 2/η line and the lower bound 1 + 2S_θ against η (log-log).
     *
     * @param runs the runs (diverged ones are left out)
     * @param initial λ_max at the initialisation (drawn as a horizontal line; NaN to leave it out)
     * @param file the PNG
     */
    public static void sharpness(List<StepSizeRun> runs, double initial, Path file) {
        XYChart chart = Charts.lines("MNIST 0 vs 1: sharpness vs step size (Nacson et al. 2023, Fig. 5a)", "step size eta",
                "sharpness", true, true);
        chart.getStyler().setMarkerSize(9);
        double[] eta = runs.stream().mapToDouble(StepSizeRun::eta).toArray();
        double[] lo = logRange(eta);
        Charts.add(chart, "2/eta", lo, new double[] {2 / lo[0], 2 / lo[1]}, false);
        if (Double.isFinite(initial)) {
            Charts.add(chart, "lambda_max at initialisation", lo, new double[] {initial, initial}, false);
        }
        Charts.add(chart, "lambda_max", eta, runs.stream().mapToDouble(StepSizeRun::lmax).toArray(), true)
                .setMarker(SeriesMarkers.CIRCLE);
        double[] bound = runs.stream().mapToDouble(StepSizeRun::lowerBound).toArray();
        if (java.util.Arrays.stream(bound).anyMatch(Double::isFinite)) {
            Charts.add(chart, "1 + 2 S_theta", eta, bound, true).setMarker(SeriesMarkers.DIAMOND);
        }
        Charts.savePng(chart, file);
    }

    /**
     * Fig. 5(b): validation accuracy of sign(f) against η.
     *
     * @param runs the runs
     * @param file the PNG
     */
    public static void accuracy(List<StepSizeRun> runs, Path file) {
        XYChart chart = Charts.lines("MNIST 0 vs 1: validation accuracy vs step size (Nacson et al. 2023, Fig. 5b)",
                "step size eta", "validation accuracy", true, false);
        chart.getStyler().setMarkerSize(9);
        Charts.add(chart, "validation accuracy", runs.stream().mapToDouble(StepSizeRun::eta).toArray(),
                runs.stream().mapToDouble(StepSizeRun::valAccuracy).toArray(), false).setMarker(SeriesMarkers.CIRCLE);
        Charts.savePng(chart, file);
    }

    private static double[] logRange(double[] eta) {
        double min = java.util.Arrays.stream(eta).min().orElse(1e-3);
        double max = java.util.Arrays.stream(eta).max().orElse(1e-1);
        return new double[] {min / 1.2, max * 1.2};
    }
}
