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
    private final List<String> notes = new ArrayList<>();

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
        claims.add(new String[] {claim, measured, agrees ? "agrees" : "**differs**"});
        return this;
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
        return claims.stream().filter(c -> c[2].startsWith("**")).count();
    }

    /** @return the markdown text */
    public String markdown() {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        for (String s : intro) {
            sb.append(s).append("\n\n");
        }
        sb.append("| paper's claim | this run | verdict |\n|---|---|---|\n");
        for (String[] c : claims) {
            sb.append("| ").append(esc(c[0])).append(" | ").append(esc(c[1])).append(" | ").append(c[2]).append(" |\n");
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
