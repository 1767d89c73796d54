package dev.minima.demos;

import ai.djl.Model;
import ai.djl.basicdataset.cv.classification.Mnist;
import ai.djl.training.dataset.Dataset;
import dev.minima.curvature.Curvature;
import dev.minima.data.MnistData;
import dev.minima.loss.Losses;

/**
 * The README's curvature example, runnable: the {@code bench} MLP (784-512-512-10 ReLU, DJL's default
 * initialisation under seed 0) on the first 1,000 MNIST test images in batches of 250, streamed through {@link
 * Curvature}.
 *
 * <pre>
 * java -cp "demos/target/minima-demos.jar:demos/target/lib/*" dev.minima.demos.CurvatureExample
 * </pre>
 */
public final class CurvatureExample {

    private CurvatureExample() {}

    /**
     * Prints the top three eigenvalues, the trace, the density's summary and the first layer's λ_max.
     *
     * @param args unused
     * @throws Exception if MNIST cannot be read
     */
    public static void main(String[] args) throws Exception {
        try (Model model = Model.newInstance("mlp")) {
            model.setBlock(DatasetMemoryBenchmark.model(model.getNDManager()));
            Mnist dataset = MnistData.builder().optUsage(Dataset.Usage.TEST).optLimit(1000).setSampling(250, false)
                    .build();
            try (Curvature c = Curvature.of(model, Losses.softmaxCrossEntropy(), dataset)) {
                System.out.println(c.topEigenvalues(3));
                System.out.println(c.trace());
                var density = c.density();
                System.out.println("density on [" + density.grid()[0] + ", " + density.grid()[density.grid().length - 1]
                        + "], integral " + density.integral() + ", " + density.products() + " products");
                System.out.println(c.parameterNames());
                System.out.println(c.forParameter("02Linear_weight").topEigenvalue());
            }
        }
    }
}
