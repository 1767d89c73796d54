package dev.minima.linear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.util.Pair;
import dev.minima.autograd.GradMode;
import dev.minima.autograd.NativeArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * A deep linear network f(x) = W_m ⋯ W_1 x (Mulayoff &amp; Michaeli 2020, Eq. 1): an immutable list of weight matrices, W_k
 * of shape d_k × d_{k−1}, with d_0 = d_x the input and d_m = d_y the output dimension.
 *
 * <p><b>Layers are numbered 1..m</b>, as in the paper: {@link #weight(int) weight(1)} is the first layer,
 * {@link #prefix(int) prefix(k)} = W_k ⋯ W_1 (the first k layers, prefix(0) = I) and {@link #suffix(int)
 * suffix(k)} = W_m ⋯ W_{k+1} (the layers after k, suffix(m) = I).
 *
 * <p>A DJL {@link Linear} layer stores its weight as (units, inputs) = (d_k, d_{k−1}), the same shape as W_k,
 * so {@link #toBlock(NDManager, DataType)} and {@link #fromBlock(Block)} copy the matrices as they are. Flat
 * parameter vectors ({@link #flatten()}) follow DJL's order: W_1 first, each matrix row-major, which is the
 * order of {@code ParameterSpace.of(toBlock(...))}.
 */
public final class DeepLinearNetwork {

    private final DMatrixRMaj[] weights;
    private final int[] widths;

    private DeepLinearNetwork(DMatrixRMaj[] weights) {
        this.weights = weights;
        widths = new int[weights.length + 1];
        widths[0] = weights[0].numCols;
        for (int k = 0; k < weights.length; k++) {
            widths[k + 1] = weights[k].numRows;
        }
    }

    /**
     * @param weights W_1, …, W_m (copied), W_k of shape d_k × d_{k−1}
     * @return the network
     * @throws IllegalArgumentException if there is no layer, a matrix is ragged or holds NaN/infinity, or
     *     consecutive shapes do not chain
     */
    public static DeepLinearNetwork of(double[][]... weights) {
        return of(Arrays.asList(weights));
    }

    /**
     * @param weights W_1, …, W_m (copied)
     * @return the network
     * @throws IllegalArgumentException as {@link #of(double[][]...)}
     */
    public static DeepLinearNetwork of(List<double[][]> weights) {
        if (weights == null || weights.isEmpty()) {
            throw new IllegalArgumentException(
                    "a deep linear network needs at least one layer (depth m ≥ 1): pass W_1, …, W_m");
        }
        DMatrixRMaj[] w = new DMatrixRMaj[weights.size()];
        for (int k = 0; k < w.length; k++) {
            w[k] = Dense.checked("weight W_" + (k + 1), weights.get(k));
            if (k > 0 && w[k].numCols != w[k - 1].numRows) {
                throw new IllegalArgumentException("weight W_" + (k + 1) + " is " + w[k].numRows + "×" + w[k].numCols
                        + " but W_" + k + " outputs " + w[k - 1].numRows + " values: W_k must be d_k × d_{k−1}, "
                        + "so W_" + (k + 1) + " needs " + w[k - 1].numRows + " columns");
            }
        }
        return new DeepLinearNetwork(w);
    }

    /**
     * Rebuilds a network from a flat parameter vector in DJL's order (see {@link #flatten()}).
     *
     * @param widths d_0, …, d_m
     * @param flat the parameters, of length Σ d_k d_{k−1}
     * @return the network
     */
    public static DeepLinearNetwork fromFlat(int[] widths, double[] flat) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("widths must list d_0, …, d_m with m ≥ 1, got " + widths.length);
        }
        long n = 0;
        for (int k = 1; k < widths.length; k++) {
            n += (long) widths[k] * widths[k - 1];
        }
        if (flat.length != n) {
            throw new IllegalArgumentException("a network of widths " + Arrays.toString(widths) + " has " + n
                    + " parameters, the vector has " + flat.length);
        }
        List<double[][]> w = new ArrayList<>();
        int off = 0;
        for (int k = 1; k < widths.length; k++) {
            double[][] m = new double[widths[k]][widths[k - 1]];
            for (double[] row : m) {
                System.arraycopy(flat, off, row, 0, row.length);
                off += row.length;
            }
            w.add(m);
        }
        return of(w);
    }

    /**
     * Reads a deep linear network from a DJL block: a {@link SequentialBlock} whose children are all bias-free
     * {@link Linear} layers (as {@link #toBlock(NDManager, DataType)} builds), or a single bias-free Linear.
     *
     * @param block an initialised block
     * @return the network its weights implement
     * @throws IllegalArgumentException if the block is not such a stack or is not initialised
     */
    public static DeepLinearNetwork fromBlock(Block block) {
        List<Block> layers = new ArrayList<>();
        if (block instanceof Linear) {
            layers.add(block);
        } else if (block instanceof SequentialBlock) {
            for (Pair<String, Block> child : block.getChildren()) {
                layers.add(child.getValue());
            }
        } else {
            throw new IllegalArgumentException("block " + block.getClass().getSimpleName()
                    + " is not a SequentialBlock of Linear layers: build it with DeepLinearNetwork.toBlock or "
                    + "as new SequentialBlock().add(Linear.builder().setUnits(d).optBias(false).build())…");
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("the SequentialBlock has no layers: a deep linear network needs m ≥ 1");
        }
        List<double[][]> w = new ArrayList<>();
        for (int k = 0; k < layers.size(); k++) {
            Block layer = layers.get(k);
            if (!(layer instanceof Linear)) {
                throw new IllegalArgumentException("child " + k + " (" + layer.getClass().getSimpleName()
                        + ") is not a Linear layer: a deep linear network is a stack of bias-free Linear layers "
                        + "with nothing in between (use GainAscent for nonlinear blocks)");
            }
            Parameter weight = null;
            for (Pair<String, Parameter> p : layer.getParameters()) {
                if ("bias".equals(p.getValue().getName()) || p.getKey().endsWith("bias")) {
                    throw new IllegalArgumentException("Linear layer " + (k + 1) + " has a bias: a deep linear network "
                            + "has none; build it with Linear.builder().optBias(false)");
                }
                weight = p.getValue();
            }
            if (weight == null || !weight.isInitialized()) {
                throw new IllegalArgumentException("Linear layer " + (k + 1)
                        + " is not initialised: call block.initialize(manager, dataType, new Shape(1, inputDim))");
            }
            w.add(toMatrix(weight.getArray()));
        }
        return of(w);
    }

    private static double[][] toMatrix(NDArray a) {
        Shape s = a.getShape();
        try (NDArray d = a.toType(DataType.FLOAT64, true)) {
            return DMatrixRMaj.wrap((int) s.get(0), (int) s.get(1), d.toDoubleArray()).get2DData();
        }
    }

    /**
     * Builds a DJL block implementing this network: a {@link SequentialBlock} of bias-free {@link Linear}
     * layers, initialised for inputs of shape (batch, d_x) and holding exactly these weights.
     *
     * @param manager the manager of the parameters
     * @param dataType the parameters' type (FLOAT64 keeps every digit)
     * @return the initialised block
     */
    public SequentialBlock toBlock(NDManager manager, DataType dataType) {
        SequentialBlock block = new SequentialBlock();
        for (DMatrixRMaj w : weights) {
            block.add(Linear.builder().setUnits(w.numRows).optBias(false).build());
        }
        block.initialize(manager, dataType, new Shape(1, inputDim()));
        int k = 0;
        try (GradMode off = GradMode.disabled()) {
            for (Pair<String, Block> child : block.getChildren()) {
                NDArray target = child.getValue().getParameters().get(0).getValue().getArray();
                try (NDArray values = NativeArrays.of(manager, weights[k].data,
                        new Shape(weights[k].numRows, weights[k].numCols), dataType)) {
                    target.set(new NDIndex("..."), values);
                }
                k++;
            }
        }
        return block;
    }

    /** @return the parameters as one vector in DJL's order (W_1 first, each row-major) */
    public double[] flatten() {
        double[] out = new double[Math.toIntExact(parameterCount())];
        int off = 0;
        for (DMatrixRMaj w : weights) {
            System.arraycopy(w.data, 0, out, off, w.getNumElements());
            off += w.getNumElements();
        }
        return out;
    }

    /** @return the depth m (number of layers) */
    public int depth() {
        return weights.length;
    }

    /** @return d_x = d_0 */
    public int inputDim() {
        return widths[0];
    }

    /** @return d_y = d_m */
    public int outputDim() {
        return widths[widths.length - 1];
    }

    /** @return d_0, …, d_m (a copy) */
    public int[] widths() {
        return widths.clone();
    }

    /** @return N = Σ_k d_k d_{k−1}, the number of parameters */
    public long parameterCount() {
        long n = 0;
        for (DMatrixRMaj w : weights) {
            n += w.getNumElements();
        }
        return n;
    }

    /**
     * @param k layer number, 1..m
     * @return a copy of W_k
     */
    public double[][] weight(int k) {
        checkLayer(k, 1);
        return weights[k - 1].get2DData();
    }

    /** @return copies of W_1, …, W_m */
    public List<double[][]> weights() {
        List<double[][]> out = new ArrayList<>();
        for (DMatrixRMaj w : weights) {
            out.add(w.get2DData());
        }
        return out;
    }

    /** @return the end-to-end matrix W_m ⋯ W_1 (d_y × d_x) */
    public double[][] product() {
        return prefix(depth());
    }

    /** @return W_m ⋯ W_1 as an EJML matrix (a new one) */
    DMatrixRMaj productMatrix() {
        return prefixMatrix(depth());
    }

    /**
     * @param k number of layers, 0..m
     * @return P_k = W_k ⋯ W_1 (d_k × d_x); P_0 = I
     */
    public double[][] prefix(int k) {
        return prefixMatrix(k).get2DData();
    }

    /**
     * @return the SVD of W_m ⋯ W_1, whose top pair (σ, u, v) the intermediate-gain and coupling measures follow
     * @throws IllegalArgumentException if the product is zero (there is no top singular pair)
     */
    Dense.Svd productSvd() {
        Dense.Svd t = Dense.Svd.of(productMatrix());
        if (!(t.max() > 0)) {
            throw new IllegalArgumentException("the network's product is zero: there is no top singular pair");
        }
        return t;
    }

    /** @return {@link #prefix(int)} as an EJML matrix (a new one) */
    DMatrixRMaj prefixMatrix(int k) {
        checkLayer(k, 0);
        DMatrixRMaj p = CommonOps_DDRM.identity(inputDim());
        for (int j = 0; j < k; j++) {
            p = CommonOps_DDRM.mult(weights[j], p, null);
        }
        return p;
    }

    /**
     * @param k layer number, 0..m
     * @return A_k = W_m ⋯ W_{k+1} (d_y × d_k); A_m = I
     */
    public double[][] suffix(int k) {
        return suffixMatrix(k).get2DData();
    }

    /** @return {@link #suffix(int)} as an EJML matrix (a new one) */
    DMatrixRMaj suffixMatrix(int k) {
        checkLayer(k, 0);
        DMatrixRMaj a = CommonOps_DDRM.identity(widths[k]);
        for (int j = k; j < depth(); j++) {
            a = CommonOps_DDRM.mult(weights[j], a, null);
        }
        return a;
    }

    /** @return W_k itself (not a copy: callers in this package must not modify it) */
    DMatrixRMaj weightMatrix(int k) {
        checkLayer(k, 1);
        return weights[k - 1];
    }

    /**
     * @param k layer number, 1..m
     * @return σ_max(W_k)
     */
    public double spectralNorm(int k) {
        checkLayer(k, 1);
        return NormOps_DDRM.normP2(weights[k - 1]);
    }

    /**
     * Applies a change of basis to the hidden layers that keeps the end-to-end function: W_k → G_k⁻¹ W_k G_{k−1}
     * with G_0 = G_m = I (Mulayoff &amp; Michaeli 2020, supplement Eq. S104). Orthogonal G_k = Q_kᵀ give the orthogonal
     * gauge W_k → Q_k W_k Q_{k−1}ᵀ, which leaves the whole Hessian spectrum unchanged.
     *
     * @param g G_1, …, G_{m−1}: invertible, G_k of size d_k × d_k
     * @return the transformed network
     * @throws IllegalArgumentException if the count or a size is wrong, or a matrix is singular
     */
    public DeepLinearNetwork withHiddenBasis(List<double[][]> g) {
        if (g.size() != depth() - 1) {
            throw new IllegalArgumentException("a depth-" + depth() + " network has " + (depth() - 1)
                    + " hidden layers, so it needs " + (depth() - 1) + " matrices, got " + g.size());
        }
        DMatrixRMaj[] gs = new DMatrixRMaj[depth() - 1];
        for (int k = 1; k < depth(); k++) {
            gs[k - 1] = Dense.checked("G_" + k, g.get(k - 1));
            if (gs[k - 1].numRows != widths[k] || gs[k - 1].numCols != widths[k]) {
                throw new IllegalArgumentException("G_" + k + " must be " + widths[k] + "×" + widths[k]
                        + " (hidden width d_" + k + "), got " + gs[k - 1].numRows + "×" + gs[k - 1].numCols);
            }
        }
        List<double[][]> out = new ArrayList<>();
        for (int k = 1; k <= depth(); k++) {
            DMatrixRMaj w = weights[k - 1];
            if (k < depth()) {
                w = CommonOps_DDRM.mult(Dense.inverse("G_" + k, gs[k - 1]), w, null);
            }
            if (k > 1) {
                w = CommonOps_DDRM.mult(w, gs[k - 2], null);
            }
            out.add(w.get2DData());
        }
        return of(out);
    }

    private void checkLayer(int k, int min) {
        if (k < min || k > depth()) {
            throw new IllegalArgumentException(
                    "layer " + k + " is out of range: layers are numbered " + min + ".." + depth() + " (Mulayoff & Michaeli 2020)");
        }
    }

    @Override
    public String toString() {
        return "DeepLinearNetwork" + Arrays.toString(widths);
    }
}
