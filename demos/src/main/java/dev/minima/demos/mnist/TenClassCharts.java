package dev.minima.demos.mnist;

import dev.minima.demos.support.Charts;
import dev.minima.demos.support.CsvTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;

/** The λ_max-vs-step series of the 10-class runs: one CSV and one chart with the 2/η line. */
public final class TenClassCharts {

    private TenClassCharts() {}

    /**
     * Writes {@code sharpness-10class.csv} (optimizer, step, lambda_max) and {@code sharpness-10class.png}.
     *
     * @param series per optimizer, {steps, λ_max} as two arrays of equal length
     * @param threshold 2/η
     * @param outDir the output directory
     */
    public static void write(Map<String, double[][]> series, double threshold, Path outDir) {
        try (CsvTable csv = new CsvTable(outDir.resolve("sharpness-10class.csv"),
                List.of("optimizer", "step", "lambda_max"))) {
            for (Map.Entry<String, double[][]> e : series.entrySet()) {
                double[][] s = e.getValue();
                for (int i = 0; i < s[0].length; i++) {
                    csv.row(e.getKey(), (long) s[0][i], s[1][i]);
                }
            }
        }
        XYChart chart = Charts.lines("10-class MNIST: lambda_max on the probe during training", "step",
                "lambda_max", false, false);
        double last = 1;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            Charts.add(chart, e.getKey().toUpperCase(java.util.Locale.ROOT), e.getValue()[0], e.getValue()[1], false);
            for (double step : e.getValue()[0]) {
                last = Math.max(last, step);
            }
        }
        Charts.add(chart, "2/eta", new double[] {0, last}, new double[] {threshold, threshold}, false);
        Charts.savePng(chart, outDir.resolve("sharpness-10class.png"));
    }
}
