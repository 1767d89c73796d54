package dev.minima.demos;

import dev.minima.stability.LossConvention;
import dev.minima.stability.NetworkFiles;
import dev.minima.stability.ShallowReluNetwork;
import dev.minima.stability.StabilityReport;
import dev.minima.demos.support.Checks;
import dev.minima.demos.support.UsageException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code norms}: the stability norms, sharpness bounds and verdict of a one-hidden-layer ReLU network on its
 * training inputs ({@link StabilityReport}), from a weights JSON file and a data CSV file.
 */
@Command(
        name = "norms",
        mixinStandardHelpOptions = true,
        description = "Stability norms and sharpness bounds of a one-hidden-layer ReLU network"
                + " (Mulayoff et al. 2021; Nacson et al. 2023).")
public final class NormsCommand extends DemoCommand {

    @Option(names = "--weights", required = true, paramLabel = "W.json",
            description = "Weights: {\"W1\": [[...] k rows of d], \"b1\": [k] or null, \"w2\": [k], \"b2\": number or null}.")
    private Path weights;

    @Option(names = "--data", required = true, paramLabel = "X.csv",
            description = "Training inputs: n rows of d comma-separated numbers, no header.")
    private Path data;

    @Option(names = "--eta", paramLabel = "η", description = "Step size; adds the Theorem 1 bound and a verdict.")
    private Double eta;

    @Option(names = "--loss", paramLabel = "half-mse|mse", defaultValue = "half-mse",
            description = "Loss convention: half-mse (C = 1, the papers' and DJL L2Loss) or mse (C = 2)."
                    + " Default: ${DEFAULT-VALUE}.")
    private String loss;

    @Override
    protected String name() {
        return "norms";
    }

    @Override
    protected void validate() {
        if (eta != null) {
            Checks.positiveFloat("--eta", eta);
        }
        LossConvention.parse(loss);
        for (Path file : new Path[] {weights, data}) {
            Checks.require(Files.isRegularFile(file), (file == weights ? "--weights " : "--data ") + file
                    + (Files.isDirectory(file) ? " is a directory" : " does not exist") + "; name the file");
        }
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        LossConvention convention = LossConvention.parse(loss);
        recordInput("--weights", weights);
        recordInput("--data", data);
        ShallowReluNetwork network = read("--weights", weights, () -> NetworkFiles.readWeights(weights));
        double[][] x = read("--data", data, () -> NetworkFiles.readData(data));
        OptionalDouble step = eta == null ? OptionalDouble.empty() : OptionalDouble.of(eta);
        StabilityReport report;
        try {
            report = StabilityReport.of(network, x, step, convention);
        } catch (IllegalArgumentException | ArithmeticException e) {
            if (e.getMessage() == null || !e.getMessage().contains("not finite")) {
                throw e;
            }
            throw new UsageException("the norms of --weights " + weights + " on --data " + data + " overflow double"
                    + " precision (" + e.getMessage() + "); rescale the weights or the data", e);
        }
        logger.info("{} (loss {}): {}", network, convention.cliName(), report);
        return report.toMap();
    }

    /** A reader of one input file. */
    private interface Reader<T> {
        T read() throws IOException;
    }

    private static <T> T read(String option, Path file, Reader<T> reader) throws IOException {
        try {
            return reader.read();
        } catch (CharacterCodingException e) {
            throw new UsageException(option + " " + file + " is not UTF-8 text; save it as UTF-8 (or plain ASCII)", e);
        }
    }
}
