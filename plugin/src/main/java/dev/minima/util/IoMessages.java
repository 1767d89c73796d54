package dev.minima.util;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Readable one-line descriptions of I/O failures. Java's file-system exceptions often carry only a path as their
 * message ({@code NoSuchFileException: /x/y}); this says what happened to it.
 */
public final class IoMessages {

    private IoMessages() {}

    /**
     * Describes an I/O failure in words.
     *
     * @param e the failure
     * @return for example "no such file or directory: /x/y" or "permission denied: /x/y"
     */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException f) {
            String what = f instanceof NoSuchFileException ? "no such file or directory"
                    : f instanceof AccessDeniedException ? "permission denied"
                    : f instanceof NotDirectoryException ? "not a directory"
                    : f instanceof FileAlreadyExistsException ? "already exists"
                    : f instanceof DirectoryNotEmptyException ? "directory not empty"
                    : f.getReason() != null ? f.getReason() : "file-system error";
            String path = f.getFile() != null ? f.getFile() : "";
            String other = f.getOtherFile() != null ? " -> " + f.getOtherFile() : "";
            return what + (path.isEmpty() ? "" : ": " + path + other);
        }
        if (e instanceof CharacterCodingException) {
            return "the file is not valid UTF-8 text (" + e.getClass().getSimpleName() + ")";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
