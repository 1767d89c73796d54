package dev.minima.demos;

import dev.minima.data.MnistDataException;
import dev.minima.demos.support.UsageException;
import dev.minima.util.IoMessages;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code minima-demos.jar}: one subcommand per demo, benchmark or utility.
 *
 * <p>Every subcommand accepts {@code --out DIR}, {@code --seed N} and {@code --verbose} (see
 * {@link DemoCommand}) and writes {@code DIR/summary.json}.
 *
 * <p>Errors: a mistake the user can fix (a bad option value, a missing file, an output directory that cannot be
 * written, missing MNIST) prints one line, {@code error: <what is wrong and how to fix it>}, and exits with
 * status 1 (status 2 for options picocli cannot parse). The stack trace is printed only with {@code --verbose}
 * or the environment variable {@code MINIMA_VERBOSE=1}. A failure that is not the user's (a bug) prints one line
 * too, saying so.
 */
@Command(
        name = "minima-demos",
        mixinStandardHelpOptions = true,
        version = "Minima demos 0.1.0",
        description = "Reproduces the minima-stability papers' experiments with Minima on DJL.",
        subcommands = {CommandLine.HelpCommand.class})
public final class MinimaDemos implements Runnable {

    /** Environment variable that turns on stack traces for errors. */
    public static final String ENV_VERBOSE = "MINIMA_VERBOSE";

    @Option(names = "--verbose", description = "On an error, print the stack trace too (or set MINIMA_VERBOSE=1).")
    boolean verbose;

    /** Subcommands, registered here so that adding a demo is one line. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new MinimaDemos());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            err.println("error: " + describe(ex));
            if (verbose(cmd)) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            String help = cmd.getCommandSpec().qualifiedName() + " --help";
            cmd.getErr().println("error: " + oneLine(ex.getMessage()) + "; see `" + help + "`");
            cmd.getErr().flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
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

    /**
     * The one-line description of a failure: the message of a mistake the user can fix as it is, I/O failures
     * in words with the file's name, anything else marked as an internal error.
     *
     * @param ex the failure
     * @return one line, without "error: "
     */
    static String describe(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof java.lang.reflect.InvocationTargetException || t instanceof CommandLine.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof UsageException || t instanceof MnistDataException || t instanceof IllegalArgumentException) {
            return oneLine(messageOf(t));
        }
        if (t instanceof UncheckedIOException u) {
            String m = messageOf(u);
            IOException cause = u.getCause();
            String detail = IoMessages.describe(cause);
            return oneLine(m.contains(detail) ? m : m + " (" + detail + ")");
        }
        if (t instanceof IOException io) {
            return oneLine(IoMessages.describe(io));
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof IOException io) {
            return oneLine(messageOf(t) + " (" + IoMessages.describe(io) + ")");
        }
        return oneLine(t.getClass().getSimpleName() + ": " + messageOf(t)
                + " (an internal error; rerun with --verbose and report the stack trace)");
    }

    private static String messageOf(Throwable t) {
        return t.getMessage() != null && !t.getMessage().isBlank() ? t.getMessage() : t.getClass().getSimpleName();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static boolean verbose(CommandLine cmd) {
        String env = System.getenv(ENV_VERBOSE);
        if (env != null && !env.isBlank() && !env.equals("0") && !env.equalsIgnoreCase("false")) {
            return true;
        }
        for (CommandLine c = cmd; c != null; c = c.getParent()) {
            Object o = c.getCommand();
            if (o instanceof DemoCommand d && d.verbose()) {
                return true;
            }
            if (o instanceof MinimaDemos m && m.verbose) {
                return true;
            }
        }
        return false;
    }
}
