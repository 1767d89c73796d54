package dev.minima.sam;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.util.Pair;
import dev.minima.autograd.GradMode;
import dev.minima.autograd.NativeArrays;
import dev.minima.curvature.Objective;
import dev.minima.loss.LossSafety;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trainer's parameters as a sharpness-aware step needs them, resolved once per trainer: all trainable
 * arrays (whose {@code .grad} the step fills), the perturbed ones, the norm-capped groups, and a few cached
 * libtorch-owned constants (attached to the trainer's manager, so they live as long as the trainer).
 */
final class TrainerBinding {

    private static final int MAX_CONSTANTS = 64;

    final Trainer trainer;
    final Device device;
    final DataType dataType;
    final NDList all = new NDList();
    final NDList perturbed = new NDList();
    final List<NDList> caps = new ArrayList<>();
    final int[] objectiveIndex;
    private final Map<Double, NDArray> constants = new HashMap<>();
    private NDArray one;
    private NDList saved;

    TrainerBinding(Trainer trainer, SharpnessAware settings) {
        this.trainer = trainer;
        Device[] devices = trainer.getDevices();
        if (devices.length != 1) {
            throw new IllegalArgumentException("sharpness-aware steps support one device, the trainer has "
                    + devices.length + ": train on a single device");
        }
        device = devices[0];
        Block block = trainer.getModel().getBlock();
        List<Parameter> perturbedParams = new ArrayList<>();
        for (int c = 0; c < settings.caps().size(); c++) {
            caps.add(new NDList());
        }
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter param = p.getValue();
            if (!param.requiresGradient()) {
                continue;
            }
            if (!param.isInitialized()) {
                throw new IllegalArgumentException("parameter '" + p.getKey() + "' is not initialised: call "
                        + "trainer.initialize(inputShapes) before the first step");
            }
            NDArray a = param.getArray();
            if (!(a instanceof PtNDArray)) {
                throw new IllegalArgumentException("sharpness-aware steps need DJL's PyTorch engine; parameter '"
                        + p.getKey() + "' lives in " + a.getManager().getEngine().getEngineName());
            }
            if (!a.getDevice().equals(device)) {
                throw new IllegalArgumentException("parameter '" + p.getKey() + "' is on " + a.getDevice()
                        + " but the trainer trains on " + device + ": create the model on the trainer's device");
            }
            all.add(a);
            if (settings.perturbed().test(p.getKey())) {
                perturbed.add(a);
                perturbedParams.add(param);
            }
            for (int c = 0; c < settings.caps().size(); c++) {
                if (settings.caps().get(c).parameters().test(p.getKey())) {
                    caps.get(c).add(a);
                }
            }
        }
        if (perturbed.isEmpty()) {
            throw new IllegalArgumentException("no trainable parameter of " + block.getClass().getSimpleName()
                    + " matches the perturbed-parameter filter: check the names in block.getParameters()");
        }
        for (int c = 0; c < caps.size(); c++) {
            if (caps.get(c).isEmpty()) {
                throw new IllegalArgumentException("norm cap " + c + " matches no trainable parameter: check the"
                        + " names in block.getParameters()");
            }
        }
        dataType = perturbed.get(0).getDataType();
        Objective objective = settings.perturbationObjective();
        objectiveIndex = objective == null ? null : indexIn(objective, perturbedParams);
        LossSafety.check(trainer.getLoss());
        if (dataType != DataType.FLOAT32) {
            TrainerWorkarounds.allowNonFloat32(trainer);
        }
    }

    /**
     * @param value a value
     * @return a cached libtorch-owned scalar of the parameters' type (never a Java-backed operand)
     */
    NDArray constant(double value) {
        NDArray c = constants.get(value);
        if (c == null) {
            if (constants.size() >= MAX_CONSTANTS) {
                constants.values().forEach(NDArray::close);
                constants.clear();
            }
            c = NativeArrays.scalar(trainer.getManager(), value, dataType);
            constants.put(value, c);
        }
        return c;
    }

    private FusedMlpSam fused;
    private boolean fusedResolved;
    private boolean gradientsDefined;

    /**
     * @param settings the SAM settings
     * @return the fused path for this trainer (resolved once), or null if it does not apply
     */
    FusedMlpSam fused(SharpnessAware settings) {
        if (!fusedResolved) {
            fused = FusedMlpSam.detect(this, settings);
            fusedResolved = true;
        }
        return fused;
    }

    /**
     * Prepares the trainer for gradients written by the fused path, once per binding: a forward pass on a row of
     * zeros registers the parameters with the trainer's parameter store (DJL's {@code trainer.step()} updates
     * only parameters a forward pass has fetched), and every trainable parameter gets a defined {@code .grad}
     * (zeros before the first backward pass) that the fused call can write into.
     *
     * @param inputs the number of input features
     * @param scope the manager of the temporaries
     */
    void defineGradients(long inputs, NDManager scope) {
        if (gradientsDefined) {
            return;
        }
        try (NDManager s = scope.newSubManager();
                GradMode off = GradMode.disabled()) {
            trainer.evaluate(new NDList(s.zeros(new Shape(1, inputs), dataType)));
        }
        boolean missing = false;
        for (NDArray a : all) {
            PtNDArray g = JniUtils.getGradient((PtNDArray) a);
            if (g == null) {
                missing = true;
            } else {
                g.close();
            }
        }
        if (missing) {
            try (NDManager s = scope.newSubManager();
                    GradMode on = GradMode.enabled()) {
                NDArray zero = constant(0.0);
                NDArray total = null;
                for (NDArray a : all) {
                    NDArray t = a.mul(zero).sum();
                    t.attach(s);
                    total = total == null ? t : total.add(t);
                }
                backward(total); // accumulates zeros: .grad becomes defined
            }
        }
        gradientsDefined = true;
    }

    /** Sets every trainable parameter's {@code .grad} to zero (no-op where it is undefined). */
    void zeroGradients() {
        for (NDArray a : all) {
            JniUtils.zeroGrad((PtNDArray) a);
        }
    }

    /**
     * @param arrays parameter arrays
     * @param scope the manager the views are attached to
     * @return views of their {@code .grad} (writing to them writes {@code .grad})
     */
    static NDList gradients(NDList arrays, NDManager scope) {
        NDList out = new NDList(arrays.size());
        for (NDArray a : arrays) {
            NDArray g = a.getGradient();
            g.attach(scope);
            out.add(g);
        }
        return out;
    }

    /**
     * Accumulates ∂target/∂θ into {@code .grad}, as DJL's {@code GradientCollector.backward} does, but with a
     * cached seed instead of a new ones-array per call.
     *
     * @param target a scalar recorded by autograd
     */
    void backward(NDArray target) {
        long begin = System.nanoTime();
        try (GradientCollector collector = trainer.newGradientCollector()) {
            if (target.getShape().equals(new Shape()) && target.getDataType() == dataType) {
                if (one == null) {
                    one = NativeArrays.scalar(trainer.getManager(), 1.0, dataType);
                }
                JniUtils.backward((PtNDArray) target, (PtNDArray) one, false, false);
            } else {
                collector.backward(target);
            }
        }
        trainer.addMetric("backward", begin);
    }

    /**
     * Copies the perturbed parameters into buffers kept for the trainer's lifetime (allocated on the first
     * call, so later steps allocate and page-fault nothing).
     */
    void save() {
        if (saved == null) {
            saved = new NDList(perturbed.size());
            try (GradMode off = GradMode.disabled()) {
                for (NDArray w : perturbed) {
                    NDArray c = w.duplicate();
                    c.attach(trainer.getManager());
                    saved.add(c);
                }
            }
            return;
        }
        for (int i = 0; i < saved.size(); i++) {
            copy(perturbed.get(i), saved.get(i));
        }
    }

    /** Overwrites the perturbed parameters with the copies of {@link #save()}: bit for bit, never w − ε. */
    void restore() {
        for (int i = 0; i < saved.size(); i++) {
            copy(saved.get(i), perturbed.get(i));
        }
    }

    /** dst ← src element-wise (index_put_ over full slices, i.e. copy_), with autograd off. */
    private static void copy(NDArray src, NDArray dst) {
        try (GradMode off = GradMode.disabled()) {
            int dims = dst.getShape().dimension();
            if (dims == 0) {
                dst.set(new ai.djl.ndarray.index.NDIndex("..."), src);
                return;
            }
            long[] min = new long[dims];
            long[] step = new long[dims];
            java.util.Arrays.fill(step, 1);
            JniUtils.indexSet((PtNDArray) dst, (PtNDArray) src, min, dst.getShape().getShape(), step);
        }
    }

    private static int[] indexIn(Objective objective, List<Parameter> params) {
        List<Parameter> space = objective.space().parameters();
        int[] index = new int[params.size()];
        for (int i = 0; i < params.size(); i++) {
            index[i] = space.indexOf(params.get(i));
            if (index[i] < 0) {
                throw new IllegalArgumentException("the perturbation objective does not differentiate parameter '"
                        + params.get(i).getName() + "': build it on the trained block with all its parameters");
            }
        }
        return index;
    }
}
