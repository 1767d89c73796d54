package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.minima.TestModels;
import dev.minima.loss.Losses;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HessianOperatorTest {

    @Test
    void hvpMatchesCentralDifferencesOfGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = TestModels.mlp(m, DataType.FLOAT64, 1, TestModels.tanh(), 3, 4, 2);
            NDArray x = TestModels.normal(m, 2, 6, 3, DataType.FLOAT64);
            NDArray y = TestModels.normal(m, 3, 6, 2, DataType.FLOAT64);
            try (Objective obj = Objective.builder().setBlock(block).setLoss(Losses.halfMse()).addBatch(x, y).build();
                    HessianOperator h = HessianOperator.of(obj)) {
                ParameterSpace space = obj.space();
                NDArray v = Vectors.gaussian(m, space.dimension(), DataType.FLOAT64, new SplittableRandom(4));
                double[] hv = Vectors.toDoubles(h.apply(v));
                double[] fd = centralDifference(obj, v, 1e-5);
                for (int i = 0; i < hv.length; i++) {
                    assertEquals(fd[i], hv[i], 1e-7 * (1 + Math.abs(fd[i])), "component " + i);
                }
            }
        }
    }

    static double[] centralDifference(Objective obj, NDArray v, double eps) {
        NDManager m = v.getManager();
        ParameterSpace space = obj.space();
        NDArray theta = space.values(m);
        space.assign(theta.add(v.mul(eps)));
        double[] gp = Vectors.toDoubles(obj.gradient(m));
        space.assign(theta.sub(v.mul(eps)));
        double[] gm = Vectors.toDoubles(obj.gradient(m));
        space.assign(theta);
        double[] out = new double[gp.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (gp[i] - gm[i]) / (2 * eps);
        }
        return out;
    }
}
