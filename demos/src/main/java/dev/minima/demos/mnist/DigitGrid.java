package dev.minima.demos.mnist;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A PNG of grey-scale digit images in labelled rows (e.g. noisy / SGD / Adam / clean), pixel values clipped
 * to [0, 1], written atomically (temporary file, then rename).
 */
public final class DigitGrid {

    private static final int LABEL_WIDTH = 90;
    private static final int GAP = 4;

    private final int rows;
    private final int cols;
    private final int scale;
    private final List<String> labels = new ArrayList<>();
    private final List<float[]> images = new ArrayList<>();

    /**
     * @param rows image height in pixels (28)
     * @param cols image width in pixels (28)
     * @param scale how many screen pixels per image pixel
     */
    public DigitGrid(int rows, int cols, int scale) {
        this.rows = rows;
        this.cols = cols;
        this.scale = scale;
    }

    /**
     * Adds a row of images.
     *
     * @param label the row's label
     * @param pixels images of {@code rows × cols} values each, image after image
     * @return this grid
     * @throws IllegalArgumentException if the rows do not hold the same number of whole images
     */
    public DigitGrid row(String label, float[] pixels) {
        int d = rows * cols;
        if (pixels.length == 0 || pixels.length % d != 0) {
            throw new IllegalArgumentException("row '" + label + "' holds " + pixels.length
                    + " values, not a whole number of " + rows + "x" + cols + " images");
        }
        if (!images.isEmpty() && images.get(0).length != pixels.length) {
            throw new IllegalArgumentException("row '" + label + "' has " + pixels.length / d + " images, the first row "
                    + images.get(0).length / d + ": give every row the same images");
        }
        labels.add(label);
        images.add(pixels.clone());
        return this;
    }

    /**
     * Writes the PNG.
     *
     * @param file the .png file
     */
    public void write(Path file) {
        if (images.isEmpty()) {
            throw new IllegalStateException("no rows to draw: add at least one row first");
        }
        int d = rows * cols;
        int count = images.get(0).length / d;
        int cell = cols * scale + GAP;
        int width = LABEL_WIDTH + count * cell;
        int height = images.size() * (rows * scale + GAP) + GAP;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        for (int r = 0; r < images.size(); r++) {
            int top = GAP + r * (rows * scale + GAP);
            g.setColor(Color.BLACK);
            g.drawString(labels.get(r), 6, top + rows * scale / 2 + 5);
            float[] px = images.get(r);
            for (int i = 0; i < count; i++) {
                int left = LABEL_WIDTH + i * cell;
                for (int y = 0; y < rows; y++) {
                    for (int x = 0; x < cols; x++) {
                        float v = Math.max(0f, Math.min(1f, px[i * d + y * cols + x]));
                        int grey = Math.round(v * 255);
                        // MNIST convention: ink is bright; draw ink dark on white for print
                        int c = 255 - grey;
                        g.setColor(new Color(c, c, c));
                        g.fillRect(left + x * scale, top + y * scale, scale, scale);
                    }
                }
            }
        }
        g.dispose();
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = dev.minima.util.AtomicFiles.createTempBeside(file, ".png");
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available in this JVM");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
