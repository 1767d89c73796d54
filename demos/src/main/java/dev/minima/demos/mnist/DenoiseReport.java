package dev.minima.demos.mnist;

import dev.minima.demos.support.Report;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.md} of {@code mnist-denoise}: Mulayoff &amp; Michaeli's (2020) claims (Sec. 6, Table S1, Figs. 4 and 6)
 * beside this run.
 */
public final class DenoiseReport {

    /** Mulayoff &amp; Michaeli (2020), Table S1: λ_max of SGD (η = 1/2) and Adam (3e-4) minima of a six-layer denoiser. */
    static final double PAPER_SGD_LMAX = 1.76;
    static final double PAPER_ADAM_LMAX = 12.9;

    /** "Several times sharper": the ratio this report asks of Adam over SGD to call the claim reproduced. */
    static final double SEVERAL = 2.0;

    private DenoiseReport() {}

    /**
     * Builds and writes the report.
     *
     * @param summary the summary (config, sgd, adam, optional grid)
     * @param file the report file
     */
    @SuppressWarnings("unchecked")
    public static void write(Map<String, Object> summary, Path file) {
        Map<String, Object> config = (Map<String, Object>) summary.get("config");
        Map<String, Object> sgd = (Map<String, Object>) summary.get("sgd");
        Map<String, Object> adam = (Map<String, Object>) summary.get("adam");
        Report r = new Report("mnist-denoise: flat minima of SGD vs sharp minima of Adam (Mulayoff & Michaeli 2020)");
        r.intro(String.format(Locale.ROOT, "Mode %s: %s training and %s validation images of noisy MNIST (sigma %s),"
                + " %s epochs per optimizer, depth %s, width 784, batch %s, %s initialisation, seed %s.",
                config.get("mode"), config.get("train"), config.get("val"), config.get("sigma"), config.get("epochs"),
                config.get("depth"), config.get("batch"), config.get("init"), config.get("seed")));
        r.intro("Loss convention: " + config.get("loss") + ", the per-pixel quadratic loss whose values (about"
                + " 0.027) the paper's Table S1 reports; its Hessian is 1/784 of the Hessian of the loss summed over"
                + " pixels. lambda_max is Lanczos on the exact Hessian of this loss over the first "
                + config.get("probe") + " training images (the paper used the power method; the stability theory"
                + " concerns the training loss). Gains are max ||h_k(x)|| / ||x|| over inputs on the sphere"
                + " ||x|| = " + fmt(config.get("gain_radius")) + " (the mean norm of the noisy inputs; the network"
                + " has biases, so the ratio needs a fixed input norm), by gradient ascent (dev.minima.linear.GainAscent)"
                + " from " + config.get("gain_starts") + " random starts, at most " + config.get("gain_iterations")
                + " iterations per layer.");

        Double sgdL = num(sgd.get("lmax"));
        Double adamL = num(adam.get("lmax"));
        Double thr = num(sgd.get("threshold"));
        boolean sgdOk = sgdL != null && thr != null && sgdL <= thr;
        r.claim("SGD (eta = " + fmt(sgd.get("learning_rate")) + ") ends at a point whose sharpness is below 2/eta"
                        + " (Table S1: 1.76 < 4)",
                sgdL == null ? "SGD diverged: no minimum" : "lambda_max = " + fmt(sgdL) + " +/- "
                        + fmt(sgd.get("lmax_residual")) + ", 2/eta = " + fmt(thr),
                sgdOk);
        boolean sharper = sgdL != null && adamL != null && adamL >= SEVERAL * sgdL;
        r.claim(String.format(Locale.ROOT, "Adam's minimum is several times sharper (Table S1: %.2f vs %.2f, %.1fx;"
                        + " the text says roughly 6x)", PAPER_ADAM_LMAX, PAPER_SGD_LMAX, PAPER_ADAM_LMAX / PAPER_SGD_LMAX),
                sgdL == null || adamL == null ? "not measured (a run diverged)"
                        : String.format(Locale.ROOT, "Adam %.3g vs SGD %.3g: %.2fx (counted as 'several' from %.0fx)",
                                adamL, sgdL, adamL / sgdL, SEVERAL),
                sharper);
        List<Double> sg = (List<Double>) sgd.get("gain_profile");
        List<Double> ag = (List<Double>) adam.get("gain_profile");
        if (sg != null && ag != null) {
            int larger = 0;
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < sg.size(); k++) {
                if (ag.get(k) > sg.get(k)) {
                    larger++;
                }
                sb.append(String.format(Locale.ROOT, "%sk=%d: %.3g vs %.3g", k == 0 ? "" : "; ", k + 1, ag.get(k),
                        sg.get(k)));
            }
            r.claim("Adam's intermediate gains are large, SGD's restrained (Fig. 6; counted as agreeing when Adam's"
                            + " largest gain is the larger at more than half of the layers)",
                    "Adam larger at " + larger + " of " + sg.size() + " layers (Adam vs SGD, " + sb + ")",
                    2 * larger > sg.size());
        }
        r.claim("Both reach a per-pixel loss near 0.027 (Table S1: SGD train 2.69e-2 / val 2.70e-2, Adam 2.74e-2 /"
                        + " 2.80e-2)",
                String.format(Locale.ROOT, "SGD train %s / val %s, Adam train %s / val %s", fmt(sgd.get("train_loss")),
                        fmt(sgd.get("val_loss")), fmt(adam.get("train_loss")), fmt(adam.get("val_loss"))),
                near(sgd.get("train_loss"), 0.0269) && near(adam.get("train_loss"), 0.0274));
        List<Map<String, Object>> grid = (List<Map<String, Object>>) summary.get("grid");
        if (grid != null) {
            Map<String, Object> g = (Map<String, Object>) summary.get("grid_config");
            r.intro("Depth x step grid (Fig. 4): SGD from the identity initialisation (W = I, b = 0) on the same training"
                    + " images, " + g.get("epochs") + " epochs per cell; a cell counts as converged when its training"
                    + " loss ends finite and below " + g.get("loss") + ", and only converged cells get a lambda_max.");
            gridClaims(r, grid);
        }
        if ("quick".equals(config.get("mode"))) {
            r.note("Quick mode trains on a subset for a few epochs, so neither optimizer has reached the paper's"
                    + " fully trained minimum: losses are higher than 0.027 and Adam, whose sharpness grows slowly at"
                    + " a small step, may not yet be as sharp as in the paper. Run with --full for the paper's scale.");
        }
        r.note("The paper averages four initialisations; this run uses one (--seed).");
        r.note("For Adam, 2/eta (= " + fmt(2 / ((Number) adam.get("learning_rate")).doubleValue()) + ") is not the"
                + " relevant threshold (its stability is governed by the preconditioned sharpness), so `threshold` is"
                + " null for Adam.");
        r.write(file);
    }

    private static void gridClaims(Report r, List<Map<String, Object>> grid) {
        java.util.TreeMap<Integer, java.util.TreeMap<Double, Double>> byDepth = new java.util.TreeMap<>();
        java.util.TreeMap<Integer, Double> largestEta = new java.util.TreeMap<>();
        for (Map<String, Object> row : grid) {
            int m = ((Number) row.get("depth")).intValue();
            double eta = ((Number) row.get("eta")).doubleValue();
            Double l = num(row.get("lmax"));
            byDepth.computeIfAbsent(m, k -> new java.util.TreeMap<>());
            if (l != null) {
                byDepth.get(m).put(eta, l);
                largestEta.merge(m, eta, Math::max);
            }
        }
        int monotone = 0;
        int depthsWithTwo = 0;
        StringBuilder mins = new StringBuilder();
        Double prevMin = null;
        boolean minGrows = true;
        for (var e : byDepth.entrySet()) {
            List<Double> ls = List.copyOf(e.getValue().values());
            if (ls.size() >= 2) {
                depthsWithTwo++;
                boolean dec = true;
                for (int i = 1; i < ls.size(); i++) {
                    dec &= ls.get(i) <= ls.get(i - 1);
                }
                monotone += dec ? 1 : 0;
            }
            if (!ls.isEmpty()) {
                double min = ls.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
                mins.append(String.format(Locale.ROOT, "%sm=%d: %.3g", mins.length() == 0 ? "" : "; ", e.getKey(), min));
                if (prevMin != null && min < prevMin) {
                    minGrows = false;
                }
                prevMin = min;
            }
        }
        r.claim("Larger step sizes lead to flatter minima (Fig. 4a)",
                "lambda_max falls with eta at " + monotone + " of " + depthsWithTwo + " depths with two or more converged"
                        + " step sizes",
                depthsWithTwo > 0 && monotone == depthsWithTwo);
        StringBuilder eta = new StringBuilder();
        largestEta.forEach((m, v) -> eta.append(String.format(Locale.ROOT, "%sm=%d: %.3g", eta.length() == 0 ? "" : "; ",
                m, v)));
        boolean shrinks = true;
        Double prev = null;
        for (double v : largestEta.values()) {
            if (prev != null && v > prev) {
                shrinks = false;
            }
            prev = v;
        }
        double first = largestEta.isEmpty() ? Double.NaN : largestEta.firstEntry().getValue();
        double last = largestEta.isEmpty() ? Double.NaN : largestEta.lastEntry().getValue();
        r.claim("The largest step size that converges shrinks like 1/m (Fig. 4a; counted as agreeing when it never"
                        + " grows with depth and is smaller at the deepest than at the shallowest depth)",
                "largest converged eta: " + eta, largestEta.size() >= 2 && shrinks && last < first);
        r.claim("The flattest minimum gets sharper with depth, roughly linearly (Fig. 4b)",
                "min lambda_max per depth: " + mins, byDepth.size() >= 2 && minGrows);
    }

    private static boolean near(Object value, double target) {
        Double v = num(value);
        return v != null && Math.abs(v - target) <= 0.2 * target;
    }

    private static Double num(Object o) {
        return o instanceof Number n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
    }

    private static String fmt(Object o) {
        if (o instanceof Number n) {
            return String.format(Locale.ROOT, "%.4g", n.doubleValue());
        }
        return String.valueOf(o);
    }
}
