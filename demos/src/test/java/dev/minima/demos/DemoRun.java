package dev.minima.demos;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs demos subcommands in-process with their standard output and error captured; reads their summaries. */
final class DemoRun {

    /** Everything the commands printed to standard output. */
    final StringWriter out = new StringWriter();
    /** Everything the commands printed to standard error. */
    final StringWriter err = new StringWriter();

    /**
     * @param args the command line, subcommand first
     * @return the exit code
     */
    int run(String... args) {
        CommandLine cl = MinimaDemos.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /**
     * @param dir a run's output directory
     * @return its {@code summary.json}
     */
    static JsonObject summary(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve("summary.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }
}
