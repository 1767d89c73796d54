package dev.minima.landscape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * The result of {@link LayerCurvature}: one row per parameter block.
 *
 * @param rows the rows, in the order of the parameter space (or of the groups given)
 */
public record LayerCurvatureTable(List<Row> rows) {

    /**
     * One block's curvature.
     *
     * @param name the parameter's (or group's) name
     * @param size the number of scalars in the block
     * @param lambdaMax the largest eigenvalue of the block PᵀHP
     * @param lambdaResidual its Lanczos residual ‖Av − λv‖
     * @param trace tr(PᵀHP)
     * @param traceStandardError the standard error of the trace (0 when exact)
     * @param exactTrace whether the trace is exact
     * @param products Hessian-vector products spent
     */
    public record Row(String name, long size, double lambdaMax, double lambdaResidual, double trace,
            double traceStandardError, boolean exactTrace, int products) {}

    /**
     * Copies the rows.
     *
     * @param rows the rows
     */
    public LayerCurvatureTable {
        rows = List.copyOf(rows);
    }

    /** @return the sum of the blocks' traces, an estimate of tr(H) */
    public double totalTrace() {
        return rows.stream().mapToDouble(Row::trace).sum();
    }

    /**
     * @param file the CSV file, written atomically (temporary file, then a rename)
     * @throws UncheckedIOException if it cannot be written
     */
    public void writeCsv(Path file) {
        StringBuilder s = new StringBuilder(
                "block,size,lambda_max,lambda_residual,trace,trace_standard_error,trace_exact,hvps\n");
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, "%s,%d,%.8g,%.3g,%.8g,%.3g,%s,%d%n", r.name(), r.size(), r.lambdaMax(),
                    r.lambdaResidual(), r.trace(), r.traceStandardError(), r.exactTrace(), r.products()));
        }
        write(file, s.toString());
    }

    /** @return a markdown table of the rows */
    public String toMarkdown() {
        StringBuilder s = new StringBuilder("| block | size | λ_max | trace |\n|---|---:|---:|---:|\n");
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, "| %s | %d | %.4g ± %.1g | %.4g%s |%n", r.name(), r.size(),
                    r.lambdaMax(), r.lambdaResidual(), r.trace(),
                    r.exactTrace() ? " (exact)" : String.format(Locale.ROOT, " ± %.2g", r.traceStandardError())));
        }
        return s.toString();
    }

    static void write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
