package dev.minima.autograd;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gradients of arrays with respect to other arrays through {@code torch.autograd.grad}, called via a tiny
 * TorchScript module (source in {@code autograd_bridge.py} beside this class, archived at run time by
 * {@link TorchScriptArchive}).
 *
 * <p>Why not DJL's {@code GradientCollector.backward}: a create-graph backward stores a graph-carrying
 * gradient in each parameter's {@code .grad}, a reference cycle that leaks about 13 MB per Hessian-vector
 * product and breaks the next backward; {@code torch.autograd.grad} returns the gradients instead of
 * accumulating them, so nothing is stored on the parameters and their {@code .grad} (the gradient a DJL
 * trainer is about to apply) is left untouched.
 *
 * <p>All arrays must live on the same device. The call is vector–Jacobian: it returns Σ_j ∂⟨outputs_j,
 * gradOutputs_j⟩/∂inputs_i for every input i (zeros for inputs the outputs do not depend on). Outputs that autograd did not record (no
 * {@code requires_grad}) are skipped; if none is recorded every gradient is zero.
 */
public final class AutogradBridge {

    private static final String SOURCE = "/dev/minima/autograd/autograd_bridge.py";
    private static final Map<Device, AutogradBridge> BRIDGES = new ConcurrentHashMap<>();

    private final PtNDManager manager;
    private final PtSymbolBlock module;
    private final NDArray flagTrue;
    private final NDArray flagFalse;

    private AutogradBridge(Device device) {
        manager = (PtNDManager) NDManager.newBaseManager(device, "PyTorch");
        byte[] archive = TorchScriptArchive.build("bridge", "AutogradBridge", TorchScriptArchive.readResource(SOURCE));
        try {
            module = JniUtils.loadModule(manager, new ByteArrayInputStream(archive), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("could not load Minima's TorchScript autograd bridge", e);
        }
        flagTrue = manager.full(new Shape(), 1f, DataType.INT64);
        flagFalse = manager.full(new Shape(), 0f, DataType.INT64);
    }

    /**
     * @param device the device the arrays live on
     * @return the bridge for that device (loaded once per device)
     */
    public static AutogradBridge on(Device device) {
        return BRIDGES.computeIfAbsent(device, AutogradBridge::new);
    }

    /**
     * Computes vector–Jacobian products {@code Σ_j (∂outputs_j/∂inputs_i)ᵀ gradOutputs_j} for every input.
     * The graph behind {@code outputs} is retained, so it can be differentiated again.
     *
     * @param outputs arrays recorded by autograd (at least one must depend on the inputs)
     * @param inputs arrays that require gradients (e.g. a block's parameter arrays)
     * @param gradOutputs one array per output, of the same shape (ones for a scalar loss)
     * @param createGraph whether the returned gradients carry a graph (for second derivatives)
     * @param target the manager the results are attached to
     * @return one gradient per input, in order, shaped like the input
     * @throws IllegalArgumentException if the lists do not match or no output depends on the inputs
     */
    public synchronized NDList grad(
            NDList outputs, NDList inputs, NDList gradOutputs, boolean createGraph, NDManager target) {
        if (outputs.isEmpty() || inputs.isEmpty()) {
            throw new IllegalArgumentException("autograd needs at least one output and one input");
        }
        if (outputs.size() != gradOutputs.size()) {
            throw new IllegalArgumentException(
                    outputs.size() + " outputs but " + gradOutputs.size() + " grad outputs: pass one per output");
        }
        for (int i = 0; i < outputs.size(); i++) {
            if (!outputs.get(i).getShape().equals(gradOutputs.get(i).getShape())) {
                throw new IllegalArgumentException("grad output " + i + " has shape " + gradOutputs.get(i).getShape()
                        + " but its output has shape " + outputs.get(i).getShape());
            }
        }
        for (NDArray in : inputs) {
            if (!in.hasGradient()) {
                throw new IllegalArgumentException("input '" + in.getName() + "' of shape " + in.getShape()
                        + " does not require gradients: initialise the block's parameters (they are marked "
                        + "for gradients by Parameter.initialize) or call setRequiresGradient(true)");
            }
        }
        NDList call = new NDList(outputs.size() * 2 + inputs.size() + 1);
        List<String> saved = new ArrayList<>(call.size());
        name(call, saved, outputs, "outputs[]");
        name(call, saved, inputs, "inputs[]");
        name(call, saved, gradOutputs, "grad_outputs[]");
        call.add(createGraph ? flagTrue : flagFalse);
        saved.add(null);
        NDList result;
        try (GradMode on = GradMode.enabled()) {
            result = IValueUtils.forward(module, call, true);
        } catch (EngineException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("does not require grad")) {
                throw new IllegalArgumentException(
                        "the objective does not depend on the parameters through autograd (was it computed with "
                                + "autograd recording on, from the parameters' own arrays?): " + msg, e);
            }
            throw e;
        } finally {
            for (int i = 0; i < call.size() - 1; i++) {
                call.get(i).setName(saved.get(i));
            }
        }
        result.attach(target);
        return result;
    }

    private static void name(NDList call, List<String> saved, NDList arrays, String name) {
        for (NDArray a : arrays) {
            saved.add(a.getName());
            a.setName(name);
            call.add(a);
        }
    }

    /**
     * The gradient of a scalar with respect to inputs.
     *
     * @param scalar a scalar array recorded by autograd
     * @param inputs arrays that require gradients
     * @param createGraph whether the gradient carries a graph
     * @param target the manager the results are attached to
     * @return one gradient per input
     */
    public NDList gradient(NDArray scalar, NDList inputs, boolean createGraph, NDManager target) {
        if (scalar.getShape().size() != 1) {
            throw new IllegalArgumentException("the objective must be a scalar, got shape " + scalar.getShape()
                    + ": reduce the loss (e.g. mean over the batch) before differentiating");
        }
        try (NDArray one = scalar.getManager().ones(scalar.getShape(), scalar.getDataType())) {
            return grad(new NDList(scalar), inputs, new NDList(one), createGraph, target);
        }
    }
}
