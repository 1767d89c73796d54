package dev.minima.monitor;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * Writes each record as one CSV line, flushed at once, so a crash loses no completed record. The file is
 * created atomically with its header (written to a temporary file beside it, then renamed over any old
 * file), then appended to line by line.
 *
 * <p>Columns: {@value #HEADER}. Numbers are written with {@link Double#toString(double)} (full precision,
 * locale-free; NaN for quantities not measured); {@code top_k} holds the top eigenvalues separated by
 * {@code ;}.
 */
public final class CsvRecorder implements RecordSink {

    /** The header line. */
    public static final String HEADER = "step,epoch,trigger,eta,threshold,lambda_max,lambda_max_residual,ratio,"
            + "lambda_min,trace,trace_stderr,grad_norm,loss,precond_lambda_max,precond_threshold,top_k,products,"
            + "seconds,threshold_rule";

    private final Path file;
    private BufferedWriter writer;

    private CsvRecorder(Path file) {
        this.file = file;
    }

    /**
     * Creates (or replaces) the file with its header.
     *
     * @param file the CSV file
     * @return the recorder
     * @throws UncheckedIOException if the file cannot be created
     */
    public static CsvRecorder create(Path file) {
        CsvRecorder r = new CsvRecorder(file);
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, HEADER + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            r.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the sharpness CSV " + file + ": " + e.getMessage(), e);
        }
        return r;
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    @Override
    public synchronized void accept(SharpnessRecord r) {
        if (writer == null) {
            throw new IllegalStateException("the CSV recorder for " + file + " is closed");
        }
        try {
            writer.write(line(r));
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not append to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param r a record
     * @return its CSV line (no newline)
     */
    public static String line(SharpnessRecord r) {
        CurvatureSnapshot s = r.snapshot();
        StringBuilder top = new StringBuilder();
        for (double v : s.topEigenvalues()) {
            if (top.length() > 0) {
                top.append(';');
            }
            top.append(v);
        }
        List<Object> cells = List.of(r.step(), r.epoch(), r.trigger().name().toLowerCase(Locale.ROOT), r.eta(),
                r.threshold(), s.lambdaMax(), s.lambdaMaxResidual(), r.ratio(), s.lambdaMin(), s.trace(),
                s.traceStandardError(), s.gradientNorm(), s.loss(), s.preconditionedLambdaMax(),
                r.preconditionedThreshold(), top, s.products(), r.seconds(), r.thresholdRule().replace(',', ' '));
        StringBuilder b = new StringBuilder();
        for (Object c : cells) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(c);
        }
        return b.toString();
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not close " + file + ": " + e.getMessage(), e);
            } finally {
                writer = null;
            }
        }
    }
}
