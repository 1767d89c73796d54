package dev.minima.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Files written whole or not at all: the content goes to a temporary file beside the target, which a rename
 * then moves into place, so a crash never leaves a half-written file under the target's name.
 *
 * <p>Unlike {@link Files#createTempFile}, which always creates mode 0600, the temporary file is created with
 * the default permissions, so the result gets the mode the process's umask gives (0644 under the usual umask
 * 022), like any other file the program writes.
 */
public final class AtomicFiles {

    private static final AtomicLong COUNTER = new AtomicLong();

    private AtomicFiles() {}

    /**
     * Creates an empty temporary file in the target's directory (creating the directory if needed), named after
     * the target and hidden, with the permissions the umask gives.
     *
     * @param target the file the temporary file will replace
     * @param suffix the temporary file's ending (some writers need the target's extension, say ".png")
     * @return the new, empty file
     * @throws IOException if the directory or the file cannot be created
     */
    public static Path createTempBeside(Path target, String suffix) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        while (true) {
            Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                    + COUNTER.incrementAndGet() + suffix);
            try {
                return Files.createFile(tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // left by an earlier process with the same pid: try the next name
            }
        }
    }

    /**
     * Moves a finished temporary file onto its target in one rename (replacing the target).
     *
     * @param tmp the finished file, in the target's directory
     * @param target the target
     * @throws IOException if the rename fails (the temporary file is then deleted)
     */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * Writes text (UTF-8) to a file atomically.
     *
     * @param target the file
     * @param text its content
     * @throws UncheckedIOException naming the file if it cannot be written
     */
    public static void writeString(Path target, String text) {
        Path tmp = null;
        try {
            tmp = createTempBeside(target, ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            moveIntoPlace(tmp, target);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("could not write " + target + ": " + IoMessages.describe(e), e);
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original failure is the one to report
            }
        }
    }
}
