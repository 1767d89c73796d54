package dev.minima.demos.support;

import dev.minima.demos.DemoCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code report.md}: each of a paper's claims set beside what this run measured, with a plain verdict.
 */
public final class Report {

    private final String title;
    private final List<String> intro = new ArrayList<>();
    private final List<String[]> claims = new ArrayList<>();
    private final List<String[]> checks = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private boolean withFigures;

    /**
     * @param title the report's title
     */
    public Report(String title) {
        this.title = title;
    }

    /**
     * @param line a paragraph above the table (settings, data)
     * @return this report
     */
    public Report intro(String line) {
        intro.add(line);
        return this;
    }

    /**
     * @param claim what the paper claims
     * @param measured what this run measured
     * @param agrees whether they agree
     * @return this report
     */
    public Report claim(String claim, String measured, boolean agrees) {
        claims.add(new String[] {claim, "—", measured, "—", agrees ? "agrees" : "**differs**"});
        return this;
    }

    /**
     * A claim set beside the paper's own figure and the tolerance the verdict uses; the report then shows the
     * columns paper's figure and tolerance for every claim.
     *
     * @param claim what the paper claims
     * @param paperFigure the paper's number or figure for it
     * @param measured what this run measured
     * @param tolerance the tolerance or rule that decides the verdict
     * @param agrees whether the measurement agrees within that tolerance
     * @return this report
     */
    public Report claim(String claim, String paperFigure, String measured, String tolerance, boolean agrees) {
        claims.add(new String[] {claim, paperFigure, measured, tolerance, agrees ? "agrees" : "**differs**"});
        withFigures = true;
        return this;
    }

    /**
     * A consistency check: an inequality or identity that follows from how the quantities are computed (so it
     * tests the software, not a paper's claim); listed in its own table below the claims.
     *
     * @param check the relation checked and why it must hold
     * @param measured what this run measured
     * @param holds whether it holds
     * @return this report
     */
    public Report check(String check, String measured, boolean holds) {
        checks.add(new String[] {check, measured, holds ? "holds" : "**fails**"});
        return this;
    }

    /** @return the number of consistency checks that fail */
    public long failedChecks() {
        return checks.stream().filter(c -> c[2].startsWith("**")).count();
    }

    /**
     * @param claimPrefix the start of a claim's text
     * @return the verdict of the first claim starting with it ("agrees" or "**differs**")
     * @throws IllegalArgumentException if no claim starts with it
     */
    public String verdict(String claimPrefix) {
        for (String[] c : claims) {
            if (c[0].startsWith(claimPrefix)) {
                return c[4];
            }
        }
        for (String[] c : checks) {
            if (c[0].startsWith(claimPrefix)) {
                return c[2];
            }
        }
        throw new IllegalArgumentException("no claim or check starts with '" + claimPrefix + "'");
    }

    /**
     * @param line a note below the table (where and why the run differs, caveats)
     * @return this report
     */
    public Report note(String line) {
        notes.add(line);
        return this;
    }

    /** @return the number of claims that disagree */
    public long disagreements() {
        return claims.stream().filter(c -> c[4].startsWith("**")).count();
    }

    /** @return the markdown text */
    public String markdown() {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        for (String s : intro) {
            sb.append(s).append("\n\n");
        }
        if (withFigures) {
            sb.append("| paper's claim | paper's figure | this run | tolerance | verdict |\n|---|---|---|---|---|\n");
            for (String[] c : claims) {
                sb.append("| ").append(esc(c[0])).append(" | ").append(esc(c[1])).append(" | ").append(esc(c[2]))
                        .append(" | ").append(esc(c[3])).append(" | ").append(c[4]).append(" |\n");
            }
        } else {
            sb.append("| paper's claim | this run | verdict |\n|---|---|---|\n");
            for (String[] c : claims) {
                sb.append("| ").append(esc(c[0])).append(" | ").append(esc(c[2])).append(" | ").append(c[4])
                        .append(" |\n");
            }
        }
        if (!checks.isEmpty()) {
            sb.append("\nConsistency checks (relations that follow from how the quantities are computed; they test the"
                    + " software, not a paper's claim):\n\n| check | this run | result |\n|---|---|---|\n");
            for (String[] c : checks) {
                sb.append("| ").append(esc(c[0])).append(" | ").append(esc(c[1])).append(" | ").append(c[2])
                        .append(" |\n");
            }
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
            for (String s : notes) {
                sb.append("- ").append(s).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Writes {@code report.md} atomically.
     *
     * @param file the file
     */
    public void write(Path file) {
        DemoCommand.writeAtomically(file, markdown());
    }

    private static String esc(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
