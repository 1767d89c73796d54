package dev.minima.demos.support;

/**
 * A picocli mixin of options shared by several commands that checks its own values. The demos program calls
 * {@link #validate()} of every mixin of a command before the command does any work.
 */
public interface OptionGroup {

    /**
     * Checks the options' values.
     *
     * @throws UsageException naming the option, the value and the fix, if a value cannot work
     */
    void validate();
}
