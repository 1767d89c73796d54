package dev.minima.demos;

import dev.minima.data.MnistDataException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code minima-demos.jar}: one subcommand per demo, benchmark or utility.
 *
 * <p>Every subcommand accepts {@code --out DIR} and {@code --seed N} (see {@link DemoCommand}) and writes
 * {@code DIR/summary.json}.
 */
@Command(
        name = "minima-demos",
        mixinStandardHelpOptions = true,
        version = "Minima demos 0.1.0",
        description = "Reproduces the minima-stability papers' experiments with Minima on DJL.",
        subcommands = {CommandLine.HelpCommand.class})
public final class MinimaDemos implements Runnable {

    /** Subcommands, registered here so that adding a demo is one line. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new MinimaDemos());
        // Problems the user can fix (missing npm, corrupt data, ...) carry a message that says how: show it
        // without a stack trace.
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof MnistDataException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        for (Object sub : Subcommands.all()) {
            cl.addSubcommand(sub);
        }
        return cl;
    }

    /**
     * Runs the program.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Override
    public void run() {
        commandLine().usage(System.out);
    }
}
