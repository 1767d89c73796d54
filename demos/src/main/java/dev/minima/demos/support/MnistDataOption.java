package dev.minima.demos.support;

import dev.minima.data.MnistLocalRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --data DIR} option of every command that reads MNIST: the data directory holding the verified copy
 * that {@code fetch-mnist} installs. Precedence: {@code --data DIR}, then the environment variable
 * {@code MINIMA_DATA}, then {@code ~/.minima/data}. A directory the user named (by either of the first two) is
 * never replaced by a download: without a copy in it, the command stops before any work and says to run
 * {@code fetch-mnist}.
 */
public final class MnistDataOption implements OptionGroup {

    private boolean installs;
    private boolean djlFallback;

    @Option(names = "--data", paramLabel = "DIR", description = "MNIST data directory (default: $MINIMA_DATA,"
            + " else ~/.minima/data); `fetch-mnist --data DIR` installs a verified copy there.")
    private Path data;

    /**
     * Marks the option as the target of an installation ({@code fetch-mnist}): then no copy need exist yet.
     *
     * @return this option
     */
    public MnistDataOption installing() {
        this.installs = true;
        return this;
    }

    /**
     * Lets a command that reads MNIST through DJL's dataset API fall back to DJL's own download when the user
     * named no directory and the default one holds no copy ({@code mnist-info}).
     *
     * @return this option
     */
    public MnistDataOption allowingDjlFallback() {
        this.djlFallback = true;
        return this;
    }

    /** @return whether reading may fall back to DJL's download: allowed by the command and no directory named */
    public boolean fallsBackToDjl() {
        return djlFallback && !named();
    }

    /** @return the directory given with {@code --data}, or {@code null} */
    public Path given() {
        return data;
    }

    /**
     * Sets the directory (for tests and callers that build commands in code).
     *
     * @param dir the data directory, or {@code null} for the default
     */
    public void setDir(Path dir) {
        this.data = dir;
    }

    /** @return whether the user named the directory, with {@code --data} or {@code $MINIMA_DATA} */
    public boolean named() {
        String env = System.getenv(MnistLocalRepository.ENV_DATA_DIR);
        return data != null || (env != null && !env.isBlank());
    }

    /** @return the data directory to use, absolute */
    public Path dir() {
        return MnistLocalRepository.resolveDataDir(data);
    }

    @Override
    public void validate() {
        Path dir = dir();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("--data " + dir + " is a file; name the directory that holds (or will hold)"
                    + " MNIST");
        }
        if (!installs && !fallsBackToDjl() && !Files.isDirectory(MnistLocalRepository.artifactDir(dir))) {
            throw new UsageException("no MNIST copy in " + dir + "; run `java -jar demos/target/minima-demos.jar"
                    + " fetch-mnist" + (named() ? " --data " + dir : "") + "` first");
        }
    }
}
