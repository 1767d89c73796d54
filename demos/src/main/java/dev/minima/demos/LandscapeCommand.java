package dev.minima.demos;

import ai.djl.training.dataset.Dataset;
import dev.minima.data.MnistArrays;
import dev.minima.demos.mnist.LandscapeComparison;
import dev.minima.demos.mnist.LandscapeComparison.ModelLandscape;
import dev.minima.demos.mnist.LandscapeReport;
import dev.minima.demos.mnist.TorchThreads;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code landscape}: the loss landscape of the 10-class MNIST MLP of {@code mnist-classify} trained by SGD and by
 * SAM (or loaded from the parameters {@code mnist-classify} saved), drawn side by side on the same scales: 1-D and
 * 2-D slices (filter-normalised random directions, Li et al. 2018, and the top Hessian eigenvectors), the
 * Hessian's spectral density, λ_max and trace per parameter block, and six sharpness measures (worst and average
 * case, ℓ2 and ℓ∞, plain and adaptive; Andriushchenko et al. 2023). {@code report.md} says which measures rank SAM
 * flatter than SGD.
 */
@Command(name = "landscape", mixinStandardHelpOptions = true, description = {
    "Loss landscape of the 10-class MNIST MLP, SGD vs SAM: 1-D and 2-D loss slices (filter-normalised random and"
            + " top-eigenvector directions), Hessian spectral density, per-layer curvature and six sharpness"
            + " measures, side by side; report.md says which measures rank SAM flatter."})
public final class LandscapeCommand extends DemoCommand {

    @Option(names = "--full", description = "Larger scale: 60,000 training images, 30 epochs, probe 5000, finer"
            + " grids, more SLQ probes and samples.")
    boolean full;

    @Option(names = "--data", paramLabel = "DIR", description = "MNIST data directory (default: $MINIMA_DATA, else"
            + " ~/.minima/data).")
    Path data;

    @Option(names = "--params", paramLabel = "DIR", description = "Load the two MLPs from mlp-10class-sgd.params and"
            + " mlp-10class-sam.params in DIR (written by mnist-classify) instead of training them.")
    Path params;

    @Option(names = "--train", paramLabel = "N", description = "Training images (quick 10000, full 60000).")
    Integer train;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs per optimizer (quick 40, full 30).")
    Integer epochs;

