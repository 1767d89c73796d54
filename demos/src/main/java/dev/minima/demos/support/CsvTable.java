package dev.minima.demos.support;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * A CSV file written one row at a time and flushed after every row, so a crash loses nothing already
 * written. The header is written on creation.
 * Threads may share one: each row is written whole.
 */
public final class CsvTable implements AutoCloseable {

    private final BufferedWriter out;
    private final int columns;

    /**
     * @param file the file (replaced if present)
     * @param header column names
     */
    public CsvTable(Path file, List<String> header) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            columns = header.size();
            out.write(String.join(",", header));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes one row and flushes it.
     *
     * @param values one value per column (numbers, strings, booleans or null)
     */
    public synchronized void row(Object... values) {
        if (values.length != columns) {
            throw new IllegalArgumentException("row has " + values.length + " values, the header " + columns);
        }
        StringJoiner j = new StringJoiner(",");
        for (Object v : values) {
            j.add(format(v));
        }
        try {
            out.write(j.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String format(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double || v instanceof Float) {
            return String.format(Locale.ROOT, "%.10g", ((Number) v).doubleValue());
        }
        String s = v.toString();
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
