package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.minima.autograd.GradMode;
import dev.minima.autograd.NativeArrays;
import dev.minima.loss.MinimaLoss;
import dev.minima.loss.SoftmaxCrossEntropy;
import dev.minima.loss.SquaredErrorLoss;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exact trace of the Hessian of an {@link Objective} whose block is a ReLU MLP (DJL {@code Linear} layers,
 * each followed by ReLU or nothing) and whose loss is Minima's softmax cross-entropy or squared error: a
 * reference with no sampling error against which trace estimators can be judged.
 *
 * <p><b>Why it is exact.</b> For the mean loss L = (1/N) Σₙ ℓ(f(xₙ; θ), yₙ) the Hessian splits into the
 * Gauss–Newton part and the network's own curvature (Schraudolph 2002, "Fast curvature matrix-vector products
 * for second-order gradient descent"; Martens 2020, "New insights and perspectives on the natural gradient
 * method", the section on the generalized Gauss–Newton matrix):
 * <pre>
 *   H = (1/N) Σₙ Jₙᵀ Λₙ Jₙ + (1/N) Σₙ Σₖ (∂ℓₙ/∂fₖ) ∇²fₙ,ₖ,
 * </pre>
 * with Jₙ = ∂f(xₙ)/∂θ and Λₙ = ∇²_f ℓₙ. A network of dense layers and ReLUs, seen as a function of one weight or
 * bias θᵢ with all others fixed, is a composition of affine maps and ReLUs of a scalar, hence piecewise linear in
 * θᵢ: ∂²fₖ/∂θᵢ² = 0 wherever it exists, i.e. almost everywhere (ReLU'' = 0 off the kinks). The second term
 * therefore has a zero diagonal (its off-diagonal entries, which couple weights of different layers, do not
 * vanish, so H itself is not the Gauss–Newton matrix), and
 * <pre>
 *   tr(H) = (1/N) Σₙ tr(Lₙᵀ Jₙ Jₙᵀ Lₙ) = (1/N) Σₙ Σ_c ‖Jₙᵀ lₙ,c‖²   for any factor Λₙ = Lₙ Lₙᵀ with columns lₙ,c.
 * </pre>
 * Softmax cross-entropy has Λ = m (diag p − ppᵀ) (m the label mass, 1 for class indices), factored by
 * l_c = √(m p_c) (e_c − p); squared error c·mean (f − y)² has Λ = (2c/K) I over K outputs (2c I when summed
 * over outputs), factored by multiples of e_c. Each Jₙᵀ lₙ,c is one backward pass of lₙ,c, computed for all n
 * at once by explicit backpropagation: a dense layer's per-example weight gradient is the outer product
 * δₙ aₙᵀ of its backpropagated error and its input, so its squared norm is ‖δₙ‖²‖aₙ‖², and its bias gradient's
 * is ‖δₙ‖². The cost is K batched backward passes (K outputs) with no autograd, so no graph and no GC hazard.
 *
 * <p><b>Checks.</b> The block is read as layers ({@code Linear}, each followed by at most one activation block,
 * recognised by probing it as ReLU or the identity); anything else, including tanh or sigmoid (smooth
 * activations make the diagonal of ∇²f non-zero, so tr(H) ≠ tr(Gauss–Newton)), is refused with the reason. The
 * reconstructed forward pass is compared with the block's own output on every batch, so a layer that the
 * reading got wrong fails loudly instead of giving a wrong trace. Only the parameters of the objective's
 * {@link ParameterSpace} count.
 *
 * <p><b>Arithmetic.</b> Parameters and inputs are converted to {@link Builder#optDataType(DataType)} (float64 by
 * default) before any arithmetic, whatever the model's type: the result is the trace at the model's (rounded)
 * parameters, with float64 rounding only. Every term summed is non-negative, so there is no cancellation in the
 * final sums.
 *
 * <pre>{@code
 * double trace = ExactTrace.builder().build().trace(objective);
 * }</pre>
 */
public final class ExactTrace {

    private static final Logger LOGGER = LoggerFactory.getLogger(ExactTrace.class);

    private final DataType dataType;

