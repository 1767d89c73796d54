package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;

/**
 * First derivatives of a block with one scalar output per example, through Minima's autograd bridge (the
 * parameters' {@code .grad} is left untouched):
 * <ul>
 *   <li>per-example parameter gradients ∇_θ f(x_i), the rows of the Jacobian Φᵀ whose Gram matrix
 *       ΦᵀΦ/n gives the sharpness at an interpolating minimum and the Gauss–Newton matrix (docs/theory.md §0);</li>
 *   <li>input gradients ∇_x f(x_i), for the function-space work.</li>
 * </ul>
 * The block runs in inference mode ({@code training = false}). Works in float32 and float64 (inputs must
 * have the block's data type for input gradients; they are converted for parameter gradients); results are
 * returned as doubles or as arrays.
 *
 * <pre>{@code
 * double[][] phi = Gradients.parameters(block, x);   // n × P
 * double[][] dfdx = Gradients.inputs(block, x);      // n × d
 * }</pre>
 */
public final class Gradients {

    private Gradients() {}

    /**
     * @param block an initialised block with one scalar output per example
     * @param inputs a batch of inputs, examples along the first axis
     * @return ∇_θ f(x_i) for every example (rows) over all trainable parameters in {@link ParameterSpace} order
     */
    public static double[][] parameters(Block block, NDArray inputs) {
        return parameters(block, ParameterSpace.of(block), inputs);
    }

    /**
     * @param block an initialised block with one scalar output per example
     * @param space the parameters to differentiate
     * @param inputs a batch of inputs, examples along the first axis
     * @return ∇_θ f(x_i) for every example (rows)
     */
    public static double[][] parameters(Block block, ParameterSpace space, NDArray inputs) {
        try (NDManager scope = inputs.getManager().newSubManager()) {
            return rows(parameterJacobian(block, space, inputs, scope));
        }
    }

    /**
     * The Jacobian of the per-example outputs with respect to the parameters: one forward pass, then one
     * vector–Jacobian product per example with the unit vector e_i (exact even when examples interact).
     *
     * @param block an initialised block with one scalar output per example
     * @param space the parameters to differentiate
     * @param inputs a batch of n inputs, examples along the first axis
     * @param target the manager of the result
     * @return an (n, P) array whose row i is ∇_θ f(x_i)
     * @throws IllegalArgumentException if the block does not give one scalar per example
     */
    public static NDArray parameterJacobian(Block block, ParameterSpace space, NDArray inputs, NDManager target) {
        AutogradBridge bridge = AutogradBridge.on(space.device());
        try (NDManager scope = target.newSubManager()) {
            NDArray x = inputs.toType(space.dataType(), true);
            x.attach(scope);
            long n = examples(x);
            NDArray out = scalarOutputs(block, x, n, scope);
            NDArray eye = scope.eye(Math.toIntExact(n), Math.toIntExact(n), 0, out.getDataType());
            NDList rows = new NDList(Math.toIntExact(n));
            for (long i = 0; i < n; i++) {
                NDArray e = eye.get(i).reshape(out.getShape());
                rows.add(space.flatten(bridge.grad(new NDList(out), space.arrays(), new NDList(e), false, scope)));
            }
            NDArray jacobian = NDArrays.stack(rows);
            jacobian.attach(target);
            return jacobian;
        }
    }

    /**
     * @param block an initialised block with one scalar output per example
     * @param inputs a batch of inputs, examples along the first axis
     * @return ∇_x f(x_i) for every example, flattened per example (rows)
     */
    public static double[][] inputs(Block block, NDArray inputs) {
        try (NDManager scope = inputs.getManager().newSubManager()) {
            NDArray g = inputGradients(block, inputs, scope);
            long n = examples(g);
            return rows(g.reshape(n, -1));
        }
    }

    /**
     * Input gradients ∇_x f(x_i) by one backward pass of Σ_i f(x_i): exact when each output depends only on
     * its own example (true for blocks in inference mode; not for batch statistics in training mode).
     *
     * @param block an initialised block with one scalar output per example
     * @param inputs a batch of inputs, examples along the first axis
     * @param target the manager of the result
     * @return an array shaped like {@code inputs}
     * @throws IllegalArgumentException if the block does not give one scalar per example
     */
    public static NDArray inputGradients(Block block, NDArray inputs, NDManager target) {
        AutogradBridge bridge = AutogradBridge.on(inputs.getDevice());
        try (NDManager scope = target.newSubManager()) {
            NDArray x = inputs.duplicate();
            x.attach(scope);
            x.setRequiresGradient(true);
            long n = examples(x);
            NDArray out = scalarOutputs(block, x, n, scope);
            NDArray ones = scope.ones(out.getShape(), out.getDataType());
            NDArray g = bridge.grad(new NDList(out), new NDList(x), new NDList(ones), false, scope).get(0);
            g.attach(target);
            return g;
        }
    }

    private static NDArray scalarOutputs(Block block, NDArray x, long n, NDManager scope) {
        NDList out;
        try (GradMode on = GradMode.enabled()) {
            out = block.forward(new ParameterStore(scope, false), new NDList(x), false);
        }
        if (out.size() != 1 || out.get(0).size() != n) {
            Shape shape = out.isEmpty() ? new Shape() : out.get(0).getShape();
            throw new IllegalArgumentException("the block must return one scalar per example, got " + out.size()
                    + " output(s), the first of shape " + shape + " for " + n + " examples: select one output "
                    + "(e.g. add a Linear layer with 1 unit or a lambda block picking a column)");
        }
        return out.get(0);
    }

    private static long examples(NDArray x) {
        if (x.getShape().dimension() == 0) {
            throw new IllegalArgumentException("inputs must have examples along the first axis, got a scalar");
        }
        return x.getShape().get(0);
    }

    private static double[][] rows(NDArray matrix) {
        int n = Math.toIntExact(matrix.getShape().get(0));
        int p = Math.toIntExact(matrix.getShape().get(1));
        double[] flat = Vectors.toDoubles(matrix.reshape(-1));
        double[][] out = new double[n][p];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * p, out[i], 0, p);
        }
        return out;
    }
}
