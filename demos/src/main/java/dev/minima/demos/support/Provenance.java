package dev.minima.demos.support;

import ai.djl.engine.Engine;
import dev.minima.util.IoMessages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Where a run's results came from, written to {@code summary.json} under {@code "provenance"}: the command
 * line, the input files (path, size and SHA-256), the thread count, the versions of Minima, DJL, libtorch and
 * Java, the start time and the wall time.
 */
public final class Provenance {

    private final List<String> commandLine;
    private final Instant started = Instant.now();
    private final long startNanos = System.nanoTime();
    private final List<Map<String, Object>> inputs = new ArrayList<>();

    /**
     * Starts recording a run.
     *
     * @param commandLine the program's arguments, as given
     */
    public Provenance(List<String> commandLine) {
        this.commandLine = List.copyOf(commandLine);
    }

    /**
     * Records an input file the user gave, with its SHA-256.
     *
     * @param option the option that named it (say "--weights")
     * @param file the file
     * @throws UsageException if the file cannot be read
     */
    public void inputFile(String option, Path file) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("option", option);
        m.put("path", file.toAbsolutePath().normalize().toString());
        try {
            m.put("bytes", Files.size(file));
            m.put("sha256", sha256(file));
        } catch (IOException e) {
            throw new UsageException(option + " " + file + ": " + IoMessages.describe(e), e);
        }
        inputs.add(m);
    }

    /**
     * Records an input whose checksum is already known (a verified MNIST file) or that is a directory.
     *
     * @param option the option or source that named it
     * @param path its path
     * @param sha256 its SHA-256, or {@code null} for a directory
     */
    public void input(String option, Path path, String sha256) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("option", option);
        m.put("path", path.toAbsolutePath().normalize().toString());
        if (sha256 != null) {
            m.put("sha256", sha256);
        }
        inputs.add(m);
    }

    /**
     * The record for {@code summary.json}.
     *
     * @param threads the thread count the run used ({@code --threads}), or {@code null} if it has none
     * @return command line, inputs, threads, versions, start and wall time
     */
    public Map<String, Object> toMap(Integer threads) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> cl = new ArrayList<>();
        cl.add("minima-demos");
        cl.addAll(commandLine);
        m.put("command_line", cl);
        m.put("inputs", inputs);
        m.put("threads", threads);
        m.put("available_processors", Runtime.getRuntime().availableProcessors());
        m.put("versions", versions());
        m.put("started", started.toString());
        m.put("wall_seconds", (System.nanoTime() - startNanos) / 1e9);
        return m;
    }

    /** @return Minima's, DJL's, libtorch's and Java's versions */
    public static Map<String, Object> versions() {
        Map<String, Object> v = new LinkedHashMap<>();
        Properties build = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream("/dev/minima/demos/build.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            // leave the versions unknown
        }
        v.put("minima", build.getProperty("minima.version"));
        String djl = null;
        String libtorch = null;
        try {
            djl = Engine.getDjlVersion();
            libtorch = Engine.getEngine("PyTorch").getVersion();
        } catch (RuntimeException | LinkageError e) {
            // libtorch could not be loaded: versions stay unknown
        }
        v.put("djl", djl != null ? djl : build.getProperty("djl.version"));
        v.put("libtorch", libtorch);
        v.put("java", System.getProperty("java.version"));
        v.put("jvm", System.getProperty("java.vm.name"));
        return v;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
