package dev.minima.landscape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.dataset.ArrayDataset;
import dev.minima.curvature.DenseMatrices;
import dev.minima.curvature.HessianOperator;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.RestrictedOperator;
import dev.minima.curvature.Vectors;
import dev.minima.curvature.SymmetricEigen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.minima.SingleTorchThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Loss surfaces, filter normalisation, per-layer curvature, restoration of the parameters, bad input. */
@ExtendWith(SingleTorchThread.class)
class LandscapeTest {

    @TempDir
    Path dir;

    /** On L = ½θᵀAθ the 2-D slice is ½(αd₁ + βd₂)ᵀA(αd₁ + βd₂) at every grid point. */
    @Test
    void surfaceOfAQuadraticMatchesTheClosedForm() throws Exception {
        double[][] x = LandscapeFixtures.gaussian(8, 9, 4);
        double[][] a = LandscapeFixtures.hessian(x);
        double[] d1 = {1, 0.5, -1, 2};
        double[] d2 = {0, 1, 1, -0.5};
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.quadratic(m, x, new double[4], new double[4])) {
            Surface s = LossSurface.builder().setObjective(obj).addDirection(d1).addDirection(d2).optRange(-0.5, 1)
                    .optPoints(4).optProgressBar(false).build().run();
            assertEquals(2, s.dimensions());
            for (int j = 0; j < 4; j++) {
                for (int i = 0; i < 4; i++) {
                    double[] p = new double[4];
                    for (int k = 0; k < 4; k++) {
                        p[k] = s.x()[i] * d1[k] + s.y()[j] * d2[k];
                    }
                    assertEquals(quad(a, p), s.loss()[j][i], 1e-12, "grid point " + i + "," + j);
                }
            }
            s.writeCsv(dir.resolve("s.csv"));
            assertEquals(1 + 16, Files.readAllLines(dir.resolve("s.csv")).size());
        }
    }

    /**
     * A 2-D surface and every sharpness measure on a ReLU classifier leave the parameters bit for bit as they were;
     * the surface's centre is the loss at θ and the accuracy is a fraction of the examples.
     */
    @Test
    void parametersAreRestoredBitExactly() {
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.classifier(m, 1, 40, 5, 8, 3)) {
            ParameterSpace space = obj.space();
            long[] before = LandscapeFixtures.bits(space, m);
            double loss0 = obj.value();
            double[] d1 = Directions.randomFilterNormalized(space, 1, Directions.BiasMode.ZERO);
            double[] d2 = Directions.randomFilterNormalized(space, 2, Directions.BiasMode.WEIGHTS);
            Surface s = LossSurface.builder().setObjective(obj).addDirection(d1).addDirection(d2).optPoints(5)
                    .optAccuracy(true).optProgressBar(false).build().run();
            assertEquals(loss0, s.centreLoss(), 1e-12);
            assertEquals(loss0, s.loss()[2][2], 1e-12, "the middle of an odd grid is θ");
            double acc = s.accuracy()[0][0] * 40;
            assertEquals(Math.rint(acc), acc, 1e-9, "accuracy counts examples");
            for (PerturbationNorm norm : PerturbationNorm.values()) {
                for (boolean adaptive : new boolean[] {false, true}) {
                    WorstCaseSharpness.builder().optRho(0.5).optNorm(norm).optAdaptive(adaptive).optSteps(3).build()
                            .run(obj);
                }
            }
            AverageCaseSharpness.builder().optSigma(0.5).optSamples(3).build().run(obj);
            assertArrayEquals(before, LandscapeFixtures.bits(space, m));
            assertEquals(loss0, obj.value(), 0);
        }
    }

    /**
     * Landscape plots stream a DJL dataset batch by batch: over the same 40 examples in six batches (5 × 7 and 5)
     * the surface, its accuracy and both sharpness measures equal those of the resident single batch, up to the
     * float64 rounding of a weighted mean of batch means (1e-12 relative).
     */
    @Test
    void streamedDatasetGivesTheResidentResults() {
        try (NDManager m = NDManager.newBaseManager();
                Objective whole = LandscapeFixtures.classifier(m, 3, 40, 5, 8, 3)) {
            Objective.BatchData all = whole.batches().get(0);
            ArrayDataset data = new ArrayDataset.Builder().setData(all.data().singletonOrThrow())
                    .optLabels(all.labels().singletonOrThrow()).setSampling(7, false).build();
            try (Objective streamed = Objective.builder().setBlock(whole.block()).setLoss(whole.loss())
                    .optDataset(data).build()) {
                assertTrue(streamed.isStreaming());
                assertEquals(6, streamed.batchCount());
                ParameterSpace space = whole.space();
                double[] d1 = Directions.randomFilterNormalized(space, 4, Directions.BiasMode.ZERO);
                double[] d2 = Directions.randomFilterNormalized(space, 5, Directions.BiasMode.ZERO);
                Surface[] s = new Surface[2];
                SharpnessEstimate[] worst = new SharpnessEstimate[2];
                SharpnessEstimate[] average = new SharpnessEstimate[2];
                Objective[] objectives = {whole, streamed};
                for (int k = 0; k < 2; k++) {
                    s[k] = LossSurface.builder().setObjective(objectives[k]).addDirection(d1).addDirection(d2)
                            .optPoints(3).optAccuracy(true).optProgressBar(false).build().run();
                    worst[k] = WorstCaseSharpness.builder().optRho(0.3).optSteps(3).optSeed(6).build()
                            .run(objectives[k]);
                    average[k] = AverageCaseSharpness.builder().optSigma(0.3).optSamples(3).optSeed(7)
                            .optProgressBar(false).build().run(objectives[k]);
                }
                for (int j = 0; j < 3; j++) {
                    for (int i = 0; i < 3; i++) {
                        assertEquals(s[0].loss()[j][i], s[1].loss()[j][i], 1e-12 * s[0].loss()[j][i]);
                        assertEquals(s[0].accuracy()[j][i], s[1].accuracy()[j][i], 1e-15, "same examples counted");
                    }
                }
                assertEquals(worst[0].value(), worst[1].value(), 1e-12 * Math.abs(worst[0].baseLoss()));
                assertEquals(average[0].value(), average[1].value(), 1e-12 * Math.abs(average[0].baseLoss()));
            }
        }
    }

    /** Each filter (row of a weight) of the normalised direction has the norm of the weights' row; biases are 0. */
    @Test
    void filterNormalisationMatchesRowNorms() {
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.classifier(m, 2, 10, 5, 8, 3)) {
            ParameterSpace space = obj.space();
            double[] theta = Vectors.toDoubles(space.values(m));
            double[] d = Directions.randomFilterNormalized(space, 9, Directions.BiasMode.ZERO);
            double[] w = Directions.randomFilterNormalized(space, 9, Directions.BiasMode.WEIGHTS);
            for (int p = 0; p < space.names().size(); p++) {
                long[] shape = space.parameters().get(p).getArray().getShape().getShape();
                int start = (int) space.offset(p);
                int end = (int) space.offset(p + 1);
                if (shape.length < 2) {
                    for (int i = start; i < end; i++) {
                        assertEquals(0, d[i]);
                        assertEquals(theta[i], w[i]);
                    }
                    continue;
                }
                int len = (int) ((end - start) / shape[0]);
                for (int f = 0; f < shape[0]; f++) {
                    double dn = 0;
                    double wn = 0;
                    for (int i = start + f * len; i < start + (f + 1) * len; i++) {
                        dn += d[i] * d[i];
                        wn += theta[i] * theta[i];
                    }
                    assertEquals(Math.sqrt(wn), Math.sqrt(dn), 1e-12, space.names().get(p) + " filter " + f);
                }
            }
        }
    }

    /** λ_max and trace of each parameter's block agree with the dense Hessian's diagonal blocks. */
    @Test
    void layerCurvatureMatchesDenseBlocks() {
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.classifier(m, 3, 30, 4, 6, 3);
                HessianOperator h = HessianOperator.of(obj)) {
            ParameterSpace space = obj.space();
            double[][] dense = DenseMatrices.materialize(h);
            LayerCurvatureTable table = LayerCurvature.builder().optLanczosIterations(40).optTolerance(1e-8)
                    .optTraceSamples(20).build().run(h, space);
            assertEquals(space.names().size(), table.rows().size());
            double total = 0;
            for (int p = 0; p < space.names().size(); p++) {
                int s = (int) space.offset(p);
                int e = (int) space.offset(p + 1);
                double[][] block = new double[e - s][e - s];
                double tr = 0;
                for (int i = s; i < e; i++) {
                    for (int j = s; j < e; j++) {
                        block[i - s][j - s] = dense[i][j];
                    }
                    tr += dense[i][i];
                }
                total += tr;
                LayerCurvatureTable.Row row = table.rows().get(p);
                assertEquals(SymmetricEigen.of(block).max(), row.lambdaMax(), 1e-6 * Math.abs(row.lambdaMax()) + 1e-10,
                        row.name());
                if (row.exactTrace()) {
                    assertEquals(tr, row.trace(), 1e-9, row.name());
                } else {
                    assertEquals(tr, row.trace(), 4 * row.traceStandardError() + 1e-9, row.name());
                }
            }
            assertTrue(table.rows().stream().anyMatch(r -> !r.exactTrace()), "one block uses Hutchinson");
            assertEquals(total, table.totalTrace(), 4 * table.rows().stream()
                    .mapToDouble(LayerCurvatureTable.Row::traceStandardError).sum() + 1e-9);
            table.writeCsv(dir.resolve("layers.csv"));
            assertTrue(table.toMarkdown().contains(space.names().get(0)));
        }
    }

    /** Charts of every kind are written as PNG files. */
    @Test
    void chartsAreWritten() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.classifier(m, 4, 20, 3, 5, 3);
                HessianOperator h = HessianOperator.of(obj)) {
            double[] d1 = Directions.randomFilterNormalized(obj.space(), 1, Directions.BiasMode.ZERO);
            double[] d2 = Directions.randomFilterNormalized(obj.space(), 2, Directions.BiasMode.ZERO);
            Surface one = LossSurface.builder().setObjective(obj).addDirection(d1).optPoints(7).optAccuracy(true)
                    .optProgressBar(false).build().run();
            Surface two = LossSurface.builder().setObjective(obj).addDirection(d1).addDirection(d2).optPoints(5)
                    .optProgressBar(false).build().run();
            LandscapeCharts.slices(Map.of("A", one), "slice", "alpha", true, dir.resolve("one.png"));
            LandscapeCharts.contours(Map.of("A", two), "surface", "alpha", "beta", dir.resolve("two.png"));
            var density = dev.minima.curvature.SpectralDensity.builder().optLanczosSteps(10).build().run(h);
            LandscapeCharts.spectralDensity(Map.of("A", density), Map.of("A", new double[] {1, 0.5}), 0,
                    dir.resolve("density.png"));
            LayerCurvatureTable t = LayerCurvature.builder().build().run(h, obj.space());
            LandscapeCharts.layers(Map.of("A", t), dir.resolve("layers.png"));
            Map<String, List<SharpnessEstimate>> est = new LinkedHashMap<>();
            est.put("A", List.of(WorstCaseSharpness.builder().optSteps(2).build().run(obj),
                    AverageCaseSharpness.builder().optSamples(2).build().run(obj)));
            LandscapeCharts.sharpness(est, dir.resolve("sharpness.png"));
            for (String f : List.of("one.png", "two.png", "density.png", "layers.png", "sharpness.png")) {
                byte[] b = Files.readAllBytes(dir.resolve(f));
                assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', f);
            }
        }
    }

    /** Bad input is refused with a message that names the problem. */
    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> WorstCaseSharpness.builder().optRho(0).build());
        assertThrows(IllegalArgumentException.class, () -> WorstCaseSharpness.builder().optRho(-1).build());
        assertThrows(IllegalArgumentException.class, () -> WorstCaseSharpness.builder().optRho(Double.NaN).build());
        assertThrows(IllegalArgumentException.class, () -> AverageCaseSharpness.builder().optSigma(0).build());
        assertThrows(IllegalArgumentException.class, () -> AverageCaseSharpness.builder().optSamples(1).build());
        try (NDManager m = NDManager.newBaseManager();
                Objective obj = LandscapeFixtures.quadratic(m, LandscapeFixtures.diagonal(1, 2), new double[2],
                        new double[2])) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LossSurface.builder().setObjective(obj).addDirection(new double[3]).build());
            assertTrue(e.getMessage().contains("3 entries") && e.getMessage().contains("has 2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> LossSurface.builder().setObjective(obj).addDirection(new double[2]).optPoints(1).build());
            assertTrue(e.getMessage().contains("at least 2 points"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> LossSurface.builder().setObjective(obj).build());
            assertThrows(IllegalArgumentException.class, () -> LossSurface.builder().setObjective(obj)
                    .addDirection(new double[2]).addDirection(new double[2]).addDirection(new double[2]).build());
            assertThrows(IllegalArgumentException.class, () -> LossSurface.builder().setObjective(obj)
                    .addDirection(new double[2]).optRange(1, 1).build());
            assertThrows(IllegalArgumentException.class, () -> LossSurface.builder().setObjective(obj)
                    .addDirection(new double[] {1, Double.NaN}).build());
            assertThrows(IllegalArgumentException.class,
                    () -> Directions.filterNormalize(obj.space(), new double[5], Directions.BiasMode.ZERO));
        }
    }

    static double quad(double[][] a, double[] p) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p.length; j++) {
                s += p[i] * a[i][j] * p[j];
            }
        }
        return 0.5 * s;
    }
}
