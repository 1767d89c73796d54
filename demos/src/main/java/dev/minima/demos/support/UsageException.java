package dev.minima.demos.support;

/**
 * A mistake the user can fix (a bad option, a missing file, an output directory that cannot be written): the
 * program prints its message as one line, {@code error: <message>}, and exits with status 1. The message says
 * what is wrong and how to fix it.
 */
public class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and how to fix it
     */
    public UsageException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause (shown with {@code --verbose}).
     *
     * @param message what is wrong and how to fix it
     * @param cause the underlying failure
     */
    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
