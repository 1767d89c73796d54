package dev.minima.landscape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The values of a {@link LossSurface}: loss and accuracy at θ + x_i·d₁ (+ y_j·d₂).
 *
 * @param x the coordinates along the first direction
 * @param y the coordinates along the second direction, or null for a 1-D slice
 * @param loss loss[j][i] at (x_i, y_j); one row for a 1-D slice
 * @param accuracy accuracy[j][i], NaN when not evaluated
 * @param centreLoss the loss at θ itself
 * @param centreAccuracy the accuracy at θ itself (NaN when not evaluated)
 */
public record Surface(double[] x, double[] y, double[][] loss, double[][] accuracy, double centreLoss,
        double centreAccuracy) {

    /** @return 1 or 2 */
    public int dimensions() {
        return y == null ? 1 : 2;
    }

    /** @return the loss along a 1-D slice (the single row) */
    public double[] loss1d() {
        return loss[0].clone();
    }

    /** @return the accuracy along a 1-D slice (the single row) */
    public double[] accuracy1d() {
        return accuracy[0].clone();
    }

    /** @return the smallest loss on the grid */
    public double minLoss() {
        double m = Double.POSITIVE_INFINITY;
        for (double[] row : loss) {
            for (double v : row) {
                m = Math.min(m, v);
            }
        }
        return m;
    }

    /** @return the largest loss on the grid */
    public double maxLoss() {
        double m = Double.NEGATIVE_INFINITY;
        for (double[] row : loss) {
            for (double v : row) {
                m = Math.max(m, v);
            }
        }
        return m;
    }

    /**
     * Writes {@code alpha,[beta,]loss,accuracy}, one line per grid point, atomically (temporary file, rename).
     *
     * @param file the CSV file
     * @throws UncheckedIOException if it cannot be written
     */
    public void writeCsv(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(y == null ? "alpha,loss,accuracy\n" : "alpha,beta,loss,accuracy\n");
                for (int j = 0; j < loss.length; j++) {
                    for (int i = 0; i < x.length; i++) {
                        String a = y == null ? fmt(x[i]) : fmt(x[i]) + "," + fmt(y[j]);
                        w.write(a + "," + fmt(loss[j][i]) + "," + fmt(accuracy[j][i]) + "\n");
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.8g", v);
    }
}