    @Option(names = "--hidden", paramLabel = "K", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden = 256;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch = 128;

    @Option(names = "--lr", paramLabel = "ETA", description = "SGD step size, both runs (default: ${DEFAULT-VALUE}).")
    double lr = 0.1;

    @Option(names = "--rho", paramLabel = "RHO", description = "SAM's training radius (default: ${DEFAULT-VALUE}).")
    double rho = 0.05;

    @Option(names = "--probe", paramLabel = "N", description = "Training images every measure is taken on (quick"
            + " 1000, full 5000).")
    Integer probe;

    @Option(names = "--points-1d", paramLabel = "N", description = "Grid points of the 1-D slices (quick 41, full 81).")
    Integer points1d;

    @Option(names = "--points-2d", paramLabel = "N", description = "Grid points per axis of the 2-D slices (quick 21,"
            + " full 41).")
    Integer points2d;

    @Option(names = "--range", paramLabel = "R", description = "Slices along filter-normalised directions span"
            + " [-R, R] (default: ${DEFAULT-VALUE}).")
    double range = 1;

    @Option(names = "--eigen-range", paramLabel = "R", description = "Slices along eigenvectors span [-R, R] in"
            + " parameter distance (default: sqrt(4/lambda_max) of the sharper model).")
    Double eigenRange;

    @Option(names = "--top-k", paramLabel = "K", description = "Top Hessian eigenvalues marked on the density"
            + " (default: ${DEFAULT-VALUE}).")
    int topK = 5;

    @Option(names = "--lanczos", paramLabel = "K", description = "Most Lanczos products (default: ${DEFAULT-VALUE}).")
    int lanczos = 60;

    @Option(names = "--slq-probes", paramLabel = "P", description = "SLQ probes (quick 5, full 10).")
    Integer slqProbes;

    @Option(names = "--slq-steps", paramLabel = "M", description = "Lanczos steps per SLQ probe (default:"
            + " ${DEFAULT-VALUE}).")
    int slqSteps = 80;

    @Option(names = "--trace-samples", paramLabel = "S", description = "Hutchinson probes per parameter block"
            + " (default: ${DEFAULT-VALUE}).")
    int traceSamples = 30;

    @Option(names = "--rho-l2", paramLabel = "RHO", description = "Worst-case l2 radius (default: ${DEFAULT-VALUE}).")
    double rhoL2 = 0.1;

    @Option(names = "--rho-linf", paramLabel = "RHO", description = "Worst-case linf radius (default:"
            + " ${DEFAULT-VALUE}).")
    double rhoLinf = 5e-4;

    @Option(names = "--rho-adaptive-l2", paramLabel = "RHO", description = "Adaptive worst-case l2 radius, relative"
            + " to |theta| (default: ${DEFAULT-VALUE}).")
    double rhoAdaptiveL2 = 0.5;

    @Option(names = "--rho-adaptive-linf", paramLabel = "RHO", description = "Adaptive worst-case linf radius,"
            + " relative to |theta| (default: ${DEFAULT-VALUE}).")
    double rhoAdaptiveLinf = 0.02;

    @Option(names = "--sigma", paramLabel = "S", description = "Average-case sigma (default: ${DEFAULT-VALUE}).")
    double sigma = 0.02;

    @Option(names = "--sigma-adaptive", paramLabel = "S", description = "Adaptive average-case sigma, relative to"
            + " |theta| (default: ${DEFAULT-VALUE}).")
    double sigmaAdaptive = 0.3;

    @Option(names = "--ascent-steps", paramLabel = "N", description = "Gradient ascent steps per worst-case measure"
            + " (quick 20, full 50).")
    Integer ascentSteps;

    @Option(names = "--samples", paramLabel = "N", description = "Antithetic pairs per average-case measure (quick"
            + " 50, full 200).")
    Integer samples;

    @Option(names = "--threads", paramLabel = "N", description = "libtorch intra-op threads (default:"
            + " ${DEFAULT-VALUE}).")
    int threads = 1;

    @Override
    protected String name() {
        return "landscape";
    }

    @Override
    protected Map<String, Object> execute(Path outDir) throws Exception {
        TorchThreads.set(threads);
        double cpu0 = dev.minima.demos.support.CpuClock.seconds();
        long wall0 = System.nanoTime();
        LandscapeComparison.Settings s = new LandscapeComparison.Settings(
                train != null ? train : full ? 60_000 : 10_000, hidden, batch, lr, rho,
                epochs != null ? epochs : full ? 30 : 40, params,
                probe != null ? probe : full ? 5000 : 1000,
                points1d != null ? points1d : full ? 81 : 41,
                points2d != null ? points2d : full ? 41 : 21,
                range, eigenRange != null ? eigenRange : Double.NaN, topK, lanczos,
                slqProbes != null ? slqProbes : full ? 10 : 5, slqSteps, traceSamples,
                rhoL2, rhoLinf, rhoAdaptiveL2, rhoAdaptiveLinf, sigma, sigmaAdaptive,
                ascentSteps != null ? ascentSteps : full ? 50 : 20,
                samples != null ? samples : full ? 200 : 50, seed);
        List<ModelLandscape> runs = new LandscapeComparison(s).run(MnistArrays.read(data, Dataset.Usage.TRAIN),
                MnistArrays.read(data, Dataset.Usage.TEST));
        double wall = (System.nanoTime() - wall0) / 1e9;
        double cpu = dev.minima.demos.support.CpuClock.seconds() - cpu0;
        return LandscapeReport.write(s, full ? "full" : "quick", runs, outDir, wall, cpu);
    }
}