    private ExactTrace(Builder b) {
        this.dataType = b.dataType;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Computes tr(H) of the objective's mean loss over all its data (every batch, weighted by its size).
     *
     * @param objective a ReLU MLP with Minima's softmax cross-entropy or squared-error loss
     * @return the exact trace of the Hessian with respect to the objective's parameters
     * @throws IllegalArgumentException if the block, the loss or the data cannot be handled (the message says
     *     why)
     * @throws IllegalStateException if the reconstructed forward pass disagrees with the block's
     */
    public double trace(Objective objective) {
        Objects.requireNonNull(objective, "objective");
        PiecewiseLinearMlp net = PiecewiseLinearMlp.of(objective.block());
        LossFactor factor = LossFactor.of(objective.loss());
        Set<Parameter> inSpace = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        inSpace.addAll(objective.space().parameters());
        double[] total = {0};
        try (GradMode off = GradMode.disabled();
                NDManager root = NDManager.newBaseManager(objective.space().device(), "PyTorch")) {
            objective.eachBatch(root, (b, index, scope) -> total[0] += batchSum(objective, net, factor, inSpace,
                    b, index, scope));
        }
        double trace = total[0] / objective.size();
        LOGGER.debug("exact trace {} over {} examples ({})", trace, objective.size(), dataType);
        return trace;
    }

    /** Σₙ Σ_c ‖Jₙᵀ lₙ,c‖² over one batch. */
    private double batchSum(Objective objective, PiecewiseLinearMlp net, LossFactor factor, Set<Parameter> inSpace,
            Objective.BatchData batch, int index, NDManager scope) {
        if (batch.data().size() != 1) {
            throw new IllegalArgumentException("ExactTrace needs one input array per batch, batch " + index + " has "
                    + batch.data().size());
        }
        NDArray input = batch.data().get(0);
        if (input.getShape().dimension() != 2 || input.getShape().get(1) != net.inputs()) {
            throw new IllegalArgumentException("ExactTrace needs inputs of shape (batch, " + net.inputs()
                    + "), batch " + index + " has " + input.getShape() + ": flatten the inputs before building the"
                    + " objective");
        }
        List<PiecewiseLinearMlp.Layer> layers = net.layers();
        int depth = layers.size();
        NDArray[] in = new NDArray[depth];
        NDArray[] mask = new NDArray[depth];
        NDArray[] weight = new NDArray[depth];
        NDArray a = copy(input, scope);
        for (int l = 0; l < depth; l++) {
            PiecewiseLinearMlp.Layer layer = layers.get(l);
            weight[l] = copy(layer.weight().getArray(), scope);
            in[l] = a;
            NDArray z = a.matMul(weight[l].transpose());
            if (layer.bias() != null) {
                z = z.add(copy(layer.bias().getArray(), scope));
            }
            if (layer.relu()) {
                mask[l] = z.gt(scope.zeros(new Shape(), dataType)).toType(dataType, false);
                a = z.mul(mask[l]);
            } else {
                a = z;
            }
        }
        NDArray logits = a;
        checkForward(objective, batch, logits, index, scope);
        int first = depth;
        for (int l = 0; l < depth; l++) {
            PiecewiseLinearMlp.Layer layer = layers.get(l);
            if (inSpace.contains(layer.weight()) || (layer.bias() != null && inSpace.contains(layer.bias()))) {
                first = l;
                break;
            }
        }
        NDArray[] inNorm2 = new NDArray[depth];
        for (int l = first; l < depth; l++) {
            inNorm2[l] = in[l].square().sum(new int[] {1});
        }
        long outputs = logits.getShape().get(1);
        NDArray[] columns = factor.columns(logits, copy(batch.labels().get(0), scope), scope, dataType);
        double sum = 0;
        for (int c = 0; c < outputs; c++) {
            try (NDManager classScope = scope.newSubManager()) {
                NDArray delta = columns[c];
                delta.attach(classScope);
                for (int l = depth - 1; l >= first; l--) {
                    PiecewiseLinearMlp.Layer layer = layers.get(l);
                    if (layer.relu()) {
                        delta = delta.mul(mask[l]);
                    }
                    NDArray sq = delta.square().sum(new int[] {1});
                    if (inSpace.contains(layer.weight())) {
                        sum += sq.mul(inNorm2[l]).sum().toType(DataType.FLOAT64, false).getDouble();
                    }
                    if (layer.bias() != null && inSpace.contains(layer.bias())) {
                        sum += sq.sum().toType(DataType.FLOAT64, false).getDouble();
                    }
                    if (l > first) {
                        delta = delta.matMul(weight[l]);
                    }
                }
            }
        }
        return sum;
    }

    /** The reconstructed outputs must match the block's own (to the rounding of the coarser type). */
    private void checkForward(Objective objective, Objective.BatchData batch, NDArray logits, int index,
            NDManager scope) {
        NDList x = new NDList(batch.data().get(0).duplicate());
        x.attach(scope);
        NDList out = objective.block().forward(new ParameterStore(scope, false), x, objective.isTraining());
        if (out.size() != 1 || !out.get(0).getShape().equals(logits.getShape())) {
            throw new IllegalStateException("the block gave outputs " + out.size() + "×" + out.get(0).getShape()
                    + " where the Linear/ReLU reading gives " + logits.getShape() + ": ExactTrace cannot read this"
                    + " block");
        }
        NDArray own = out.get(0).toType(DataType.FLOAT64, false);
        NDArray mine = logits.toType(DataType.FLOAT64, false);
        double scale = 1 + mine.abs().max().getDouble();
        double diff = own.sub(mine).abs().max().getDouble();
        boolean coarse = objective.space().dataType() != DataType.FLOAT64 || dataType != DataType.FLOAT64;
        double tolerance = (coarse ? 1e-3 : 1e-9) * scale;
        if (!(diff <= tolerance)) {
            throw new IllegalStateException("on batch " + index + " the block's outputs differ from the Linear/ReLU"
                    + " reading by " + diff + " (tolerance " + tolerance + "): the block computes something other"
                    + " than dense layers and ReLUs, so ExactTrace cannot give its trace");
        }
    }

    private NDArray copy(NDArray a, NDManager scope) {
        NDArray c = a.toType(dataType, true);
        if (c == a) {
            c = a.duplicate();
        }
        c.attach(scope);
        return c;
    }

    /** The columns l_c of a factor Λₙ = Lₙ Lₙᵀ of the loss's Hessian with respect to one example's outputs. */
    private interface LossFactor {

        NDArray[] columns(NDArray outputs, NDArray labels, NDManager scope, DataType type);

        static LossFactor of(ai.djl.training.loss.Loss loss) {
            if (loss instanceof SoftmaxCrossEntropy) {
                return ExactTrace::softmaxColumns;
            }
            if (loss instanceof SquaredErrorLoss se) {
                return (outputs, labels, scope, type) -> {
                    long k = outputs.getShape().get(1);
                    double lambda = 2 * se.scale() / (se.reduction() == MinimaLoss.OutputReduction.MEAN ? k : 1);
                    return unitColumns(outputs.getShape(), Math.sqrt(lambda), scope, type);
                };
            }
            throw new IllegalArgumentException("ExactTrace handles Minima's softmax cross-entropy and squared-error"
                    + " losses (Losses.softmaxCrossEntropy(), halfMse(), mse()), not " + loss.getName()
                    + ": it needs the loss's Hessian with respect to the outputs in closed form");
        }
    }

    /** l_c = √(m p_c)(e_c − p) for every example, p = softmax(f), m the label mass. */
    private static NDArray[] softmaxColumns(NDArray logits, NDArray labels, NDManager scope, DataType type) {
        long n = logits.getShape().get(0);
        int k = (int) logits.getShape().get(1);
        NDArray mass;
        if (labels.getShape().equals(logits.getShape())) {
            mass = labels.toType(type, false).sum(new int[] {1}, true);
        } else if (labels.getShape().size() == n) {
            mass = scope.ones(new Shape(n, 1), type);
        } else {
            throw new IllegalArgumentException("labels of shape " + labels.getShape() + " fit neither class indices ("
                    + n + ") nor logits " + logits.getShape());
        }
        NDArray p = logits.softmax(1);
        NDArray root = p.mul(mass).sqrt();
        NDArray eye = scope.eye(k).toType(type, false);
        NDArray[] columns = new NDArray[k];
        for (int c = 0; c < k; c++) {
            NDArray unit = eye.get(new NDIndex(c + ":" + (c + 1)));
            NDArray scale = root.get(new NDIndex(":, " + c + ":" + (c + 1)));
            columns[c] = unit.sub(p).mul(scale);
        }
        return columns;
    }

    /** l_c = s e_c for every example. */
    private static NDArray[] unitColumns(Shape shape, double s, NDManager scope, DataType type) {
        int k = (int) shape.get(1);
        NDArray eye = scope.eye(k).toType(type, false);
        NDArray[] columns = new NDArray[k];
        for (int c = 0; c < k; c++) {
            columns[c] = eye.get(new NDIndex(c + ":" + (c + 1))).mul(NativeArrays.scalar(scope, s, type))
                    .broadcast(shape);
        }
        return columns;
    }

    /** Builder of {@link ExactTrace}. */
    public static final class Builder {
        private DataType dataType = DataType.FLOAT64;

        private Builder() {}

        /**
         * @param dataType the type of every computation (default float64; float32 is there to measure how much
         *     rounding the float64 result is spared)
         * @return this builder
         */
        public Builder optDataType(DataType dataType) {
            if (dataType != DataType.FLOAT64 && dataType != DataType.FLOAT32) {
                throw new IllegalArgumentException("ExactTrace computes in float64 or float32, not " + dataType);
            }
            this.dataType = dataType;
            return this;
        }

        /** @return the calculator */
        public ExactTrace build() {
            return new ExactTrace(this);
        }
    }
}
