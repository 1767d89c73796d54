package dev.minima.demos.mnist;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Saves and loads the parameters of a trained block in DJL's own parameter format ({@link
 * Block#saveParameters(DataOutputStream)}, the format of a {@code .params} file written by {@code Model.save}).
 * {@code mnist-classify} writes {@code mlp-10class-sgd.params} and {@code mlp-10class-sam.params} this way;
 * {@code landscape --params DIR} reads them back into a block of the same architecture.
 */
public final class MlpParameters {

    private MlpParameters() {}

    /**
     * @param sgd true for the SGD run, false for the SAM run
     * @return the file name mnist-classify gives that run's parameters
     */
    public static String fileName(boolean sgd) {
        return "mlp-10class-" + (sgd ? "sgd" : "sam") + ".params";
    }

    /**
     * Writes the block's parameters atomically (temporary file beside the target, then a rename).
     *
     * @param block an initialised block
     * @param file the target file
     * @throws UncheckedIOException if it cannot be written
     */
    public static void save(Block block, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                block.saveParameters(out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not save parameters to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Overwrites an initialised block's parameters with those saved in a file.
     *
     * @param block a block of the same architecture, initialised
     * @param manager the manager of the loaded arrays
     * @param file the file written by {@link #save}
     * @throws IllegalArgumentException if the file is missing or does not fit the block (e.g. another hidden width)
     */
    public static void load(Block block, NDManager manager, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no parameter file " + file + ": run mnist-classify (it writes "
                    + fileName(true) + " and " + fileName(false) + " to its output directory) or leave --params out");
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            block.loadParameters(manager, in);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw new IllegalArgumentException("could not load " + file + " into the MLP: " + e.getMessage()
                    + " (is --hidden the width mnist-classify trained with?)", e);
        }
    }
}
