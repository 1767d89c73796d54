package dev.minima.demos.sweeps;

import dev.minima.demos.support.Charts;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The sharpness-versus-step-size chart both sweeps draw (Mulayoff et al. (2021), Fig. 3(c); Nacson et al. (2023), Fig. 4(a)). */
public final class SweepCharts {

    private SweepCharts() {}

    /**
     * Log–log chart of 2/η, λ_max(θ_GD) (Gram and DJL Hessian), the flattest rescaling's λ and 1 + 2S against η,
     * over the usable runs; the 2/η line spans every η of the grid.
     *
     * @param title chart title
     * @param all every run (for the 2/η line)
     * @param usable the runs to plot
     * @param file the PNG
     */
    public static void sharpness(String title, List<SweepPoint> all, List<SweepPoint> usable, Path file) {
        XYChart chart = Charts.lines(title, "step size η", "sharpness", true, true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(8);
        double[] etaAll = all.stream().mapToDouble(SweepPoint::eta).toArray();
        double[] edge = all.stream().mapToDouble(SweepPoint::threshold).toArray();
        double[] eta = column(usable, SweepPoint::eta);
        Charts.add(chart, "2/η (edge of stability)", etaAll, edge, false);
        XYSeries lam = Charts.add(chart, "λ_max(θ_GD), Gram", eta, column(usable, SweepPoint::lmax), true);
        lam.setMarker(SeriesMarkers.CIRCLE);
        XYSeries djl = Charts.add(chart, "λ_max(θ_GD), DJL Hessian (Lanczos)", eta,
                column(usable, SweepPoint::lmaxLanczos), true);
        djl.setMarker(SeriesMarkers.CROSS);
        XYSeries flat = Charts.add(chart, "flattest rescaling λ", eta, column(usable, SweepPoint::flattestLambda), false);
        flat.setMarker(SeriesMarkers.DIAMOND);
        XYSeries low = Charts.add(chart, "1 + 2S (lower bound)", eta, column(usable, SweepPoint::lowerBound), false);
        low.setMarker(SeriesMarkers.SQUARE);
        Charts.savePng(chart, file);
    }

    /**
     * @param title chart title
     * @param usable the runs to plot
     * @param file the PNG
     */
    public static void biasNorm(String title, List<SweepPoint> usable, Path file) {
        XYChart chart = Charts.lines(title, "step size η", "norm", true, false);
        XYSeries s = Charts.add(chart, "‖b̄‖, offsets b̄_i = −b_i/‖w_i‖ (judged)", column(usable, SweepPoint::eta),
                column(usable, SweepPoint::offsetNorm), false);
        s.setMarker(SeriesMarkers.CIRCLE);
        XYSeries raw = Charts.add(chart, "raw ‖b‖ (not rescaling-invariant)", column(usable, SweepPoint::eta),
                column(usable, SweepPoint::biasNorm), false);
        raw.setMarker(SeriesMarkers.SQUARE);
        Charts.savePng(chart, file);
    }

    static double[] column(List<SweepPoint> points, java.util.function.ToDoubleFunction<SweepPoint> f) {
        return points.stream().mapToDouble(f).toArray();
    }
}
