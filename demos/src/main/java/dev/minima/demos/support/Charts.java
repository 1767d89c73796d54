package dev.minima.demos.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Small helpers around XChart: a line chart builder and an atomic PNG writer. */
public final class Charts {

    private Charts() {}

    /**
     * @param title chart title
     * @param xTitle x-axis title
     * @param yTitle y-axis title
     * @param logX logarithmic x axis
     * @param logY logarithmic y axis
     * @return an 900×600 chart
     */
    public static XYChart lines(String title, String xTitle, String yTitle, boolean logX, boolean logY) {
        XYChart chart = new XYChartBuilder().width(900).height(600).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setMarkerSize(5);
        return chart;
    }

    /**
     * Adds a line series, dropping non-finite points (and non-positive ones on log axes).
     *
     * @param chart the chart
     * @param name series name
     * @param x x values
     * @param y y values
     * @param markers draw markers instead of a line
     * @return the series
     */
    public static XYSeries add(XYChart chart, String name, double[] x, double[] y, boolean markers) {
        boolean logX = chart.getStyler().isXAxisLogarithmic();
        boolean logY = chart.getStyler().isYAxisLogarithmic();
        int n = 0;
        double[] xs = new double[x.length];
        double[] ys = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            boolean ok = Double.isFinite(x[i]) && Double.isFinite(y[i]) && (!logX || x[i] > 0) && (!logY || y[i] > 0);
            if (ok) {
                xs[n] = x[i];
                ys[n] = y[i];
                n++;
            }
        }
        if (n == 0) { // XChart refuses empty series
            xs = new double[] {Double.NaN};
            ys = new double[] {Double.NaN};
            n = 1;
        }
        XYSeries s = chart.addSeries(name, java.util.Arrays.copyOf(xs, n), java.util.Arrays.copyOf(ys, n));
        if (markers) {
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        } else {
            s.setMarker(SeriesMarkers.NONE);
        }
        return s;
    }

    /**
     * Writes a chart as PNG atomically (temporary file, then rename).
     *
     * @param chart the chart
     * @param file the .png file
     */
    public static void savePng(XYChart chart, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = dev.minima.util.AtomicFiles.createTempBeside(file, ".png");
            BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write chart " + file + ": " + e.getMessage(), e);
        }
    }
}
