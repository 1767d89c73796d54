package dev.minima.demos;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * Base of every subcommand: the shared {@code --out} and {@code --seed} options, and an atomic writer for
 * {@code summary.json} and other result files (written to a temporary file and renamed, so a crash never
 * leaves a half-written file).
 */
public abstract class DemoCommand implements Callable<Integer> {

    /** Pretty-printing JSON with NaN allowed (written as NaN) and nulls kept. */
    public static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues().create();

    /** Logger of the concrete command. */
    protected final Logger logger = LoggerFactory.getLogger(getClass());

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: runs/<command>).")
    private Path out;

    /** Seed for every random choice of the command ({@code --seed}). */
    @Option(names = "--seed", paramLabel = "N", description = "Seed for every random choice (default: ${DEFAULT-VALUE}).")
    protected long seed = 0;

    /** @return the command's name, used for the default output directory */
    protected abstract String name();

    /**
     * Runs the command after the output directory exists.
     *
     * @param outDir the output directory
     * @return the figures to write to {@code summary.json}, in order
     * @throws Exception on failure; the message is shown to the user
     */
    protected abstract Map<String, Object> execute(Path outDir) throws Exception;

    @Override
    public final Integer call() throws Exception {
        Path dir = outDir();
        Files.createDirectories(dir);
        Map<String, Object> summary = new LinkedHashMap<>(execute(dir));
        writeJson(dir.resolve("summary.json"), summary);
        logger.info("Wrote {}", dir.resolve("summary.json").toAbsolutePath());
        return 0;
    }

    /** @return the output directory ({@code --out}, or {@code runs/<name>}) */
    protected Path outDir() {
        return out != null ? out : Path.of("runs", name());
    }

    /**
     * Writes an object as JSON atomically.
     *
     * @param file target file
     * @param value object to serialise
     */
    public static void writeJson(Path file, Object value) {
        writeAtomically(file, GSON.toJson(value) + "\n");
    }

    /**
     * Writes text to a file atomically: a temporary file beside it, then a rename.
     *
     * @param file target file
     * @param text content
     */
    public static void writeAtomically(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
