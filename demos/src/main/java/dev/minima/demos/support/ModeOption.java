package dev.minima.demos.support;

import picocli.CommandLine.Option;

/**
 * The {@code --full} option of the paper demos: without it a command runs its quick mode (minutes on two
 * cores), with it the papers' scale (hours). Options the user leaves unset take the mode's default, which each
 * option's help lists as "(quick X, full Y)"; an option the user sets wins in both modes.
 */
public final class ModeOption implements OptionGroup {

    @Option(names = "--full", description = "Paper scale (hours); without it the quick mode runs (minutes)."
            + " Unset options take the mode's default, listed in their help as (quick X, full Y).")
    private boolean full;

    /** @return whether the paper-scale mode was asked for */
    public boolean full() {
        return full;
    }

    /**
     * Sets the mode (for tests and callers that build commands in code).
     *
     * @param full whether to run at paper scale
     */
    public void setFull(boolean full) {
        this.full = full;
    }

    /** @return "full" or "quick", as written to summary.json */
    public String label() {
        return full ? "full" : "quick";
    }

    /**
     * Picks the value of an option whose default depends on the mode.
     *
     * @param <T> the option's type
     * @param given the value the user gave, or {@code null} if the option was not set
     * @param quick the quick mode's default
     * @param paper the full mode's default
     * @return {@code given} if set, else the current mode's default
     */
    public <T> T pick(T given, T quick, T paper) {
        return given != null ? given : full ? paper : quick;
    }

    @Override
    public void validate() {
        // a flag: nothing to check
    }
}
