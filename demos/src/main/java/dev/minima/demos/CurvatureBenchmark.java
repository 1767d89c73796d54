package dev.minima.demos;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Eigenpairs;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Lanczos;
import dev.minima.curvature.Objective;
import dev.minima.curvature.PowerIteration;
import dev.minima.curvature.Vectors;
import dev.minima.data.MnistArrays;
import dev.minima.demos.support.Progress;
import dev.minima.loss.Losses;
import dev.minima.util.GarbageCollection;
import dev.minima.util.NativeMemory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The curvature benchmark of the {@code bench} subcommand: a 784-512-512-10 ReLU MLP (DJL's default
 * initialisation under seed 0), Minima's softmax cross-entropy, the first 1000 MNIST test images. Every
 * figure is measured in one run, so ratios are comparable even when absolute times drift.
 */
final class CurvatureBenchmark {

    private final MnistArrays test;
    private final int images;
    private final int repeats;
    private final int rssProducts;

    CurvatureBenchmark(MnistArrays test, int images, int repeats, int rssProducts) {
        this.test = test;
        this.images = images;
        this.repeats = repeats;
        this.rssProducts = rssProducts;
    }

    /** @return the benchmark's model, 784-512-512-10 with ReLU, not initialised */
    static SequentialBlock mlpBlock() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(512).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(512).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(10).build());
    }

    /**
     * @param manager the manager of the parameters
     * @param seed the libtorch seed of DJL's default initialisers
     * @return the benchmark's model, initialised in float32
     */
    static Block mlp(NDManager manager, long seed) {
        SequentialBlock b = mlpBlock();
        Engine.getInstance().setRandomSeed((int) seed);
        b.initialize(manager, DataType.FLOAT32, new Shape(1, 784));
        return b;
    }

    Map<String, Object> run() {
        Map<String, Object> out = new LinkedHashMap<>();
        MnistArrays head = test.head(images);
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = mlp(m, 0);
            NDArray x = NativeArrays.of(m, head.pixels(), new Shape(images, 784), DataType.FLOAT32);
            double[] labels = Arrays.stream(head.labels()).asDoubleStream().toArray();
            NDArray y = NativeArrays.of(m, labels, new Shape(images), DataType.INT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.softmaxCrossEntropy())
                    .addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj)) {
                out.put("parameters", obj.space().dimension());
                out.put("images", images);
                Progress bar = new Progress("bench: curvature", 6);
                // gradient: one forward and one backward through the bridge
                for (int i = 0; i < 3; i++) {
                    timeGradient(obj, m);
                }
                double gradMs = median(repeats, () -> timeGradient(obj, m));
                bar.step();
                // HVP on the retained gradient graph: one backward per product
                NDArray v = Vectors.gaussian(m, obj.space().dimension(), DataType.FLOAT32, new SplittableRandom(1));
                for (int i = 0; i < 3; i++) {
                    h.apply(v).close();
                }
                double hvpMs = median(repeats, () -> {
                    long t = System.nanoTime();
                    h.apply(v).close();
                    return (System.nanoTime() - t) / 1e6;
                });
                out.put("grad_ms", gradMs);
                out.put("hvp_ms", hvpMs);
                out.put("hvp_over_grad", hvpMs / gradMs);
                bar.step();

                Eigenpairs ref = Lanczos.builder().optTopK(1).optTolerance(1e-9).optMaxIterations(200).optSeed(123)
                        .optKeepVectors(false).build().run(h);
                double lmax = ref.max();
                out.put("lmax_reference", lmax);
                out.put("lmax_reference_residual", ref.residual(0));
                bar.step();
                Eigenpairs lz = Lanczos.builder().optTopK(1).optTolerance(1e-12).optMaxIterations(60).optSeed(7)
                        .optKeepVectors(false).build().run(h);
                int lanczosHvps = -1;
                double[] hist = lz.history();
                for (int j = 0; j < hist.length; j++) {
                    if (Math.abs(hist[j] - lmax) / Math.abs(lmax) <= 1e-3) {
                        lanczosHvps = j + 1;
                        break;
                    }
                }
                out.put("lanczos_hvps", lanczosHvps);
                out.put("lanczos_rel_err", lanczosHvps > 0 ? Math.abs(hist[lanczosHvps - 1] - lmax) / lmax : null);
                bar.step();
                Eigenpairs pw = PowerIteration.builder().optTopK(1).optSeed(7)
                        .optStoppingRule(PowerIteration.StoppingRule.RELATIVE_CHANGE).optTolerance(1e-3)
                        .optMaxIterations(100).build().run(h);
                out.put("power_hvps", pw.products());
                out.put("power_rel_err", Math.abs(pw.max() - lmax) / lmax);
                bar.step();

                // resident memory over many products after warm-up
                for (int i = 0; i < 50; i++) {
                    h.apply(v).close();
                }
                GarbageCollection.collect();
                long before = NativeMemory.nativeKb();
                for (int i = 0; i < rssProducts; i++) {
                    h.apply(v).close();
                }
                GarbageCollection.collect();
                long after = NativeMemory.nativeKb();
                out.put("rss_mb_per_1000_hvp", (after - before) / 1024.0 * 1000.0 / rssProducts);
                bar.step();
                bar.end();
            }
        }
        return out;
    }

    private static double timeGradient(Objective obj, NDManager m) {
        long t = System.nanoTime();
        obj.gradient(m).close();
        return (System.nanoTime() - t) / 1e6;
    }

    private static double median(int n, java.util.function.DoubleSupplier f) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = f.getAsDouble();
        }
        return dev.minima.util.Numerics.median(t);
    }
}
