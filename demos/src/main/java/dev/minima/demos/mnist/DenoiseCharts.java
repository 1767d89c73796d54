package dev.minima.demos.mnist;

import dev.minima.demos.support.Charts;
import dev.minima.linear.GainProfile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;

/** The charts of {@code mnist-denoise}: loss curves, gain profiles (Mulayoff &amp; Michaeli 2020, Fig. 6) and the grid (Fig. 4). */
public final class DenoiseCharts {

    private static final java.awt.Color SGD = new java.awt.Color(31, 119, 180);
    private static final java.awt.Color ADAM = new java.awt.Color(214, 39, 40);

    private DenoiseCharts() {}

    /**
     * Training (running mean of batch losses) and validation loss per epoch.
     *
     * @param sgdTrain SGD's training loss per epoch
     * @param sgdVal SGD's validation loss per epoch
     * @param adamTrain Adam's training loss per epoch
     * @param adamVal Adam's validation loss per epoch
     * @param baseline the training loss of the mean-image predictor (drawn as a horizontal line; NaN for none)
     * @param file the PNG
     */
    public static void loss(List<Double> sgdTrain, List<Double> sgdVal, List<Double> adamTrain, List<Double> adamVal,
            double baseline, Path file) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (List<Double> l : List.of(sgdTrain, sgdVal, adamTrain, adamVal)) {
            for (double v : l) {
                if (Double.isFinite(v) && v > 0) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        boolean log = hi / lo >= 100; // XChart labels only decades on a log axis
        XYChart chart = Charts.lines("MNIST denoising: loss per epoch (per-pixel MSE)", "epoch", "loss", false, log);
        Charts.add(chart, "SGD train", epochs(sgdTrain), values(sgdTrain), false);
        Charts.add(chart, "SGD validation", epochs(sgdVal), values(sgdVal), false);
        Charts.add(chart, "Adam train", epochs(adamTrain), values(adamTrain), false);
        Charts.add(chart, "Adam validation", epochs(adamVal), values(adamVal), false);
        int n = Math.max(sgdTrain.size(), adamTrain.size());
        if (Double.isFinite(baseline) && n >= 1) {
            Charts.add(chart, "mean-image loss (plateau)", new double[] {1, Math.max(n, 2)},
                    new double[] {baseline, baseline}, false);
        }
        Charts.savePng(chart, file);
    }

    /**
     * Mulayoff &amp; Michaeli's (2020) Fig. 6: the largest gain max_x ‖h_k(x)‖/‖x‖ found up to each layer, and the gain of the
     * signal with the largest end-to-end amplification.
     *
     * @param sgd SGD's profile
     * @param adam Adam's profile
     * @param file the PNG
     */
    public static void gains(GainProfile sgd, GainProfile adam, Path file) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (double[] g : new double[][] {sgd.maxGains(), adam.maxGains(), sgd.topSignalGains(), adam.topSignalGains()}) {
            for (double v : g) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        boolean log = lo > 0 && hi / lo > 20; // XChart labels only decades on a log axis
        XYChart chart = Charts.lines("Intermediate gains (Mulayoff & Michaeli 2020, Fig. 6)", "layer k", "gain ||h_k(x)|| / ||x||",
                false, log);
        double[] layers = new double[sgd.maxGains().length];
        for (int k = 0; k < layers.length; k++) {
            layers[k] = k + 1;
        }
        Charts.add(chart, "SGD: max gain", layers, sgd.maxGains(), true).setMarkerColor(SGD);
        Charts.add(chart, "SGD: top end-to-end signal", layers, sgd.topSignalGains(), false).setLineColor(SGD);
        Charts.add(chart, "Adam: max gain", layers, adam.maxGains(), true).setMarkerColor(ADAM);
        Charts.add(chart, "Adam: top end-to-end signal", layers, adam.topSignalGains(), false).setLineColor(ADAM);
        Charts.savePng(chart, file);
    }

    /**
     * Mulayoff &amp; Michaeli's (2020) Fig. 4: λ_max against η for each depth (converged runs only) with the 2/η line, and the
     * smallest λ_max per depth.
     *
     * @param rows grid rows with depth, eta, converged, lmax
     * @param depths the depths
     * @param file the PNG (a second file, {@code *-min.png}, gets the per-depth minimum)
     */
    public static void grid(List<Map<String, Object>> rows, int[] depths, Path file) {
        XYChart chart = Charts.lines("Sharpness vs step size per depth (Mulayoff & Michaeli 2020, Fig. 4a; identity init)", "eta",
                "lambda_max", true, true);
        double[] minPerDepth = new double[depths.length];
        double[] depthAxis = new double[depths.length];
        java.util.TreeSet<Double> etaSet = new java.util.TreeSet<>();
        for (int i = 0; i < depths.length; i++) {
            int m = depths[i];
            depthAxis[i] = m;
            List<Map<String, Object>> mine = rows.stream().filter(r -> ((Number) r.get("depth")).intValue() == m).toList();
            double[] eta = new double[mine.size()];
            double[] lam = new double[mine.size()];
            double min = Double.NaN;
            for (int j = 0; j < mine.size(); j++) {
                eta[j] = ((Number) mine.get(j).get("eta")).doubleValue();
                etaSet.add(eta[j]);
                Object l = mine.get(j).get("lmax");
                lam[j] = l == null ? Double.NaN : ((Number) l).doubleValue();
                if (Double.isFinite(lam[j]) && !(lam[j] >= min)) {
                    min = lam[j];
                }
            }
            minPerDepth[i] = min;
            Charts.add(chart, "depth " + m, eta, lam, false).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
        }
        double[] etas = etaSet.stream().mapToDouble(Double::doubleValue).toArray();
        double[] thr = new double[etas.length];
        for (int j = 0; j < etas.length; j++) {
            thr[j] = 2 / etas[j];
        }
        Charts.add(chart, "2/eta", etas, thr, false);
        Charts.savePng(chart, file);

        XYChart min = Charts.lines("Flattest minimum found per depth (Mulayoff & Michaeli 2020, Fig. 4b)", "depth m",
                "min lambda_max over eta", false, false);
        Charts.add(min, "min lambda_max", depthAxis, minPerDepth, false)
                .setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
        String name = file.getFileName().toString().replaceFirst("\\.png$", "");
        Charts.savePng(min, file.resolveSibling(name + "-min.png"));
    }

    /**
     * λ_max during training (the trace probe) and the dead-unit fraction of the last hidden layer, against the step.
     *
     * @param traces per optimizer name ("sgd", "adam"): its trace points (step, lmax, dead_units)
     * @param file the PNG (a second file, {@code *-dead.png}, gets the dead units)
     */
    public static void trace(Map<String, List<Map<String, Object>>> traces, Path file) {
        XYChart chart = Charts.lines("lambda_max during training (trace probe)", "step", "lambda_max", false, false);
        XYChart dead = Charts.lines("Dead units of the last hidden layer during training", "step",
                "fraction of units zero on every probe image", false, false);
        for (Map.Entry<String, List<Map<String, Object>>> e : traces.entrySet()) {
            List<Map<String, Object>> pts = e.getValue();
            if (pts == null || pts.isEmpty()) {
                continue;
            }
            double[] step = new double[pts.size()];
            double[] lam = new double[pts.size()];
            double[] last = new double[pts.size()];
            for (int i = 0; i < step.length; i++) {
                step[i] = ((Number) pts.get(i).get("step")).doubleValue();
                lam[i] = ((Number) pts.get(i).get("lmax")).doubleValue();
                List<?> d = (List<?>) pts.get(i).get("dead_units");
                last[i] = d == null || d.isEmpty() ? Double.NaN : ((Number) d.get(d.size() - 1)).doubleValue();
            }
            java.awt.Color color = "sgd".equals(e.getKey()) ? SGD : ADAM;
            String label = "sgd".equals(e.getKey()) ? "SGD" : "Adam";
            Charts.add(chart, label, step, lam, true).setLineColor(color);
            Charts.add(dead, label, step, last, true).setLineColor(color);
        }
        Charts.savePng(chart, file);
        String name = file.getFileName().toString().replaceFirst("\\.png$", "");
        Charts.savePng(dead, file.resolveSibling(name + "-dead.png"));
    }

    private static double[] epochs(List<Double> v) {
        double[] x = new double[v.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        return x;
    }

    private static double[] values(List<Double> v) {
        return v.stream().mapToDouble(d -> d == null ? Double.NaN : d).toArray();
    }
}
