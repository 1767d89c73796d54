package dev.minima.demos.samxor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.minima.util.SeededRandom;
import java.util.SplittableRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReluMlpTest {

    /**
     * Parameter names and shapes of the three variants, initial values within PyTorch's ±1/√fan_in, and the
     * forward pass equal to the formula evaluated in Java (float64, 1e-12).
     */
    @Test
    void variantsComputeTheirFormulas() {
        int d = 5;
        int width = 7;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = SeededRandom.gaussian(m, new Shape(4, d), DataType.FLOAT64, new SplittableRandom(3));
            double[][] xs = rows(x);
            for (ReluMlp.Variant v : ReluMlp.Variant.values()) {
                Block net = ReluMlp.builder().setInputDimension(d).setWidth(width).optVariant(v).build();
                Engine.getInstance().setRandomSeed(11);
                net.initialize(m, DataType.FLOAT64, new Shape(1, d));
                List<String> names = new ArrayList<>();
                for (Pair<String, Parameter> p : net.getParameters()) {
                    names.add(p.getKey());
                }
                List<String> expectedNames = v == ReluMlp.Variant.NO_BIAS
                        ? List.of("01Linear_weight", "03Linear_weight")
                        : List.of("01Linear_weight", "01Linear_bias", v == ReluMlp.Variant.SIM_LN
                                ? "04Linear_weight" : "03Linear_weight");
                assertEquals(expectedNames, names, v.name());
                double[] w1 = net.getParameters().get(0).getValue().getArray().toDoubleArray();
                double[] b1 = v == ReluMlp.Variant.NO_BIAS ? new double[width]
                        : net.getParameters().get(1).getValue().getArray().toDoubleArray();
                double[] w2 = net.getParameters().get(names.size() - 1).getValue().getArray().toDoubleArray();
                assertEquals(width * d, w1.length);
                assertEquals(width, w2.length);
                for (double w : w1) {
                    assertTrue(Math.abs(w) <= 1 / Math.sqrt(d));
                }
                for (double w : w2) {
                    assertTrue(Math.abs(w) <= 1 / Math.sqrt(width));
                }
                double[] f = net.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow()
                        .toDoubleArray();
                for (int j = 0; j < xs.length; j++) {
                    double[] a = new double[width];
                    double norm = 0;
                    for (int k = 0; k < width; k++) {
                        double h = b1[k];
                        for (int i = 0; i < d; i++) {
                            h += w1[k * d + i] * xs[j][i];
                        }
                        a[k] = Math.max(h, 0);
                        norm += a[k] * a[k];
                    }
                    double scale = v == ReluMlp.Variant.SIM_LN ? 1 / Math.max(Math.sqrt(norm), 1e-6) : 1;
                    double expected = 0;
                    for (int k = 0; k < width; k++) {
                        expected += w2[k] * a[k] * scale;
                    }
                    assertEquals(expected, f[j], 1e-12 * (1 + Math.abs(expected)), v + " example " + j);
                }
            }
        }
    }

    /** Depth 3 has bias only in the first layer; the first-layer scale shrinks its initial range. */
    @Test
    void deeperNetsAndScaledInit() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block net = ReluMlp.builder().setInputDimension(4).setWidth(6).optDepth(3).optFirstLayerScale(0.01).build();
            net.initialize(m, DataType.FLOAT32, new Shape(1, 4));
            List<String> names = new ArrayList<>();
            for (Pair<String, Parameter> p : net.getParameters()) {
                names.add(p.getKey());
            }
            assertEquals(List.of("01Linear_weight", "01Linear_bias", "03Linear_weight", "05Linear_weight"), names);
            for (float w : net.getParameters().get(0).getValue().getArray().toFloatArray()) {
                assertTrue(Math.abs(w) <= 0.01 / Math.sqrt(4) + 1e-7);
            }
            assertThrows(IllegalArgumentException.class, () -> ReluMlp.builder().setInputDimension(4).setWidth(6)
                    .optVariant(ReluMlp.Variant.SIM_LN).optDepth(3).build());
            assertThrows(IllegalArgumentException.class, () -> ReluMlp.builder().setWidth(6).build());
        }
    }

    private static double[][] rows(NDArray a) {
        int n = (int) a.getShape().get(0);
        int c = (int) a.getShape().get(1);
        double[] v = a.toDoubleArray();
        double[][] out = new double[n][c];
        for (int i = 0; i < n; i++) {
            System.arraycopy(v, i * c, out[i], 0, c);
        }
        return out;
    }
}
