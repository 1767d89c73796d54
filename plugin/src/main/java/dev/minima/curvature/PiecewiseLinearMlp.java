package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import dev.minima.autograd.GradMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A DJL block read as a stack of dense layers with ReLU or no activation: a single {@link Linear}, or a
 * {@link SequentialBlock} whose children are {@code Linear} layers, each followed by at most one activation
 * block recognised by probing it. Such a network is piecewise linear in every single weight and bias, which is
 * what {@link ExactTrace} needs; anything else is refused with the reason.
 */
final class PiecewiseLinearMlp {

    /** One dense layer: z = a Wᵀ + b, then ReLU (or nothing). */
    record Layer(Parameter weight, Parameter bias, boolean relu) {}

    private static final double[] PROBE = {-3, -1.5, -0.25, -1e-3, 0, 1e-3, 0.25, 0.75, 1.5, 3, 7, -7};

    private final List<Layer> layers;

    private PiecewiseLinearMlp(List<Layer> layers) {
        this.layers = layers;
    }

    /** @return the layers, input first */
    List<Layer> layers() {
        return layers;
    }

    /** @return the input width of the first layer */
    long inputs() {
        return layers.get(0).weight().getArray().getShape().get(1);
    }

    /**
     * Reads a block.
     *
     * @param block an initialised block
     * @return the layers
     * @throws IllegalArgumentException naming the first child that is not a {@code Linear} layer or a ReLU (or
     *     identity) activation, and why it cannot be handled
     */
    static PiecewiseLinearMlp of(Block block) {
        List<Block> children;
        if (block.getClass() == Linear.class) {
            children = List.of(block);
        } else if (block instanceof SequentialBlock) {
            children = block.getChildren().values();
        } else {
            throw new IllegalArgumentException(refusal(block.getClass().getSimpleName() + " (the block itself)"));
        }
        List<Layer> layers = new ArrayList<>();
        boolean activated = false;
        for (int i = 0; i < children.size(); i++) {
            Block child = children.get(i);
            String where = "child " + i + " (" + child.getClass().getSimpleName() + ")";
            if (child.getClass() == Linear.class) {
                Parameter w = child.getParameters().get("weight");
                if (w == null || !w.isInitialized() || w.getArray().getShape().dimension() != 2) {
                    throw new IllegalArgumentException(where + " has no initialised two-dimensional weight:"
                            + " initialise the block before computing its trace");
                }
                Parameter b = child.getParameters().contains("bias") ? child.getParameters().get("bias") : null;
                if (!layers.isEmpty()) {
                    long in = w.getArray().getShape().get(1);
                    long out = layers.get(layers.size() - 1).weight().getArray().getShape().get(0);
                    if (in != out) {
                        throw new IllegalArgumentException(where + " takes " + in + " inputs but the layer before"
                                + " gives " + out);
                    }
                }
                layers.add(new Layer(w, b, false));
                activated = false;
            } else if (child instanceof LambdaBlock) {
                if (layers.isEmpty() || activated) {
                    throw new IllegalArgumentException(where + " is an activation that does not follow a Linear"
                            + " layer: " + refusal(where));
                }
                String kind = probe(child, layers.get(0).weight().getArray().getManager());
                switch (kind) {
                    case "relu" -> {
                        Layer last = layers.remove(layers.size() - 1);
                        layers.add(new Layer(last.weight(), last.bias(), true));
                    }
                    case "identity" -> { }
                    case "tanh", "sigmoid" -> throw new IllegalArgumentException(where + " is " + kind + ", a smooth"
                            + " activation: its second derivative makes the diagonal of the network's own Hessian"
                            + " ∇²f non-zero, so tr(H) is not tr(Gauss–Newton) and no exact trace is computed for"
                            + " it. Estimate the trace instead (Hutchinson, HutchPlusPlus or XTrace on a"
                            + " HessianOperator, with their standard errors)");
                    default -> throw new IllegalArgumentException(where + " is an activation that is neither ReLU"
                            + " nor the identity: " + refusal(where));
                }
                activated = true;
            } else {
                throw new IllegalArgumentException(refusal(where));
            }
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("the block has no Linear layer: " + refusal("the block"));
        }
        return new PiecewiseLinearMlp(layers);
    }

    private static String refusal(String what) {
        return "ExactTrace handles a Linear layer or a SequentialBlock of Linear layers, each followed by at most"
                + " one ReLU (or identity) activation, and cannot handle " + what + ": the exact trace relies on the"
                + " network being piecewise linear in every single parameter (then the diagonal of ∇²f vanishes"
                + " almost everywhere and tr(H) = tr(Gauss–Newton)). Estimate the trace instead (Hutchinson,"
                + " HutchPlusPlus or XTrace)";
    }

    /**
     * Recognises an activation block by its values on fixed probe points (exact for ReLU and the identity, to
     * 1e-12 for tanh and sigmoid, in float64).
     *
     * @return "relu", "identity", "tanh", "sigmoid" or "unknown"
     */
    private static String probe(Block block, NDManager parent) {
        try (NDManager m = parent.newSubManager();
                GradMode off = GradMode.disabled()) {
            NDArray x = m.create(PROBE, new Shape(2, PROBE.length / 2));
            NDList out;
            try {
                out = block.forward(new ParameterStore(m, false), new NDList(x), false);
            } catch (RuntimeException e) {
                return "unknown";
            }
            if (out.size() != 1 || !out.get(0).getShape().equals(x.getShape())
                    || out.get(0).getDataType() != DataType.FLOAT64) {
                return "unknown";
            }
            double[] y = out.get(0).toDoubleArray();
            if (matches(y, v -> Math.max(v, 0), 0)) {
                return "relu";
            }
            if (matches(y, v -> v, 0)) {
                return "identity";
            }
            if (matches(y, Math::tanh, 1e-12)) {
                return "tanh";
            }
            if (matches(y, v -> 1 / (1 + Math.exp(-v)), 1e-12)) {
                return "sigmoid";
            }
            return "unknown";
        }
    }

    private static boolean matches(double[] y, java.util.function.DoubleUnaryOperator f, double tolerance) {
        for (int i = 0; i < PROBE.length; i++) {
            if (!(Math.abs(y[i] - f.applyAsDouble(PROBE[i])) <= tolerance)) {
                return false;
            }
        }
        return true;
    }
}
