package dev.minima.sam;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.minima.autograd.GradMode;
import dev.minima.autograd.TorchScriptArchive;
import dev.minima.loss.MinimaLoss;
import dev.minima.loss.SoftmaxCrossEntropy;
import dev.minima.loss.SquaredErrorLoss;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fused path of {@link SamStep} for multilayer perceptrons: a whole sharpness-aware gradient (pass at w,
 * ‖g‖, ε, pass at w + ε) in one call of a TorchScript function, with explicit backpropagation formulas instead of
 * one DJL call per operation. Source: {@code fused_mlp_sam.py} beside this class, archived at run time by
 * {@link TorchScriptArchive}.
 *
 * <p>It applies to a {@link SequentialBlock} whose children are DJL {@link Linear} layers, each followed by at
 * most one pointwise activation block recognised by probing it (ReLU, tanh, sigmoid), trained with Minima's
 * squared-error or softmax cross-entropy loss, on a batch with one two-dimensional input array, with SAM or
 * USAM perturbing every parameter, and with the whole batch (m = 0) or one example per micro-batch (m = 1). The
 * parameters are never modified: w + ε exists only inside the call, and the result is written into the
 * parameters' {@code .grad}, where the optimizer picks it up as on the general path.
 *
 * <p>m = 1 is computed in one batched pass: the per-example gradient of a dense layer is the outer product
 * δᵢaᵢᵀ of its backpropagated error and its input, so its norm is ‖δᵢ‖‖aᵢ‖, and the layer at the perturbed
 * weights W + cᵢδᵢaᵢᵀ (cᵢ = ρ/‖gᵢ‖) maps a'ᵢ to Wa'ᵢ + cᵢδᵢ(aᵢ·a'ᵢ), backpropagates e'ᵢ to Wᵀe'ᵢ + cᵢaᵢ(δᵢ·e'ᵢ),
 * without forming any per-example weight matrix (Foret et al. (2021), Sec. 4.1, m-sharpness).
 *
 * <p>{@link #runSteps} runs many whole-batch steps with DJL's plain SGD update in one call ({@link SamStep#steps}):
 * a loop inside the same TorchScript module over the rows of an index tensor, so that on tiny networks the cost
 * of a step is its arithmetic and libtorch's per-operation dispatch, not a JNI call and DJL's handling per step.
 */
final class FusedMlpSam {

    private static final Logger LOGGER = LoggerFactory.getLogger(FusedMlpSam.class);
    private static final String SOURCE = "/dev/minima/sam/fused_mlp_sam.py";
    private static final Map<Device, PtSymbolBlock> MODULES = new ConcurrentHashMap<>();

    /** Activation codes of the TorchScript function. */
    static final int IDENTITY = 0;
    static final int RELU = 1;
    static final int TANH = 2;
    static final int SIGMOID = 3;

    private final int[] activations;
    private final boolean[] bias;
    private final int lossKind;
    private final double lossScale;
    private final long inputs;
    private final long outputs;
    private final PtSymbolBlock module;
    private final Map<Integer, NDArray> configs = new HashMap<>();
    private final Map<Double, NDArray> scalars = new HashMap<>();
    private final Map<String, NDArray> empties = new HashMap<>();
    private final NDManager owner;

    private FusedMlpSam(int[] activations, boolean[] bias, int lossKind, double lossScale, long inputs,
            long outputs, Device device, NDManager owner) {
        this.outputs = outputs;
        this.activations = activations;
        this.bias = bias;
        this.lossKind = lossKind;
        this.lossScale = lossScale;
        this.inputs = inputs;
        this.owner = owner;
        this.module = MODULES.computeIfAbsent(device, FusedMlpSam::load);
    }

    private static PtSymbolBlock load(Device device) {
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager(device, "PyTorch");
        byte[] archive = TorchScriptArchive.build("fused", "FusedMlpSam", TorchScriptArchive.readResource(SOURCE));
        try {
            return JniUtils.loadModule(manager, new ByteArrayInputStream(archive), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("could not load Minima's fused SAM module", e);
        }
    }

    /**
     * @param b the trainer's parameters
     * @param settings the SAM settings
     * @return the fused path for this trainer, or null if the block, loss or settings are outside it
     */
    static FusedMlpSam detect(TrainerBinding b, SharpnessAware settings) {
        String why = unsupportedSettings(b, settings);
        FusedMlpSam fused = null;
        if (why == null) {
            try {
                fused = structure(b);
            } catch (RuntimeException e) {
                why = "probing the block failed: " + e.getMessage();
            }
            if (fused == null && why == null) {
                why = "the block is not a SequentialBlock of Linear layers and pointwise activations, or the loss is"
                        + " not Minima's squared error or softmax cross-entropy";
            }
        }
        if (why != null) {
            LOGGER.debug("SAM takes the general path: {}", why);
        }
        return fused;
    }

    private static String unsupportedSettings(TrainerBinding b, SharpnessAware settings) {
        if (!settings.fastPath()) {
            return "the fast path is switched off";
        }
        if (settings.variant() == SharpnessAware.Variant.ASAM) {
            return "ASAM";
        }
        if (settings.perturbationObjective() != null) {
            return "n-SAM";
        }
        if (b.perturbed.size() != b.all.size()) {
            return "not every parameter is perturbed";
        }
        if (b.dataType != DataType.FLOAT32 && b.dataType != DataType.FLOAT64) {
            return "parameters of type " + b.dataType;
        }
        return null;
    }

    private static FusedMlpSam structure(TrainerBinding b) {
        Block block = b.trainer.getModel().getBlock();
        if (block.getClass() != SequentialBlock.class) {
            return null;
        }
        Loss loss = b.trainer.getLoss();
        int kind;
        double scale = 1;
        if (loss.getClass() == SquaredErrorLoss.class) {
            SquaredErrorLoss se = (SquaredErrorLoss) loss;
            kind = se.reduction() == MinimaLoss.OutputReduction.MEAN ? 0 : 1;
            scale = se.scale();
        } else if (loss.getClass() == SoftmaxCrossEntropy.class) {
            kind = 2;
        } else {
            return null;
        }
        List<Block> children = block.getChildren().values();
        List<Integer> acts = new ArrayList<>();
        List<Boolean> biases = new ArrayList<>();
        List<NDArray> expected = new ArrayList<>();
        long inputs = -1;
        long outputs = -1;
        for (int i = 0; i < children.size(); i++) {
            Block child = children.get(i);
            if (child.getClass() == Linear.class) {
                NDArray w = child.getParameters().get("weight").getArray();
                if (w.getShape().dimension() != 2) {
                    return null;
                }
                if (inputs < 0) {
                    inputs = w.getShape().get(1);
                }
                expected.add(w);
                outputs = w.getShape().get(0);
                boolean hasBias = child.getParameters().contains("bias");
                if (hasBias) {
                    expected.add(child.getParameters().get("bias").getArray());
                }
                biases.add(hasBias);
                acts.add(IDENTITY);
            } else if (child instanceof LambdaBlock && !acts.isEmpty() && acts.get(acts.size() - 1) == IDENTITY
                    && !(i > 0 && children.get(i - 1).getClass() != Linear.class)) {
                int code = probe(child, b.trainer.getManager());
                if (code < 0) {
                    return null;
                }
                acts.set(acts.size() - 1, code);
            } else {
                return null;
            }
        }
        if (acts.isEmpty() || expected.size() != b.all.size()) {
            return null;
        }
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i) != b.all.get(i)) {
                return null;
            }
        }
        int[] a = acts.stream().mapToInt(Integer::intValue).toArray();
        boolean[] hb = new boolean[biases.size()];
        for (int i = 0; i < hb.length; i++) {
            hb[i] = biases.get(i);
        }
        return new FusedMlpSam(a, hb, kind, scale, inputs, outputs, b.device, b.trainer.getManager());
    }

    /**
     * Recognises a pointwise activation by its values on a probe that separates the candidates (ReLU, tanh,
     * sigmoid; exact for ReLU, to 1e-12 for the others, in float64).
     *
     * @return the activation code, or −1 if the block matches none
     */
    static int probe(Block block, NDManager parent) {
        try (NDManager m = parent.newSubManager();
                GradMode off = GradMode.disabled()) {
            double[] v = {-3, -1.5, -0.25, -1e-3, 0, 1e-3, 0.25, 0.75, 1.5, 3, 7, -7};
            NDArray x = m.create(v, new Shape(2, 6));
            NDList out = block.forward(new ParameterStore(m, false), new NDList(x), false);
            if (out.size() != 1 || !out.get(0).getShape().equals(x.getShape())
                    || out.get(0).getDataType() != DataType.FLOAT64) {
                return -1;
            }
            double[] y = out.get(0).toDoubleArray();
            int[] candidates = {RELU, TANH, SIGMOID};
            for (int code : candidates) {
                boolean match = true;
                for (int i = 0; i < v.length && match; i++) {
                    double want = switch (code) {
                        case RELU -> Math.max(v[i], 0);
                        case TANH -> Math.tanh(v[i]);
                        default -> 1 / (1 + Math.exp(-v[i]));
                    };
                    match = Math.abs(y[i] - want) <= (code == RELU ? 0 : 1e-12);
                }
                if (match) {
                    return code;
                }
            }
            return -1;
        }
    }

    /**
     * @param data the batch's inputs
     * @param labels the batch's labels
     * @param dataType the parameters' type
     * @return whether this batch can take the fused path
     */
    boolean accepts(NDList data, NDList labels, DataType dataType) {
        if (data.size() != 1 || labels.size() != 1) {
            return false;
        }
        NDArray x = data.get(0);
        NDArray y = labels.get(0);
        if (x.getShape().dimension() != 2 || x.getShape().get(1) != inputs || x.getDataType() != dataType
                || !(x instanceof PtNDArray) || !(y instanceof PtNDArray)) {
            return false;
        }
        long batch = x.getShape().get(0);
        if (lossKind == 2) {
            return y.getShape().size() == batch && y.getShape().dimension() <= 2
                    || y.getShape().equals(new Shape(batch, outputs));
        }
        return y.getShape().size() == batch * outputs;
    }

    /**
     * Writes the sharpness-aware gradient into {@code .grad} of every parameter.
     *
     * @param b the parameters
     * @param x inputs (batch, features)
     * @param y labels
     * @param rho ρ
     * @param usam whether ε = ρg (USAM) rather than ρg/‖g‖
     * @param perExample m = 1: one perturbation per example
     * @param wantPredictions whether to return the predictions at w
     * @param scope the manager the results are attached to
     * @return [0] the statistics (loss at w, loss at w + ε, mean ‖g‖, number of perturbed micro-batches, ‖result‖²)
     *     as doubles, and the predictions as an array if asked
     */
    Result run(TrainerBinding b, NDArray x, NDArray y, double rho, boolean usam, boolean perExample,
            boolean wantPredictions, NDManager scope) {
        NDList call = new NDList(2 * b.all.size() + 4);
        List<String> names = new ArrayList<>(call.size());
        List<NDArray> toClose = new ArrayList<>(b.all.size());
        NDArray labels = addParametersAndData(b, x, y, call, names, toClose);
        call.add(config(perExample, usam, wantPredictions));
        call.add(scalars(rho));
        call.add(noSteps("order", DataType.INT64, 1));
        call.add(noSteps("hyper", DataType.FLOAT64, 2));
        NDList out = invoke(b, call, x, labels, names, toClose);
        out.attach(scope);
        double[] stats = out.get(0).toType(DataType.FLOAT64, false).toDoubleArray();
        return new Result(stats, wantPredictions ? out.get(1) : null);
    }

    /**
     * Adds the call's leading arguments (the parameters, their gradients, the inputs and the labels) under the
     * names the TorchScript function expects, remembering the arrays' own names to restore after the call.
     *
     * @return the labels as passed (converted to the inputs' type unless the loss takes class indices)
     */
    private NDArray addParametersAndData(TrainerBinding b, NDArray x, NDArray y, NDList call, List<String> names,
            List<NDArray> toClose) {
        for (NDArray w : b.all) {
            names.add(w.getName());
            w.setName("params[]");
            call.add(w);
        }
        for (NDArray w : b.all) {
            NDArray g = w.getGradient();
            toClose.add(g);
            g.setName("grads[]");
            call.add(g);
        }
        NDArray labels = y.getDataType() == x.getDataType() || lossKind == 2 ? y : y.toType(x.getDataType(), false);
        if (labels != y) {
            toClose.add(labels);
        }
        names.add(x.getName());
        names.add(labels.getName());
        x.setName("x");
        labels.setName("y");
        call.add(x);
        call.add(labels);
        return labels;
    }

    /**
     * Runs whole-batch SAM (or USAM) steps followed by DJL's plain SGD update (no momentum, no clipping, gradient
     * rescale 1: w ← w − lr·(g + wd·w), in the operation order of DJL's native {@code sgdUpdate}) in one call: a
     * loop inside the TorchScript function over the rows of {@code order}, each row the example indices of one
     * batch. The parameters are updated in place. Squared-error losses take a lean loop that records only the
     * losses (in float64 within 1e-12 of the step-by-step path over 1,000 steps: the same formulas, a different
     * operation order).
     *
     * @param b the parameters
     * @param x all inputs (examples, features)
     * @param y all labels, indexed like x
     * @param order (steps, batch) example indices, int64
     * @param hyper (steps, 2) float64: each step's learning rate and ρ
     * @param weightDecay the SGD weight decay
     * @param usam whether ε = ρg (USAM) rather than ρg/‖g‖
     * @param scope the manager the results are attached to
     * @return per step the loss at w and at w + ε (squared-error losses; the other columns are 0), or (steps, 5)
     *     statistics as {@link #run} returns them (cross-entropy), and the number of steps completed: all of them,
     *     or none when a step met a non-finite gradient (the parameters are then restored to their values before
     *     the call, so that the caller can replay the steps one by one)
     */
    StepsResult runSteps(TrainerBinding b, NDArray x, NDArray y, NDArray order, NDArray hyper, double weightDecay,
            boolean usam, NDManager scope) {
        NDList call = new NDList(2 * b.all.size() + 6);
        List<String> names = new ArrayList<>(call.size());
        List<NDArray> toClose = new ArrayList<>(b.all.size());
        NDArray labels = addParametersAndData(b, x, y, call, names, toClose);
        call.add(config(false, usam, false));
        NDArray s = scope.create(new double[] {0, lossScale, weightDecay}); // consumed inside the call only
        s.setName("scalars");
        call.add(s);
        order.setName("order");
        hyper.setName("hyper");
        call.add(order);
        call.add(hyper);
        NDList out = invoke(b, call, x, labels, names, toClose);
        out.attach(scope);
        double[] flat = out.get(0).toDoubleArray();
        double[][] stats = new double[flat.length / 5][];
        for (int k = 0; k < stats.length; k++) {
            stats[k] = java.util.Arrays.copyOfRange(flat, 5 * k, 5 * k + 5);
        }
        int done = (int) Math.round(out.get(1).toType(DataType.FLOAT64, false).getDouble(0));
        return new StepsResult(stats, done);
    }

    /** What a call of many steps returned: each step's statistics and how many steps were completed. */
    record StepsResult(double[][] stats, int done) {}

    private NDList invoke(TrainerBinding b, NDList call, NDArray x, NDArray labels, List<String> names,
            List<NDArray> toClose) {
        try {
            return IValueUtils.forward(module, call, false);
        } finally {
            for (int i = 0; i < b.all.size(); i++) {
                b.all.get(i).setName(names.get(i));
            }
            x.setName(names.get(b.all.size()));
            labels.setName(names.get(b.all.size() + 1));
            toClose.forEach(NDArray::close);
        }
    }

    /** An empty (0, columns) array: tells the TorchScript function to take one step, not a loop of steps. */
    private NDArray noSteps(String name, DataType type, int columns) {
        NDArray e = empties.get(name);
        if (e == null) {
            e = owner.zeros(new Shape(0, columns), type);
            e.setName(name);
            empties.put(name, e);
        }
        return e;
    }

    /** What one fused call returned: statistics and, if asked, the predictions at w. */
    record Result(double[] stats, NDArray predictions) {}

    private NDArray config(boolean perExample, boolean usam, boolean wantPredictions) {
        int key = (perExample ? 1 : 0) | (usam ? 2 : 0) | (wantPredictions ? 4 : 0);
        NDArray c = configs.get(key);
        if (c == null) {
            int n = activations.length;
            long[] v = new long[5 + 2 * n];
            v[0] = n;
            v[1] = perExample ? 1 : 0;
            v[2] = lossKind;
            v[3] = usam ? 1 : 0;
            for (int l = 0; l < n; l++) {
                v[4 + l] = activations[l];
                v[4 + n + l] = bias[l] ? 1 : 0;
            }
            v[4 + 2 * n] = wantPredictions ? 1 : 0;
            // not differentiated, consumed inside the call: a Java-backed array is safe here, but keep it owned
            c = owner.create(v).duplicate();
            c.setName("cfg");
            configs.put(key, c);
        }
        return c;
    }

    private NDArray scalars(double rho) {
        NDArray s = scalars.get(rho);
        if (s == null) {
            if (scalars.size() >= 64) {
                scalars.values().forEach(NDArray::close);
                scalars.clear();
            }
            s = owner.create(new double[] {rho, lossScale, 0}).duplicate();
            s.setName("scalars");
            scalars.put(rho, s);
        }
        return s;
    }

    /** @return the number of input features */
    long inputs() {
        return inputs;
    }

    /** @return the activation codes, one per linear layer */
    int[] activations() {
        return activations.clone();
    }
}
