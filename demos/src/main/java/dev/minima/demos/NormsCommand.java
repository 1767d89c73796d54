package dev.minima.demos;

import dev.minima.stability.LossConvention;
import dev.minima.stability.NetworkFiles;
import dev.minima.stability.ShallowReluNetwork;
import dev.minima.stability.StabilityReport;
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
    protected Map<String, Object> execute(Path outDir) throws Exception {
        LossConvention convention = LossConvention.parse(loss);
        ShallowReluNetwork network = NetworkFiles.readWeights(weights);
        double[][] x = NetworkFiles.readData(data);
        OptionalDouble step = eta == null ? OptionalDouble.empty() : OptionalDouble.of(eta);
        StabilityReport report = StabilityReport.of(network, x, step, convention);
        logger.info("{} (loss {}): {}", network, convention.cliName(), report);
        return report.toMap();
    }
}
