package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import dev.minima.SingleTorchThread;
import dev.minima.TestModels;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;
import dev.minima.loss.Losses;
import dev.minima.util.GarbageCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exactness under garbage-collection pressure (djl-notes.md, "A DJL trap"): a loop written by hand with the
 * bridge, forcing {@code System.gc()} between the forward pass and the backward passes: forward, GC, ∇L with a
 * graph, GC, then {@value #PRODUCTS_PER_FORWARD} Hessian-vector products through that graph (every backward
 * runs after a collection that followed its forward pass; a forced GC costs 10–50 ms here, so they are shared
 * to keep the test short). Through Minima's ½-MSE every product equals the reference (same ops, same inputs,
 * deterministic CPU kernels; asserted to 1e-12 relative). DJL's {@code Loss.l2Loss()} is the same function but
 * multiplies by a Java number whose buffer the collector frees before the backward pass, so the same loop
 * returns wrong products (one GC before the first backward suffices there): the test asserts it fails at least
 * once in 300, showing that this test can fail.
 */
@ExtendWith(SingleTorchThread.class)
class GcPressureTest {

    private static final int MINIMA_PRODUCTS = Integer.getInteger("minima.test.gcProducts", 2000);
    private static final int PRODUCTS_PER_FORWARD = 10;
    private static final int DJL_PRODUCTS = 300;

    @Test
    void productsStayExactUnderGcOnlyWithGcSafeLosses() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 91, TestModels.tanh(), 3, 4, 1);
            NDArray x = TestModels.normal(m, 92, 6, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 93, 6, 1, DataType.FLOAT64);
            ParameterSpace space = ParameterSpace.of(block);
            NDList vs = new NDList();
            for (int k = 0; k < PRODUCTS_PER_FORWARD; k++) {
                vs.add(Vectors.of(m, Dense.gaussian((int) space.dimension(), 94 + k), DataType.FLOAT64));
            }
            double[][] reference = products(block, space, Losses.halfMse(), x, y, vs, 0);
            double scale = 0;
            for (double[] ref : reference) {
                for (double r : ref) {
                    scale = Math.max(scale, Math.abs(r));
                }
            }
            int minimaWrong = 0;
            for (int i = 0; i < MINIMA_PRODUCTS / PRODUCTS_PER_FORWARD; i++) {
                double[][] hv = products(block, space, Losses.halfMse(), x, y, vs, 2);
                for (int k = 0; k < PRODUCTS_PER_FORWARD; k++) {
                    minimaWrong += close(reference[k], hv[k], scale) ? 0 : 1;
                }
            }
            int djlWrong = 0;
            NDList first = new NDList(vs.get(0));
            for (int i = 0; i < DJL_PRODUCTS; i++) {
                djlWrong += close(reference[0], products(block, space, Loss.l2Loss(), x, y, first, 1)[0], scale)
                        ? 0 : 1;
            }
            long gcs = 0;
            for (java.lang.management.GarbageCollectorMXBean b
                    : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                gcs += b.getCollectionCount();
            }
            System.out.printf("GC pressure: Minima halfMse wrong %d/%d, DJL l2Loss wrong %d/%d (%d GCs so far)%n",
                    minimaWrong, MINIMA_PRODUCTS, djlWrong, DJL_PRODUCTS, gcs);
            assertEquals(0, minimaWrong, "GC-safe loss must stay exact");
            assertTrue(djlWrong >= 1, "DJL's l2Loss (mul(Number)) should be corrupted by a GC at least once");
        }
    }

    private static boolean close(double[] a, double[] b, double scale) {
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-12 * scale)) {
                return false;
            }
        }
        return true;
    }

    /** Forward under grad mode, [GC], ∇L with a graph, [GC], then Hv = ∇⟨∇L, v⟩ for each v. */
    private static double[][] products(Block block, ParameterSpace space, Loss loss, NDArray x, NDArray y, NDList vs,
            int collections) {
        AutogradBridge bridge = AutogradBridge.on(space.device());
        try (NDManager sub = x.getManager().newSubManager()) {
            NDArray xs = x.duplicate();
            xs.attach(sub);
            NDArray ys = y.duplicate();
            ys.attach(sub);
            NDArray value;
            try (GradMode on = GradMode.enabled()) {
                NDList pred = block.forward(new ParameterStore(sub, false), new NDList(xs), false);
                value = loss.evaluate(new NDList(ys), pred);
            }
            if (collections > 0) {
                GarbageCollection.collect();
            }
            NDList g = bridge.gradient(value, space.arrays(), true, sub);
            if (collections > 1) {
                GarbageCollection.collect();
            }
            double[][] out = new double[vs.size()][];
            for (int k = 0; k < vs.size(); k++) {
                NDArray v = vs.get(k).duplicate();
                v.attach(sub);
                NDList hv = bridge.grad(g, space.arrays(), space.unflatten(v), false, sub);
                out[k] = Vectors.toDoubles(space.flatten(hv));
            }
            return out;
        }
    }
}
