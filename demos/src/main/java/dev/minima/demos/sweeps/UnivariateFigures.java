package dev.minima.demos.sweeps;

import dev.minima.demos.support.Charts;
import dev.minima.demos.support.CsvTable;
import dev.minima.stability.InputSample;
import dev.minima.stability.ShallowReluNetwork;
import dev.minima.stability.UnivariateKnots;
import dev.minima.stability.WeightFunction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The univariate sweep's function-space figures (Mulayoff et al. (2021), Fig. 3(a, b) and supplement Figs. 1–2): learned functions f(x) with
 * the data, and the second-derivative masses |f''| (Gaussian-smoothed, as the paper plots them) against the
 * weight function g(x).
 */
public final class UnivariateFigures {

    /** Points of the evaluation grid. */
    private static final int GRID = 801;

    /**
     * A labelled solution.
     *
     * @param label legend text
     * @param network the network
     */
    public record Solution(String label, ShallowReluNetwork network) {}

    private final double[] xs;
    private final double[] ys;
    private final double lo;
    private final double hi;

    /**
     * @param data the training set (d = 1)
     */
    public UnivariateFigures(SweepData data) {
        this.xs = data.x1();
        this.ys = data.y();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : xs) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double pad = 0.25 * Math.max(max - min, 1e-3);
        lo = min - pad;
        hi = max + pad;
    }

    private double[] grid() {
        double[] g = new double[GRID];
        for (int i = 0; i < GRID; i++) {
            g[i] = lo + (hi - lo) * i / (GRID - 1.0);
        }
        return g;
    }

    /**
     * f(x) of each solution with the training points; the values go to a CSV too.
     *
     * @param title chart title
     * @param solutions the solutions
     * @param png chart file
     * @param csv CSV file (x, then one column per solution)
     */
    public void functions(String title, List<Solution> solutions, Path png, Path csv) {
        double[] g = grid();
        XYChart chart = Charts.lines(title, "x", "f(x)", false, false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        double[][] values = new double[solutions.size()][];
        for (int s = 0; s < solutions.size(); s++) {
            ShallowReluNetwork net = solutions.get(s).network();
            values[s] = new double[GRID];
            for (int i = 0; i < GRID; i++) {
                values[s][i] = net.evaluate(new double[] {g[i]});
            }
            Charts.add(chart, solutions.get(s).label(), g, values[s], false);
        }
        XYSeries data = Charts.add(chart, "training data", xs, ys, true);
        data.setMarker(SeriesMarkers.CIRCLE);
        Charts.savePng(chart, png);
        List<String> header = new ArrayList<>(List.of("x"));
        solutions.forEach(s -> header.add(s.label()));
        try (CsvTable t = new CsvTable(csv, header)) {
            for (int i = 0; i < GRID; i++) {
                Object[] row = new Object[solutions.size() + 1];
                row[0] = g[i];
                for (int s = 0; s < solutions.size(); s++) {
                    row[s + 1] = values[s][i];
                }
                t.row(row);
            }
        }
    }

    /**
     * |f''| of each solution smoothed by a Gaussian of width 1% of the plotted range (f'' is a sum of point
     * masses Σ_c jump_c δ(x − c) at the merged knots), with g(x) on the right axis; the raw knots go to a CSV.
     *
     * @param title chart title
     * @param solutions the solutions
     * @param png chart file
     * @param csv CSV of every merged knot (solution, position, slope jump, neurons, g at the knot)
     */
    public void curvature(String title, List<Solution> solutions, Path png, Path csv) {
        double[] grid = grid();
        double h = 0.01 * (hi - lo);
        WeightFunction weight = WeightFunction.empirical(InputSample.ofScalars(xs));
        XYChart chart = Charts.lines(title, "x", "|f''(x)| (smoothed)", false, false);
        chart.getStyler().setXAxisDecimalPattern("0.0#");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        try (CsvTable t = new CsvTable(csv, List.of("solution", "position", "slope_jump", "neurons", "g"))) {
            for (Solution s : solutions) {
                List<UnivariateKnots.Knot> knots = UnivariateKnots.of(s.network()).knots();
                double[] mass = new double[GRID];
                for (UnivariateKnots.Knot k : knots) {
                    t.row(s.label(), k.position(), k.slopeJump(), k.neurons(), weight.g(k.position()));
                    for (int i = 0; i < GRID; i++) {
                        double u = (grid[i] - k.position()) / h;
                        mass[i] += Math.abs(k.slopeJump()) * Math.exp(-0.5 * u * u) / (h * Math.sqrt(2 * Math.PI));
                    }
                }
                Charts.add(chart, s.label(), grid, mass, false);
            }
        }
        double[] g = new double[GRID];
        for (int i = 0; i < GRID; i++) {
            g[i] = weight.g(grid[i]);
        }
        XYSeries gs = Charts.add(chart, "g(x) (right axis)", grid, g, false);
        gs.setYAxisGroup(1);
        gs.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
        chart.setYAxisGroupTitle(1, "g(x)");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        Charts.savePng(chart, png);
    }

    /**
     * Loss against iteration for the step-switch runs (log–log).
     *
     * @param title chart title
     * @param labels one label per run
     * @param steps iterations per run
     * @param losses losses per run
     * @param png chart file
     */
    public static void lossCurves(String title, List<String> labels, List<long[]> steps, List<double[]> losses, Path png) {
        XYChart chart = Charts.lines(title, "iteration + 1", "training loss", true, true);
        for (int r = 0; r < labels.size(); r++) {
            long[] t = steps.get(r);
            double[] x = new double[t.length];
            for (int i = 0; i < t.length; i++) {
                x[i] = t[i] + 1.0;
            }
            Charts.add(chart, labels.get(r), x, losses.get(r), false);
        }
        Charts.savePng(chart, png);
    }

    /**
     * @param eta a step size
     * @return a legend label "η = …"
     */
    public static String label(double eta) {
        return String.format(Locale.ROOT, "η = %.3g", eta);
    }
}
