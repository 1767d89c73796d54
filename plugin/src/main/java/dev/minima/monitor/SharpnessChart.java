package dev.minima.monitor;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the monitor's records as a PNG (XChart): λ_max and 2/η against the step on top, the probe loss
 * below, and the preconditioned sharpness against its threshold in a third panel when it was measured.
 * Written atomically (temporary file beside the target, then a rename).
 */
public final class SharpnessChart {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 380;

    private SharpnessChart() {}

    /**
     * Checks that XChart, an optional dependency of Minima, is on the class path.
     *
     * @throws IllegalStateException naming the dependency to add if it is not
     */
    public static void requireXChart() {
        try {
            Class.forName("org.knowm.xchart.XYChart", false, SharpnessChart.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("charts need XChart, an optional dependency of Minima: add"
                    + " org.knowm.xchart:xchart:3.8.8 to your build, or drop optChart and use optCsv", e);
        }
    }

    /**
     * @param records the records, in step order
     * @param file the PNG file
     * @param title the chart title
     * @throws IllegalStateException if there are no records
     * @throws UncheckedIOException if the file cannot be written
     */
    public static void write(List<SharpnessRecord> records, Path file, String title) {
        if (records.isEmpty()) {
            throw new IllegalStateException("no sharpness records yet: nothing to draw in " + file);
        }
        List<XYChart> charts = new ArrayList<>();
        XYChart sharp = chart(title, "lambda_max");
        addSeries(sharp, "lambda_max", records, r -> r.lambdaMax(), true);
        addSeries(sharp, "2/eta", records, SharpnessRecord::threshold, false);
        charts.add(sharp);
        XYChart loss = chart("probe loss", "loss");
        double min = records.stream().mapToDouble(SharpnessRecord::loss).filter(Double::isFinite).min().orElse(0);
        double max = records.stream().mapToDouble(SharpnessRecord::loss).filter(Double::isFinite).max().orElse(0);
        loss.getStyler().setYAxisLogarithmic(min > 0 && max / min >= 100); // log axis only over 2+ decades
        addSeries(loss, "loss", records, SharpnessRecord::loss, true);
        charts.add(loss);
        if (records.stream().anyMatch(r -> Double.isFinite(r.snapshot().preconditionedLambdaMax()))) {
            XYChart pre = chart("preconditioned sharpness", "lambda_max(P^-1 H)");
            addSeries(pre, "lambda_max(P^-1 H)", records, r -> r.snapshot().preconditionedLambdaMax(), true);
            addSeries(pre, "threshold", records, SharpnessRecord::preconditionedThreshold, false);
            charts.add(pre);
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = dev.minima.util.AtomicFiles.createTempBeside(file, ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                BitmapEncoder.saveBitmap(charts, charts.size(), 1, out, BitmapEncoder.BitmapFormat.PNG);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the sharpness chart " + file + ": " + e.getMessage(), e);
        }
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("step")
                .yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        c.getStyler().setMarkerSize(4);
        return c;
    }

    private static void addSeries(XYChart c, String name, List<SharpnessRecord> records,
            java.util.function.ToDoubleFunction<SharpnessRecord> y, boolean markers) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (SharpnessRecord r : records) {
            double v = y.applyAsDouble(r);
            if (Double.isFinite(v)) {
                xs.add((double) r.step());
                ys.add(v);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        XYSeries s = c.addSeries(name, xs, ys);
        s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }
}
