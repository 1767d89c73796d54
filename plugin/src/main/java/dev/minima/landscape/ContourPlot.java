package dev.minima.landscape;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Contour maps of 2-D loss surfaces drawn with {@code java.awt} (XChart has no contour chart): each surface a
 * panel, side by side, filled by log₁₀ loss on one shared colour scale with shared contour levels, the
 * coordinates on the axes and the centre θ marked with a cross.
 */
final class ContourPlot {

    private static final int PANEL = 520;
    private static final int LEFT = 70;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final int RIGHT = 20;
    private static final int BAR = 110;
    private static final double[][] STOPS = { // a perceptually ordered dark-blue → yellow map
        {0.00, 0.267, 0.005, 0.329}, {0.25, 0.229, 0.322, 0.546}, {0.50, 0.128, 0.567, 0.551},
        {0.75, 0.369, 0.789, 0.383}, {1.00, 0.993, 0.906, 0.144}};

    private ContourPlot() {}

    static void write(Map<String, Surface> surfaces, String title, String xTitle, String yTitle, int levels,
            Path file) {
        double zmin = Double.POSITIVE_INFINITY;
        double zmax = Double.NEGATIVE_INFINITY;
        for (Surface s : surfaces.values()) {
            if (s.dimensions() != 2) {
                throw new IllegalArgumentException("a contour map needs 2-D surfaces; got a 1-D one");
            }
            zmin = Math.min(zmin, log(s.minLoss()));
            zmax = Math.max(zmax, log(s.maxLoss()));
        }
        if (!(zmax > zmin)) {
            zmax = zmin + 1;
        }
        int n = surfaces.size();
        int width = n * (LEFT + PANEL + RIGHT) + BAR;
        int height = TOP + PANEL + BOTTOM;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        centred(g, title, width / 2, 22);
        double[] lv = new double[levels];
        for (int k = 0; k < levels; k++) {
            lv[k] = zmin + (zmax - zmin) * (k + 0.5) / levels;
        }
        int p = 0;
        for (Map.Entry<String, Surface> e : surfaces.entrySet()) {
            int x0 = p * (LEFT + PANEL + RIGHT) + LEFT;
            panel(g, e.getKey(), e.getValue(), x0, TOP, zmin, zmax, lv, xTitle, yTitle);
            p++;
        }
        colourBar(g, n * (LEFT + PANEL + RIGHT) + 10, TOP, zmin, zmax);
        g.dispose();
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, "contour", ".png");
            ImageIO.write(image, "png", tmp.toFile());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write contour map " + file + ": " + e.getMessage(), e);
        }
    }

    private static void panel(Graphics2D g, String name, Surface s, int x0, int y0, double zmin, double zmax,
            double[] levels, String xTitle, String yTitle) {
        double[] xs = s.x();
        double[] ys = s.y();
        int nx = xs.length;
        int ny = ys.length;
        double[][] z = new double[ny][nx];
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) {
                z[j][i] = log(s.loss()[j][i]);
            }
        }
        // fill: bilinear interpolation of log loss at every pixel
        for (int py = 0; py < PANEL; py++) {
            double fy = (PANEL - 1 - py) / (double) (PANEL - 1) * (ny - 1);
            int j = Math.min(ny - 2, (int) Math.floor(fy));
            double ty = fy - j;
            for (int px = 0; px < PANEL; px++) {
                double fx = px / (double) (PANEL - 1) * (nx - 1);
                int i = Math.min(nx - 2, (int) Math.floor(fx));
                double tx = fx - i;
                double v = (1 - tx) * (1 - ty) * z[j][i] + tx * (1 - ty) * z[j][i + 1] + (1 - tx) * ty * z[j + 1][i]
                        + tx * ty * z[j + 1][i + 1];
                g.setColor(colour((v - zmin) / (zmax - zmin)));
                g.fillRect(x0 + px, y0 + py, 1, 1);
            }
        }
        // contour lines by marching squares on the grid cells
        g.setColor(new Color(255, 255, 255, 200));
        g.setStroke(new BasicStroke(1.2f));
        for (double level : levels) {
            for (int j = 0; j < ny - 1; j++) {
                for (int i = 0; i < nx - 1; i++) {
                    List<double[]> pts = new ArrayList<>(4);
                    edge(pts, i, j, i + 1, j, z[j][i], z[j][i + 1], level);
                    edge(pts, i + 1, j, i + 1, j + 1, z[j][i + 1], z[j + 1][i + 1], level);
                    edge(pts, i + 1, j + 1, i, j + 1, z[j + 1][i + 1], z[j + 1][i], level);
                    edge(pts, i, j + 1, i, j, z[j + 1][i], z[j][i], level);
                    for (int k = 0; k + 1 < pts.size(); k += 2) {
                        g.draw(new Line2D.Double(px(pts.get(k)[0], nx, x0), py(pts.get(k)[1], ny, y0),
                                px(pts.get(k + 1)[0], nx, x0), py(pts.get(k + 1)[1], ny, y0)));
                    }
                }
            }
        }
        // the centre θ: a cross at (0, 0)
        double cx = x0 + (0 - xs[0]) / (xs[nx - 1] - xs[0]) * (PANEL - 1);
        double cy = y0 + PANEL - 1 - (0 - ys[0]) / (ys[ny - 1] - ys[0]) * (PANEL - 1);
        g.setColor(Color.RED);
        g.setStroke(new BasicStroke(2.5f));
        g.draw(new Line2D.Double(cx - 8, cy, cx + 8, cy));
        g.draw(new Line2D.Double(cx, cy - 8, cx, cy + 8));
        // frame, ticks, labels
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x0, y0, PANEL, PANEL);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int t = 0; t <= 4; t++) {
            double fx = t / 4.0;
            double vx = xs[0] + fx * (xs[nx - 1] - xs[0]);
            int tx = (int) Math.round(x0 + fx * (PANEL - 1));
            g.drawLine(tx, y0 + PANEL, tx, y0 + PANEL + 5);
            centred(g, fmt(vx), tx, y0 + PANEL + 18);
            double vy = ys[0] + fx * (ys[ny - 1] - ys[0]);
            int ty = (int) Math.round(y0 + PANEL - 1 - fx * (PANEL - 1));
            g.drawLine(x0 - 5, ty, x0, ty);
            String label = fmt(vy);
            g.drawString(label, x0 - 8 - g.getFontMetrics().stringWidth(label), ty + 4);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        centred(g, xTitle, x0 + PANEL / 2, y0 + PANEL + 40);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, x0 - 48, y0 + PANEL / 2.0);
        centred(g, yTitle, x0 - 48, y0 + PANEL / 2 + 4);
        g.setTransform(saved);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        centred(g, String.format(Locale.ROOT, "%s: loss at centre %.4g, grid max %.3g", name, s.centreLoss(),
                s.maxLoss()), x0 + PANEL / 2, y0 - 8);
    }

    private static void colourBar(Graphics2D g, int x, int y0, double zmin, double zmax) {
        int w = 20;
        for (int py = 0; py < PANEL; py++) {
            g.setColor(colour(1 - py / (double) (PANEL - 1)));
            g.fillRect(x, y0 + py, w, 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x, y0, w, PANEL);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int t = 0; t <= 5; t++) {
            double f = t / 5.0;
            double v = Math.pow(10, zmin + f * (zmax - zmin));
            int ty = (int) Math.round(y0 + PANEL - 1 - f * (PANEL - 1));
            g.drawLine(x + w, ty, x + w + 4, ty);
            g.drawString(String.format(Locale.ROOT, "%.3g", v), x + w + 6, ty + 4);
        }
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, x + w + 88, y0 + PANEL / 2.0);
        centred(g, "loss (log scale)", x + w + 88, y0 + PANEL / 2 + 4);
        g.setTransform(saved);
    }

    private static void edge(List<double[]> pts, double xa, double ya, double xb, double yb, double za, double zb,
            double level) {
        if ((za < level) != (zb < level)) {
            double t = (level - za) / (zb - za);
            pts.add(new double[] {xa + t * (xb - xa), ya + t * (yb - ya)});
        }
    }

    private static double px(double i, int nx, int x0) {
        return x0 + i / (nx - 1) * (PANEL - 1);
    }

    private static double py(double j, int ny, int y0) {
        return y0 + PANEL - 1 - j / (ny - 1) * (PANEL - 1);
    }

    static Color colour(double f) {
        double t = Math.max(0, Math.min(1, f));
        for (int k = 1; k < STOPS.length; k++) {
            if (t <= STOPS[k][0]) {
                double u = (t - STOPS[k - 1][0]) / (STOPS[k][0] - STOPS[k - 1][0]);
                return new Color((float) lerp(STOPS[k - 1][1], STOPS[k][1], u),
                        (float) lerp(STOPS[k - 1][2], STOPS[k][2], u), (float) lerp(STOPS[k - 1][3], STOPS[k][3], u));
            }
        }
        return new Color((float) STOPS[4][1], (float) STOPS[4][2], (float) STOPS[4][3]);
    }

    private static double lerp(double a, double b, double u) {
        return a + (b - a) * u;
    }

    private static double log(double v) {
        return Math.log10(Math.max(v, 1e-12));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", Math.abs(v) < 1e-12 ? 0.0 : v);
    }

    private static void centred(Graphics2D g, String s, int cx, int y) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, cx - fm.stringWidth(s) / 2, y);
    }
}
