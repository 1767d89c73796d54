package dev.minima.curvature;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;

/**
 * The covariance of the per-example Hessians, Σ = (1/n)Σ_i H_i² − H² with H = (1/n)Σ_i H_i (Wu, Ma &amp; E
 * 2018, "How SGD selects the global minima", the non-uniformity s² = λ_max(Σ)), as a symmetric positive
 * semi-definite operator: Σv = (1/n)Σ_i H_i(H_i v) − H(Hv), with exact per-example Hessian-vector products
 * (one single-example {@link Objective} per example, its gradient graph retained) and H(Hv) on the whole
 * probe batch.
 *
 * <p>Cost of one product: 2n per-example products and 2 full-batch products. Memory: n retained graphs,
 * each of one example. Close the operator to free them.
 */
public final class HessianCovarianceOperator implements SymmetricOperator, AutoCloseable {

    /**
     * Σv together with the Hv and H(Hv) computed on the way.
     *
     * @param sigmaV Σv
     * @param hv Hv
     * @param hhv H(Hv)
     */
    public record Products(NDArray sigmaV, NDArray hv, NDArray hhv) {}

    private final ParameterSpace space;
    private final List<Objective> objectives = new ArrayList<>();
    private final List<HessianOperator> perExample = new ArrayList<>();
    private final Objective fullObjective;
    private final HessianOperator full;

    private HessianCovarianceOperator(Block block, Loss loss, ParameterSpace space, NDList data, NDList labels) {
        this.space = space;
        long n = data.get(0).getShape().get(0);
        try {
            for (long i = 0; i < n; i++) {
                NDList xi = rows(data, i);
                NDList yi = rows(labels, i);
                Objective o = Objective.builder().setBlock(block).setLoss(loss).optParameters(space).addBatch(xi, yi)
                        .build();
                xi.close();
                yi.close();
                objectives.add(o);
                perExample.add(HessianOperator.of(o));
            }
            fullObjective = Objective.builder().setBlock(block).setLoss(loss).optParameters(space)
                    .addBatch(data, labels).build();
            full = HessianOperator.of(fullObjective);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * @param block an initialised block
     * @param loss a per-example-mean loss (Minima's {@code Losses})
     * @param space the parameters
     * @param data the probe inputs, batch first (n ≥ 2 examples)
     * @param labels the probe labels
     * @return the operator
     * @throws IllegalArgumentException if fewer than 2 examples are given
     */
    public static HessianCovarianceOperator of(Block block, Loss loss, ParameterSpace space, NDList data,
            NDList labels) {
        if (data.isEmpty() || data.get(0).getShape().dimension() == 0 || data.get(0).getShape().get(0) < 2) {
            throw new IllegalArgumentException("the Hessian covariance needs at least 2 examples, got "
                    + (data.isEmpty() ? "none" : data.get(0).getShape()) + ": give a larger probe set");
        }
        return new HessianCovarianceOperator(block, loss, space, data, labels);
    }

    private static NDList rows(NDList arrays, long i) {
        NDList out = new NDList(arrays.size());
        for (NDArray a : arrays) {
            out.add(a.get(i + ":" + (i + 1)));
        }
        return out;
    }

    /** @return the number of examples n */
    public int size() {
        return perExample.size();
    }

    /** @return the full-batch Hessian H of the probe set */
    public HessianOperator hessian() {
        return full;
    }

    @Override
    public long dimension() {
        return space.dimension();
    }

    @Override
    public DataType dataType() {
        return space.dataType();
    }

    @Override
    public Device device() {
        return space.device();
    }

    @Override
    public NDArray apply(NDArray vector) {
        Products p = products(vector);
        NDArray result = p.sigmaV();
        return result;
    }

    /**
     * @param vector a flat vector
     * @return Σv, Hv and H(Hv), all attached to the vector's manager
     */
    public Products products(NDArray vector) {
        SymmetricOperator.checkVector(this, vector);
        NDManager target = vector.getManager();
        try (NDManager scope = target.newSubManager()) {
            NDArray v = vector.duplicate();
            v.attach(scope);
            NDArray acc = null;
            for (HessianOperator h : perExample) {
                try (NDManager s = scope.newSubManager()) {
                    NDArray vi = v.duplicate();
                    vi.attach(s);
                    NDArray u = h.apply(vi);
                    NDArray w = h.apply(u);
                    if (acc == null) {
                        acc = w;
                        acc.attach(scope);
                    } else {
                        acc.addi(w);
                    }
                }
            }
            acc.divi(perExample.size());
            NDArray hv = full.apply(v);
            NDArray hhv = full.apply(hv);
            NDArray sigma = acc.sub(hhv);
            sigma.attach(target);
            hv.attach(target);
            hhv.attach(target);
            return new Products(sigma, hv, hhv);
        }
    }

    @Override
    public void close() {
        for (HessianOperator h : perExample) {
            h.close();
        }
        for (Objective o : objectives) {
            o.close();
        }
        if (full != null) {
            full.close();
        }
        if (fullObjective != null) {
            fullObjective.close();
        }
    }
}
