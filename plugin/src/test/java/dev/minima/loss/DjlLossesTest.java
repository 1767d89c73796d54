package dev.minima.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.L1Loss;
import ai.djl.training.loss.L2Loss;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SigmoidBinaryCrossEntropyLoss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import dev.minima.SingleTorchThread;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;
import dev.minima.autograd.NativeArrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DJL's standard losses and their GC-safe equivalents: equal value and gradient (with respect to the
 * predictions) on random data, in float64 so that the only differences are rounding (tolerance 1e-12 relative:
 * the same operations in a different order); the mapped gradient stays exact with a forced {@code System.gc()}
 * between forward and backward.
 */
@ExtendWith(SingleTorchThread.class)
class DjlLossesTest {

    private static final int ROWS = 7;
    private static final int CLASSES = 5;

    @Test
    void mappedLossesEqualDjlsInValueAndGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = random(m, 1, ROWS, CLASSES, -2, 2);
            NDArray sparse = classes(m, 2);
            NDArray oneHot = sparse.toType(DataType.INT64, false).oneHot(CLASSES).toType(DataType.FLOAT64, false);
            NDArray soft = random(m, 3, ROWS, CLASSES, 0, 1);
            NDArray logProbs = logits.logSoftmax(-1);
            NDArray target = random(m, 4, ROWS, 3, -1, 1);
            NDArray pred3 = random(m, 5, ROWS, 3, -1, 1);
            NDArray bits = random(m, 6, ROWS, 3, 0, 1).gt(NativeArrays.scalar(m, 0.5, DataType.FLOAT64))
                    .toType(DataType.FLOAT64, false);
            check(Loss.softmaxCrossEntropyLoss(), sparse, logits);
            check(new SoftmaxCrossEntropyLoss("w", 0.3f, -1, true, true), sparse, logits);
            check(new SoftmaxCrossEntropyLoss("onehot", 1f, -1, false, true), oneHot, logits);
            check(new SoftmaxCrossEntropyLoss("soft", 2f, -1, false, true), soft, logits);
            check(new SoftmaxCrossEntropyLoss("logprob", 1f, -1, true, false), sparse, logProbs);
            check(Loss.l2Loss(), target, pred3);
            check(new L2Loss("l2w", 3f), target, pred3);
            check(Loss.l1Loss(), target, pred3);
            check(Loss.sigmoidBinaryCrossEntropyLoss(), bits, pred3);
            check(new SigmoidBinaryCrossEntropyLoss("bcew", 1.5f, false), bits, pred3);
        }
    }

    @Test
    void mappedGradientsStayExactUnderForcedGc() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = random(m, 11, ROWS, CLASSES, -2, 2);
            NDArray sparse = classes(m, 12);
            NDArray target = random(m, 13, ROWS, CLASSES, -1, 1);
            for (Loss djl : new Loss[] {Loss.softmaxCrossEntropyLoss(), Loss.l2Loss(), new L2Loss("l2w", 3f),
                    Loss.sigmoidBinaryCrossEntropyLoss()}) {
                NDArray label = djl instanceof SoftmaxCrossEntropyLoss ? sparse
                        : djl instanceof SigmoidBinaryCrossEntropyLoss ? target.gt(NativeArrays.scalar(m, 0,
                                DataType.FLOAT64)).toType(DataType.FLOAT64, false) : target;
                MinimaLoss safe = DjlLosses.toGcSafe(djl);
                double[] reference = gradient(safe, label, logits, false);
                for (int i = 0; i < 20; i++) {
                    double[] g = gradient(safe, label, logits, true);
                    for (int j = 0; j < g.length; j++) {
                        assertEquals(reference[j], g[j], 0.0, djl.getName() + " under GC, iteration " + i);
                    }
                }
            }
        }
    }

    @Test
    void unmappableLossesNameTheWaysOut() {
        Loss custom = new Loss("Custom") {
            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                return predictions.singletonOrThrow().mean();
            }
        };
        for (Loss l : new Loss[] {custom, new SigmoidBinaryCrossEntropyLoss("p", 1f, true),
                new SoftmaxCrossEntropyLoss("axis", 1f, 0, true, true), new L1Loss("l1w", 0.25f)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DjlLosses.toGcSafe(l));
            assertTrue(e.getMessage().contains("optLoss(") && e.getMessage().contains("dev.minima.loss"),
                    e.getMessage());
        }
        MinimaLoss own = Losses.halfMse();
        assertTrue(DjlLosses.toGcSafe(own) == own);
    }

    private static void check(Loss djl, NDArray label, NDArray pred) {
        MinimaLoss safe = DjlLosses.toGcSafe(djl);
        double[] vd = valueAndGradient(djl, label, pred);
        double[] vs = valueAndGradient(safe, label, pred);
        assertEquals(vd.length, vs.length);
        double scale = 0;
        for (double v : vd) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < vd.length; i++) {
            assertEquals(vd[i], vs[i], 1e-12 * scale, djl.getName() + " element " + i + " (0 = value)");
        }
    }

    /** [value, ∂L/∂pred...] with no GC between forward and backward (DJL's losses are only safe then). */
    private static double[] valueAndGradient(Loss loss, NDArray label, NDArray pred) {
        try (NDManager s = pred.getManager().newSubManager()) {
            NDArray p = pred.duplicate();
            p.attach(s);
            p.setRequiresGradient(true);
            NDArray value;
            try (GradMode on = GradMode.enabled()) {
                value = loss.evaluate(new NDList(label), new NDList(p));
            }
            NDArray g = AutogradBridge.on(p.getDevice()).gradient(value, new NDList(p), false, s).get(0);
            double[] gd = g.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] out = new double[gd.length + 1];
            out[0] = value.toType(DataType.FLOAT64, false).getDouble();
            System.arraycopy(gd, 0, out, 1, gd.length);
            return out;
        }
    }

    private static double[] gradient(Loss loss, NDArray label, NDArray pred, boolean gc) {
        try (NDManager s = pred.getManager().newSubManager()) {
            NDArray p = pred.duplicate();
            p.attach(s);
            p.setRequiresGradient(true);
            NDArray value;
            try (GradMode on = GradMode.enabled()) {
                value = loss.evaluate(new NDList(label), new NDList(p));
            }
            if (gc) {
                System.gc();
            }
            return AutogradBridge.on(p.getDevice()).gradient(value, new NDList(p), false, s).get(0).toDoubleArray();
        }
    }

    private static NDArray random(NDManager m, long seed, int rows, int cols, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * r.nextDouble();
        }
        return NativeArrays.of(m, v, new Shape(rows, cols), DataType.FLOAT64);
    }

    private static NDArray classes(NDManager m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[ROWS];
        for (int i = 0; i < ROWS; i++) {
            v[i] = r.nextInt(CLASSES);
        }
        return NativeArrays.of(m, v, new Shape(ROWS), DataType.FLOAT64);
    }
}
