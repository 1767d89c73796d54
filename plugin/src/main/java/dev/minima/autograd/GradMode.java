package dev.minima.autograd;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's (thread-local) autograd recording on for a scope and restores the previous state on
 * close. Unlike a DJL {@code GradientCollector}, it can be opened while the user's own collector is open or
 * closed, and it never touches the parameters' {@code .grad}.
 *
 * <pre>{@code
 * try (GradMode on = GradMode.enabled()) {
 *     NDArray loss = ...; // recorded for differentiation
 * }
 * }</pre>
 */
public final class GradMode implements AutoCloseable {

    private final boolean previous;

    private GradMode(boolean enable) {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enable);
    }

    /** @return a scope in which autograd records operations */
    public static GradMode enabled() {
        return new GradMode(true);
    }

    /** @return a scope in which autograd records nothing */
    public static GradMode disabled() {
        return new GradMode(false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
