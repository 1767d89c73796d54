package dev.minima.demos.samxor;

import dev.minima.demos.support.Charts;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * The per-scenario charts of the sam-xor demo (Wen, Ma &amp; Li (2023) Figures 1, 4, 6): trace, test accuracy and training
 * loss against epochs for 1-SAM and GD+WD, on a logarithmic epoch axis (quick mode runs the two methods for
 * different numbers of epochs; epoch 0, the initial network, is not drawn).
 */
public final class SamXorCharts {

    private SamXorCharts() {}

    /**
     * Tr(∇²L) over epochs with the scenario's flattest value as a horizontal line.
     *
     * @param scenario the scenario
     * @param runs its runs
     * @param flattest the flattest trace
     * @param file the PNG
     */
    public static void trace(Scenario scenario, List<RunResult> runs, double flattest, Path file) {
        XYChart chart = Charts.lines("Scenario " + scenario + " (" + scenario.architecture() + "): Hessian trace",
                "epoch", scenario.layerNorm() ? "Gauss–Newton trace of ∇²L" : "Tr(∇²L)", true, true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        long maxEpoch = 1;
        for (RunResult r : runs) {
            Charts.add(chart, r.plan().method().label(), column(r, p -> p.epoch()), column(r, EvalPoint::trace), false);
            maxEpoch = Math.max(maxEpoch, r.last().epoch());
        }
        Charts.add(chart, String.format(java.util.Locale.ROOT, "flattest %.4g", flattest),
                new double[] {1, maxEpoch}, new double[] {flattest, flattest}, false);
        Charts.savePng(chart, file);
    }

    /**
     * Test accuracy Pr(y f(x) &gt; 0) over epochs.
     *
     * @param scenario the scenario
     * @param runs its runs
     * @param file the PNG
     */
    public static void accuracy(Scenario scenario, List<RunResult> runs, Path file) {
        XYChart chart = Charts.lines("Scenario " + scenario + " (" + scenario.architecture() + "): test accuracy",
                "epoch", "test accuracy", true, false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        for (RunResult r : runs) {
            Charts.add(chart, r.plan().method().label(), column(r, p -> p.epoch()), column(r, EvalPoint::testAccuracy),
                    false);
        }
        Charts.savePng(chart, file);
    }

    /**
     * Training loss over epochs (log–log).
     *
     * @param scenario the scenario
     * @param runs its runs
     * @param file the PNG
     */
    public static void loss(Scenario scenario, List<RunResult> runs, Path file) {
        XYChart chart = Charts.lines("Scenario " + scenario + " (" + scenario.architecture() + "): training loss",
                "epoch", "training MSE", true, true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        for (RunResult r : runs) {
            Charts.add(chart, r.plan().method().label(), column(r, p -> p.epoch()), column(r, EvalPoint::trainLoss),
                    false);
        }
        Charts.savePng(chart, file);
    }

    private static double[] column(RunResult r, ToDoubleFunction<EvalPoint> f) {
        return r.points().stream().mapToDouble(f).toArray();
    }
}
