package dev.minima.landscape;

import dev.minima.curvature.SpectralDensityEstimate;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG pictures of the landscape of one or several models (keyed by name, e.g. "SGD" and "SAM"), drawn on the
 * same scales so that they can be compared: 1-D slices as line plots, 2-D slices as contour maps, spectral
 * densities on a log density axis with the top eigenvalues marked (PyHessian's picture, Yao et al. 2020),
 * per-layer curvature and sharpness measures as bar charts. Every file is written atomically.
 */
public final class LandscapeCharts {

    private LandscapeCharts() {}

    /**
     * 1-D slices: the loss of every model against the coordinate on one chart, and the accuracy beside it when
     * it was evaluated.
     *
     * @param surfaces 1-D surfaces by model name
     * @param title the chart title
     * @param xTitle the coordinate's name, e.g. "alpha (filter-normalised random direction)"
     * @param logLoss use a logarithmic loss axis
     * @param file the PNG file
     */
    public static void slices(Map<String, Surface> surfaces, String title, String xTitle, boolean logLoss, Path file) {
        XYChart loss = xy(title, xTitle, "loss" + (logLoss ? " (log scale)" : ""), 700, 520);
        loss.getStyler().setYAxisLogarithmic(logLoss);
        XYChart acc = xy("accuracy along the same slice", xTitle, "accuracy", 700, 520);
        boolean withAccuracy = false;
        for (Map.Entry<String, Surface> e : surfaces.entrySet()) {
            Surface s = e.getValue();
            if (s.dimensions() != 1) {
                throw new IllegalArgumentException("slices() draws 1-D surfaces; use contours() for 2-D");
            }
            series(loss, e.getKey(), s.x(), s.loss1d());
            if (!Double.isNaN(s.accuracy1d()[0])) {
                series(acc, e.getKey(), s.x(), s.accuracy1d());
                withAccuracy = true;
            }
        }
        mark(loss, 0, loss.getStyler().isYAxisLogarithmic());
        List<Chart<?, ?>> charts = new ArrayList<>();
        charts.add(loss);
        if (withAccuracy) {
            charts.add(acc);
        }
        save(charts, 1, charts.size(), file);
    }

    /**
     * 2-D slices as filled contour maps of log₁₀ loss, side by side on one colour scale with shared contour levels;
     * the centre θ is marked with a red cross.
     *
     * @param surfaces 2-D surfaces by model name
     * @param title the figure title
     * @param xTitle the first coordinate's name
     * @param yTitle the second coordinate's name
     * @param file the PNG file
     */
    public static void contours(Map<String, Surface> surfaces, String title, String xTitle, String yTitle, Path file) {
        ContourPlot.write(surfaces, title, xTitle, yTitle, 14, file);
    }

    /**
     * Spectral densities side by side, on a common eigenvalue range and a common log density axis, smoothed with
     * one common Gaussian width, each with its top eigenvalues marked by vertical lines.
     *
     * @param densities SLQ estimates by model name (their nodes and weights are used)
     * @param topEigenvalues the top eigenvalues (e.g. from Lanczos) by model name, may be empty
     * @param sigma the width of the Gaussian kernel; ≤ 0 for 1% of the common eigenvalue range
     * @param file the PNG file
     */
    public static void spectralDensity(Map<String, SpectralDensityEstimate> densities,
            Map<String, double[]> topEigenvalues, double sigma, Path file) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (SpectralDensityEstimate d : densities.values()) {
            for (double[] row : d.nodes()) {
                for (double v : row) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        for (double[] top : topEigenvalues.values()) {
            for (double v : top) {
                hi = Math.max(hi, v);
            }
        }
        double s = sigma > 0 ? sigma : 0.01 * (hi > lo ? hi - lo : 1);
        double a = lo - 5 * s;
        double b = hi + 5 * s;
        int n = 800;
        double[] grid = new double[n];
        for (int i = 0; i < n; i++) {
            grid[i] = a + (b - a) * i / (n - 1);
        }
        double floor = Double.POSITIVE_INFINITY;
        double peak = 0;
        Map<String, double[]> curves = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, SpectralDensityEstimate> e : densities.entrySet()) {
            double[] d = density(e.getValue(), grid, s);
            curves.put(e.getKey(), d);
            for (double v : d) {
                peak = Math.max(peak, v);
            }
        }
        floor = Math.max(peak * 1e-10, Double.MIN_NORMAL);
        List<Chart<?, ?>> charts = new ArrayList<>();
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            XYChart c = xy(e.getKey() + ": Hessian eigenvalue density (SLQ)", "eigenvalue", "density (log scale)",
                    620, 480);
            c.getStyler().setYAxisLogarithmic(true);
            c.getStyler().setXAxisMin(a);
            c.getStyler().setXAxisMax(b);
            c.getStyler().setYAxisMin(floor);
            c.getStyler().setYAxisMax(peak * 2);
            double[] y = e.getValue().clone();
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.max(y[i], floor);
            }
            series(c, "density", grid, y);
            double[] top = topEigenvalues.getOrDefault(e.getKey(), new double[0]);
            for (int k = 0; k < top.length; k++) {
                XYSeries line = c.addSeries("top eigenvalue " + (k + 1), new double[] {top[k], top[k]},
                        new double[] {floor, peak * 2});
                line.setMarker(SeriesMarkers.NONE);
                line.setLineColor(java.awt.Color.RED);
                line.setShowInLegend(k == 0);
                if (k == 0) {
                    line.setLabel(String.format(Locale.ROOT, "top %d eigenvalues (lambda_max %.3g)", top.length,
                            top[0]));
                }
            }
            charts.add(c);
        }
        save(charts, 1, charts.size(), file);
    }

    /**
     * Per-layer λ_max and trace as grouped bars (one group per parameter block, one bar per model), on log axes.
     *
     * @param tables per-layer tables by model name, with the same blocks in the same order
     * @param file the PNG file
     */
    public static void layers(Map<String, LayerCurvatureTable> tables, Path file) {
        CategoryChart top = bars("lambda_max of each parameter block's Hessian", "parameter block",
                "lambda_max (log scale)");
        CategoryChart tr = bars("trace of each parameter block's Hessian", "parameter block", "trace (log scale)");
        for (Map.Entry<String, LayerCurvatureTable> e : tables.entrySet()) {
            List<String> names = new ArrayList<>();
            List<Double> lm = new ArrayList<>();
            List<Double> t = new ArrayList<>();
            for (LayerCurvatureTable.Row r : e.getValue().rows()) {
                names.add(r.name());
                lm.add(positive(r.lambdaMax()));
                t.add(positive(r.trace()));
            }
            top.addSeries(e.getKey(), names, lm);
            tr.addSeries(e.getKey(), names, t);
        }
        logRange(top);
        logRange(tr);
        save(List.of(top, tr), 1, 2, file);
    }

    /**
     * Every sharpness measure as its own small bar chart, one bar per model (with ± 2 standard errors for
     * average-case measures), so that each measure is compared on its own scale.
     *
     * @param estimates for each model name, its estimates in the same order of measures
     * @param file the PNG file
     */
    public static void sharpness(Map<String, List<SharpnessEstimate>> estimates, Path file) {
        List<SharpnessEstimate> first = estimates.values().iterator().next();
        List<Chart<?, ?>> charts = new ArrayList<>();
        for (int m = 0; m < first.size(); m++) {
            SharpnessEstimate ref = first.get(m);
            String radius = (ref.measure().contains("average") ? "sigma " : "rho ") + String.format(Locale.ROOT,
                    "%.3g", ref.radius());
            CategoryChart c = new CategoryChartBuilder().width(420).height(340).title(ref.measure() + " (" + radius
                    + ")").xAxisTitle("").yAxisTitle("loss increase").build();
            c.getStyler().setLegendVisible(false);
            c.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 13));
            c.getStyler().setYAxisMin(0.0);
            c.getStyler().setErrorBarsColor(java.awt.Color.BLACK);
            List<String> names = new ArrayList<>(estimates.keySet());
            List<Double> values = new ArrayList<>();
            List<Double> errors = new ArrayList<>();
            for (String name : names) {
                SharpnessEstimate e = estimates.get(name).get(m);
                values.add(e.value());
                errors.add(2 * e.standardError());
            }
            c.addSeries("value", names, values, errors);
            charts.add(c);
        }
        int cols = Math.min(3, charts.size());
        int rows = (charts.size() + cols - 1) / cols;
        while (charts.size() < rows * cols) { // BitmapEncoder wants a full grid
            CategoryChart blank = new CategoryChartBuilder().width(420).height(340).build();
            blank.addSeries(" ", List.of(" "), List.of(0.0));
            blank.getStyler().setLegendVisible(false);
            blank.getStyler().setAxisTicksVisible(false);
            charts.add(blank);
        }
        save(charts, rows, cols, file);
    }

    static double[] density(SpectralDensityEstimate d, double[] grid, double sigma) {
        double[][] nodes = d.nodes();
        double[][] weights = d.weights();
        double norm = 1.0 / (nodes.length * sigma * Math.sqrt(2 * Math.PI));
        double[] out = new double[grid.length];
        for (int i = 0; i < grid.length; i++) {
            double v = 0;
            for (int p = 0; p < nodes.length; p++) {
                for (int k = 0; k < nodes[p].length; k++) {
                    double z = (grid[i] - nodes[p][k]) / sigma;
                    v += weights[p][k] * Math.exp(-0.5 * z * z);
                }
            }
            out[i] = v * norm;
        }
        return out;
    }

    /** Bars on a log axis need an explicit positive minimum (XChart starts bars at 0 otherwise). */
    private static void logRange(CategoryChart c) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (var s : c.getSeriesMap().values()) {
            for (Number n : s.getYData()) {
                double v = n.doubleValue();
                if (v > Double.MIN_NORMAL) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (hi > 0) {
            c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));
            c.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi))));
        }
    }

    private static double positive(double v) {
        return v > 0 ? v : Double.MIN_NORMAL;
    }

    private static XYChart xy(String title, String xTitle, String yTitle, int w, int h) {
        XYChart c = new XYChartBuilder().width(w).height(h).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideN);
        c.getStyler().setMarkerSize(4);
        return c;
    }

    private static CategoryChart bars(String title, String xTitle, String yTitle) {
        CategoryChart c = new CategoryChartBuilder().width(620).height(480).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return c;
    }

    private static void series(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    /** A dashed vertical line at x over the chart's current y range: where θ itself sits. */
    private static void mark(XYChart c, double x, boolean log) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : c.getSeriesMap().values()) {
            for (double v : s.getYData()) {
                if (Double.isFinite(v) && (!log || v > 0)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!(hi >= lo)) {
            return;
        }
        XYSeries line = c.addSeries("theta (trained parameters)", new double[] {x, x}, new double[] {lo, hi});
        line.setMarker(SeriesMarkers.NONE);
        line.setLineColor(java.awt.Color.GRAY);
        line.setLineStyle(new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER,
                10f, new float[] {6f, 4f}, 0f));
    }

    private static void save(List<Chart<?, ?>> charts, int rows, int cols, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                BitmapEncoder.saveBitmap(charts, rows, cols, out, BitmapEncoder.BitmapFormat.PNG);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write chart " + file + ": " + e.getMessage(), e);
        }
    }
}
