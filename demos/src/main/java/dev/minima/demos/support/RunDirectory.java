package dev.minima.demos.support;

import dev.minima.util.AtomicFiles;
import dev.minima.util.IoMessages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The output directory of one run, written so that it never lies: the run writes into a fresh staging
 * directory inside it ({@code .unfinished-<pid>-<time>}), and only when the run finishes are the previous run's
 * {@code summary.json} removed, the new files moved into place (one rename each), the previous run's files that
 * the new run did not write deleted, and the new {@code summary.json} written last. So:
 *
 * <ul>
 *   <li>a run that fails or is killed leaves the previous run's files and summary untouched, and its own
 *       partial files only in its staging directory (a failed run deletes it; a killed run's is removed by the
 *       next run into the same directory);
 *   <li>a {@code summary.json} always describes the files beside it: it lists them under {@code "outputs"}, and
 *       a run killed while moving its files in leaves no summary at all.
 * </ul>
 *
 * <p>Only files a run wrote (those listed in the previous summary) are ever deleted; other files in the
 * directory are left alone.
 */
public final class RunDirectory {

    /** Name of the summary file. */
    public static final String SUMMARY = "summary.json";

    /** Key of the list of the run's files in {@code summary.json}. */
    public static final String OUTPUTS = "outputs";

    /** Prefix of staging directories. */
    public static final String STAGING_PREFIX = ".unfinished-";

    private final Path out;
    private final Path staging;

    private RunDirectory(Path out, Path staging) {
        this.out = out;
        this.staging = staging;
    }

    /**
     * Checks the output directory, creates it if needed, removes staging directories of runs that no longer
     * run, and creates this run's staging directory.
     *
     * @param out the output directory ({@code --out})
     * @return the run directory
     * @throws UsageException if the directory is a file, cannot be created or is not writable
     */
    public static RunDirectory open(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UsageException("--out " + out + " is a file, not a directory; name a directory (it is"
                    + " created if missing)");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UsageException("cannot create the output directory " + out + " (" + IoMessages.describe(e)
                    + "); choose another --out DIR", e);
        }
        if (!Files.isWritable(out)) {
            throw new UsageException("the output directory " + out + " is not writable; choose another --out DIR"
                    + " or change its permissions");
        }
        removeAbandoned(out);
        Path staging = out.resolve(STAGING_PREFIX + ProcessHandle.current().pid() + "-" + System.currentTimeMillis());
        try {
            Files.createDirectory(staging);
        } catch (IOException e) {
            throw new UsageException("cannot write in the output directory " + out + " ("
                    + IoMessages.describe(e) + "); choose another --out DIR", e);
        }
        return new RunDirectory(out, staging);
    }

    /** @return the output directory */
    public Path out() {
        return out;
    }

    /** @return the staging directory the run writes into */
    public Path staging() {
        return staging;
    }

    /**
     * Finishes the run: moves its files into the output directory and writes the summary last.
     *
     * @param summaryJson the summary's text; every occurrence of the staging directory's path in it is replaced
     *     by the output directory's
     * @return the files moved into place, relative to the output directory, '/'-separated, sorted, with
     *     {@code summary.json} last
     * @throws UncheckedIOException if a file cannot be moved (no summary is then left behind)
     */
    public List<String> commit(java.util.function.Function<List<String>, String> summaryJson) {
        try {
            Path summary = out.resolve(SUMMARY);
            List<String> previous = previousFiles(summary);
            Files.deleteIfExists(summary);
            List<String> files = new ArrayList<>();
            List<Path> staged;
            try (Stream<Path> walk = Files.walk(staging)) {
                staged = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : staged) {
                Path rel = staging.relativize(file);
                String name = rel.toString().replace(java.io.File.separatorChar, '/');
                if (name.equals(SUMMARY) || rel.getFileName().toString().contains(".tmp-")) {
                    continue;
                }
                Path target = out.resolve(rel);
                Files.createDirectories(target.getParent());
                AtomicFiles.moveIntoPlace(file, target);
                files.add(name);
            }
            for (String old : previous) {
                if (!files.contains(old) && isPlainRelative(old)) {
                    Files.deleteIfExists(out.resolve(old));
                }
            }
            files.add(SUMMARY);
            String text = summaryJson.apply(List.copyOf(files));
            for (Path form : List.of(staging, staging.toAbsolutePath())) {
                Path outForm = form.isAbsolute() ? out.toAbsolutePath() : out;
                text = text.replace(form.toString(), outForm.toString());
            }
            AtomicFiles.writeString(summary, text);
            deleteTree(staging);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("could not move the results into " + out + ": " + IoMessages.describe(e),
                    e);
        }
    }

    /** Deletes the staging directory of a run that failed; the previous run's files stay as they were. */
    public void abandon() {
        try {
            deleteTree(staging);
        } catch (IOException e) {
            // leave it: the next run into this directory removes it
        }
    }

    private static List<String> previousFiles(Path summary) {
        if (!Files.isRegularFile(summary)) {
            return List.of();
        }
        try {
            com.google.gson.JsonElement root = com.google.gson.JsonParser.parseString(
                    Files.readString(summary, StandardCharsets.UTF_8));
            List<String> names = new ArrayList<>();
            Optional.ofNullable(root.isJsonObject() ? root.getAsJsonObject().get(OUTPUTS) : null)
                    .filter(com.google.gson.JsonElement::isJsonArray)
                    .ifPresent(a -> a.getAsJsonArray().forEach(e -> {
                        if (e.isJsonPrimitive()) {
                            names.add(e.getAsString());
                        }
                    }));
            return names;
        } catch (IOException | RuntimeException e) {
            return List.of(); // not a summary this program wrote: delete nothing
        }
    }

    private static boolean isPlainRelative(String name) {
        Path p = Path.of(name);
        return !p.isAbsolute() && !name.isEmpty() && p.normalize().equals(p) && !name.startsWith("..")
                && !name.equals(SUMMARY);
    }

    private static void removeAbandoned(Path out) {
        try (Stream<Path> list = Files.list(out)) {
            for (Path dir : list.filter(Files::isDirectory).toList()) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(STAGING_PREFIX)) {
                    continue;
                }
                String rest = name.substring(STAGING_PREFIX.length());
                int dash = rest.indexOf('-');
                try {
                    long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        continue; // another run into the same directory, still working
                    }
                } catch (NumberFormatException e) {
                    continue;
                }
                deleteTree(dir);
            }
        } catch (IOException e) {
            // cleaning up is a courtesy; the run itself does not depend on it
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
