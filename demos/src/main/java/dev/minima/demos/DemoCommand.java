package dev.minima.demos;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.minima.data.MnistFile;
import dev.minima.data.MnistLocalRepository;
import dev.minima.demos.support.MnistDataOption;
import dev.minima.demos.support.OptionGroup;
import dev.minima.demos.support.Provenance;
import dev.minima.demos.support.RunDirectory;
import dev.minima.demos.support.ThreadsOption;
import dev.minima.util.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Base of every subcommand. It gives each command the shared {@code --out}, {@code --seed} and
 * {@code --verbose} options and runs it in the same steps:
 *
 * <ol>
 *   <li>every option is checked before any work: the command's {@link #validate()}, then the mixins' own checks
 *       ({@link OptionGroup#validate()}); a bad value ends the program with one line, {@code error: ...};
 *   <li>the output directory is opened through {@link RunDirectory}: the command writes into a staging
 *       directory, and its files replace the previous run's only when it finishes;
 *   <li>{@code summary.json} gets the command's figures, then {@code "provenance"} (command line, input files
 *       with their SHA-256, threads, versions, wall time; see {@link Provenance}) and {@code "outputs"} (the
 *       files the run wrote).
 * </ol>
 *
 * <p>A {@link ThreadsOption} mixin is applied to libtorch before {@link #execute}; a {@link MnistDataOption}
 * mixin checks that the MNIST copy is there and records its files as inputs.
 */
public abstract class DemoCommand implements Callable<Integer> {

    /** Pretty-printing JSON with NaN allowed (written as NaN) and nulls kept. */
    public static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues().create();

    /** Logger of the concrete command. */
    protected final Logger logger = LoggerFactory.getLogger(getClass());

    @Spec
    private CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: runs/<command>).")
    private Path out;

    /** Seed for every random choice of the command ({@code --seed}). */
    @Option(names = "--seed", paramLabel = "N", description = "Seed for every random choice (default: ${DEFAULT-VALUE}).")
    protected long seed = 0;

    @Option(names = "--verbose", description = "On an error, print the stack trace too (or set MINIMA_VERBOSE=1).")
    boolean verbose;

    private Provenance provenance = new Provenance(List.of());

    /** @return the command's name, used for the default output directory */
    protected abstract String name();

    /**
     * Runs the command after its options were checked and its staging directory exists.
     *
     * @param outDir the directory to write into (a staging directory whose files move to {@code --out} when the
     *     command returns)
     * @return the figures to write to {@code summary.json}, in order
     * @throws Exception on failure; the message is shown to the user
     */
    protected abstract Map<String, Object> execute(Path outDir) throws Exception;

    /**
     * Checks the command's own options before any work (ranges, NaN, float overflow, sizes larger than the
     * data). The default checks nothing; mixins check themselves.
     *
     * @throws dev.minima.demos.support.UsageException naming the option and the fix
     */
    protected void validate() {}

    /**
     * Records an input file the user gave (its path, size and SHA-256 go to {@code summary.json}).
     *
     * @param option the option that named it
     * @param file the file
     */
    protected void recordInput(String option, Path file) {
        provenance.inputFile(option, file);
    }

    @Override
    public final Integer call() throws Exception {
        provenance = new Provenance(originalArgs());
        List<OptionGroup> groups = optionGroups();
        validate();
        for (OptionGroup g : groups) {
            g.validate();
        }
        Integer threads = null;
        int torchThreadsBefore = -1;
        for (OptionGroup g : groups) {
            if (g instanceof MnistDataOption d) {
                Path dir = d.dir();
                for (MnistFile f : MnistFile.values()) {
                    if (java.nio.file.Files.exists(MnistLocalRepository.versionedFile(dir, f))) {
                        provenance.input("--data", MnistLocalRepository.versionedFile(dir, f), f.sha256());
                    }
                }
            }
            if (g instanceof ThreadsOption t) {
                threads = t.threads();
                torchThreadsBefore = t.applyToTorch();
            }
        }
        Path dir = outDir();
        RunDirectory run;
        try {
            run = RunDirectory.open(dir);
        } catch (RuntimeException e) {
            ThreadsOption.restoreTorch(torchThreadsBefore);
            throw e;
        }
        boolean finished = false;
        try {
            Map<String, Object> summary = new LinkedHashMap<>(execute(run.staging()));
            summary.put("provenance", provenance.toMap(threads));
            run.commit(files -> {
                summary.put(RunDirectory.OUTPUTS, files);
                return GSON.toJson(summary) + "\n";
            });
            finished = true;
        } finally {
            if (!finished) {
                run.abandon();
            }
            ThreadsOption.restoreTorch(torchThreadsBefore);
        }
        logger.info("Wrote {}", dir.resolve(RunDirectory.SUMMARY).toAbsolutePath());
        return 0;
    }

    /** @return the output directory ({@code --out}, or {@code runs/<name>}) */
    protected Path outDir() {
        return out != null ? out : Path.of("runs", name());
    }

    /** @return whether {@code --verbose} was given to this command */
    boolean verbose() {
        return verbose;
    }

    private List<String> originalArgs() {
        if (spec == null) {
            return List.of();
        }
        CommandSpec root = spec.root();
        if (root.commandLine() != null && root.commandLine().getParseResult() != null) {
            return root.commandLine().getParseResult().originalArgs();
        }
        return List.of(spec.name());
    }

    private List<OptionGroup> optionGroups() {
        List<OptionGroup> groups = new ArrayList<>();
        if (spec != null) {
            for (CommandSpec mixin : spec.mixins().values()) {
                if (mixin.userObject() instanceof OptionGroup g) {
                    groups.add(g);
                }
            }
        }
        return groups;
    }

    /**
     * Writes an object as JSON atomically.
     *
     * @param file target file
     * @param value object to serialise
     */
    public static void writeJson(Path file, Object value) {
        writeAtomically(file, GSON.toJson(value) + "\n");
    }

    /**
     * Writes text to a file atomically: a temporary file beside it, then a rename. The file gets the mode the
     * umask gives.
     *
     * @param file target file
     * @param text content
     */
    public static void writeAtomically(Path file, String text) {
        AtomicFiles.writeString(file, text);
    }
}
