package dev.minima.linear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;
import dev.minima.curvature.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Intermediate gains of a feed-forward network, max over inputs of ‖h_k(x)‖/‖x‖ for every layer k, estimated
 * by gradient ascent from random starts as in paper 001 (Sec. 6, Fig. 6: "optimizing the input so as to
 * maximize the norm of the intermediate signal ... 100 different random initializations").
 *
 * <p>For a linear network h_k(x) = P_k x this is σ_max(P_k) (Theorem 2 of paper 001), and the ascent below
 * is then exactly the power method on P_kᵀP_k. A network with biases has h_k(0) ≠ 0, so the ratio is
 * unbounded as x → 0: the inputs are therefore held on the sphere ‖x‖ = r (the {@code radius}, e.g. the
 * typical norm of the data), and the gain is ‖h_k(x)‖/r. For bias-free ReLU networks h_k is positively
 * homogeneous and the radius does not matter.
 *
 * <p>Layer k ends after the k-th child of the {@link SequentialBlock} that has parameters, together with the
 * parameter-free children (activations) that follow it; the last layer is the network's output.
 *
 * <p>Ascent step, for every start at once: g = ∇_x ‖h_k(x)‖², x ← r·(x̂ + s·ĝ)/‖x̂ + s·ĝ‖ with x̂ = x/r,
 * ĝ = g/‖g‖ and a per-start step s that halves whenever that start's gain drops (and regrows by ×1.5, up to
 * its initial value, while it rises). For a linear network g = 2P_kᵀP_k x, so each step multiplies x by the
 * positive definite matrix I + c·P_kᵀP_k: a shifted power method, whose Rayleigh quotient never decreases.
 * The gain reported is the best value met over all starts and iterations: a lower bound of the true maximum
 * that improves with more starts and steps.
 *
 * <pre>{@code
 * GainProfile p = Gains.builder().optStarts(100).optSteps(200).optRadius(30).optSeed(0).build()
 *         .profile(block, 784);
 * double[] perLayer = p.maxGains();
 * }</pre>
 */
public final class Gains {

    private static final Logger logger = LoggerFactory.getLogger(Gains.class);

    private final int starts;
    private final int steps;
    private final double radius;
    private final double initialStep;
    private final long seed;
    private Runnable beforeBackward = () -> {};

    private Gains(Builder b) {
        this.starts = b.starts;
        this.steps = b.steps;
        this.radius = b.radius;
        this.initialStep = b.initialStep;
        this.seed = b.seed;
    }

    /** @return a new builder (20 starts, 100 steps, radius 1, initial step 4, seed 0) */
    public static Builder builder() {
        return new Builder();
    }

    /** Test hook: runs between each forward pass and its backward pass (to force a GC there). */
    void beforeBackward(Runnable hook) {
        this.beforeBackward = hook;
    }

    /**
     * The gain profile of a network.
     *
     * @param block an initialised sequential network
     * @param inputDim the input dimension (the network takes inputs of shape (batch, inputDim))
     * @return per-layer maximal gains and the per-layer gains of the signal with the largest end-to-end gain
     * @throws IllegalArgumentException if the block has no layer with parameters or inputDim is below 1
     */
    public GainProfile profile(SequentialBlock block, int inputDim) {
        if (inputDim < 1) {
            throw new IllegalArgumentException("input dimension must be at least 1, got " + inputDim);
        }
        List<List<Block>> layers = layers(block);
        int depth = layers.size();
        double[] maxGains = new double[depth];
        double[][] argmax = new double[depth][];
        for (int k = 1; k <= depth; k++) {
            Ascent a = ascend(layers.subList(0, k), block, inputDim, seed + k);
            maxGains[k - 1] = a.gain;
            argmax[k - 1] = a.input;
            logger.debug("layer {}: max gain {}", k, a.gain);
        }
        double[] signal = gainsAlong(layers, block, argmax[depth - 1]);
        return new GainProfile(maxGains, signal, radius, starts, steps);
    }

    /** Splits a sequential block into layers: a child with parameters plus the parameter-free ones after it. */
    static List<List<Block>> layers(SequentialBlock block) {
        List<List<Block>> layers = new ArrayList<>();
        for (Pair<String, Block> child : block.getChildren()) {
            Block b = child.getValue();
            boolean hasParams = !b.getParameters().isEmpty();
            if (hasParams || layers.isEmpty()) {
                layers.add(new ArrayList<>());
            }
            layers.get(layers.size() - 1).add(b);
        }
        if (layers.isEmpty() || layers.stream().allMatch(l -> l.stream().allMatch(b -> b.getParameters().isEmpty()))) {
            throw new IllegalArgumentException("the network has no layer with parameters: gains need at least one "
                    + "Linear (or other parameterised) child in the SequentialBlock");
        }
        return layers;
    }

    private record Ascent(double gain, double[] input) {}

    private Ascent ascend(List<List<Block>> prefix, SequentialBlock block, int inputDim, long startSeed) {
        NDArray param = block.getParameters().valueAt(0).getArray();
        DataType type = param.getDataType();
        AutogradBridge bridge = AutogradBridge.on(param.getDevice());
        try (NDManager base = NDManager.newBaseManager(param.getDevice(), "PyTorch")) {
            ParameterStore store = new ParameterStore(base, false);
            SplittableRandom random = new SplittableRandom(startSeed);
            NDArray x = Vectors.gaussian(base, (long) starts * inputDim, type, random).reshape(starts, inputDim);
            x = onSphere(x);
            double[] best = new double[starts];
            double[] current = new double[starts];
            double[] step = new double[starts];
            java.util.Arrays.fill(best, -1);
            java.util.Arrays.fill(current, -1);
            java.util.Arrays.fill(step, initialStep);
            double[] bestInput = null;
            double bestGain = -1;
            for (int t = 0; t <= steps; t++) {
                try (NDManager scope = base.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(scope);
                    xs.setRequiresGradient(true);
                    NDArray sq;
                    NDArray objective;
                    try (GradMode on = GradMode.enabled()) {
                        NDArray h = forward(prefix, store, xs);
                        // ‖h‖² per start (a product of arrays only: no Java-number operand in the graph)
                        sq = h.mul(h).reshape(starts, -1).sum(new int[] {1});
                        objective = sq.sum();
                    }
                    double[] norms = Vectors.toDoubles(sq);
                    for (int s = 0; s < starts; s++) {
                        double gain = Math.sqrt(Math.max(0, norms[s])) / radius;
                        if (gain > bestGain) {
                            bestGain = gain;
                            bestInput = Vectors.toDoubles(xs.get(s).stopGradient());
                        }
                        if (gain > current[s]) {
                            step[s] = t == 0 ? step[s] : Math.min(initialStep, step[s] * 1.5);
                        } else {
                            step[s] *= 0.5;
                        }
                        current[s] = gain;
                        best[s] = Math.max(best[s], gain);
                    }
                    if (t == steps) {
                        break;
                    }
                    beforeBackward.run();
                    NDArray g = bridge.gradient(objective, new NDList(xs), false, scope).singletonOrThrow();
                    NDArray next;
                    try (GradMode off = GradMode.disabled()) {
                        next = ascentStep(xs.stopGradient(), g, step);
                    }
                    next.attach(base);
                    x.close();
                    x = next;
                }
            }
            return new Ascent(bestGain, bestInput);
        }
    }

    /** x ← r·(x̂ + s·ĝ)/‖x̂ + s·ĝ‖ per row (no autograd here, so Java numbers are harmless). */
    private NDArray ascentStep(NDArray x, NDArray g, double[] step) {
        NDArray xhat = x.div(rowNorms(x));
        NDArray ghat = g.div(rowNorms(g).maximum(1e-30));
        NDArray s = Vectors.of(x.getManager(), step, x.getDataType()).reshape(starts, 1);
        return onSphere(xhat.add(ghat.mul(s)));
    }

    private NDArray onSphere(NDArray x) {
        return x.div(rowNorms(x)).mul(radius);
    }

    private static NDArray rowNorms(NDArray x) {
        return x.mul(x).sum(new int[] {1}, true).sqrt();
    }

    private double[] gainsAlong(List<List<Block>> layers, SequentialBlock block, double[] input) {
        NDArray param = block.getParameters().valueAt(0).getArray();
        double[] out = new double[layers.size()];
        try (NDManager scope = NDManager.newBaseManager(param.getDevice(), "PyTorch");
                GradMode off = GradMode.disabled()) {
            ParameterStore store = new ParameterStore(scope, false);
            NDArray h = Vectors.of(scope, input, param.getDataType()).reshape(1, input.length);
            for (int k = 0; k < layers.size(); k++) {
                h = forward(layers.subList(k, k + 1), store, h);
                out[k] = Vectors.norm(h.reshape(-1)) / radius;
            }
        }
        return out;
    }

    private static NDArray forward(List<List<Block>> layers, ParameterStore store, NDArray x) {
        NDList h = new NDList(x);
        for (List<Block> layer : layers) {
            for (Block b : layer) {
                h = b.forward(store, h, false);
            }
        }
        return h.singletonOrThrow();
    }

    /**
     * The result: per layer k = 1..m, the largest gain found and the gain of the maximising end-to-end signal.
     *
     * @param maxGains max over inputs on the sphere of ‖h_k(x)‖/r, per layer (paper 001, Fig. 6 blue dots)
     * @param topSignalGains ‖h_k(x*)‖/r for the input x* with the largest end-to-end gain (Fig. 6 red circles)
     * @param radius the input norm r
     * @param starts random starts per layer
     * @param steps ascent steps per start
     */
    public record GainProfile(double[] maxGains, double[] topSignalGains, double radius, int starts, int steps) {

        @Override
        public double[] maxGains() {
            return maxGains.clone();
        }

        @Override
        public double[] topSignalGains() {
            return topSignalGains.clone();
        }

        /** @return the number of layers */
        public int depth() {
            return maxGains.length;
        }
    }

    /** Builder of {@link Gains}. */
    public static final class Builder {
        private int starts = 20;
        private int steps = 100;
        private double radius = 1;
        private double initialStep = 4;
        private long seed;

        private Builder() {}

        /**
         * @param starts random starting inputs per layer (paper 001: 100)
         * @return this builder
         */
        public Builder optStarts(int starts) {
            if (starts < 1) {
                throw new IllegalArgumentException("need at least one random start, got " + starts);
            }
            this.starts = starts;
            return this;
        }

        /**
         * @param steps gradient-ascent steps per start
         * @return this builder
         */
        public Builder optSteps(int steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("steps must be >= 0, got " + steps);
            }
            this.steps = steps;
            return this;
        }

        /**
         * @param radius the input norm r on which inputs are held (use the data's typical norm for networks
         *     with biases)
         * @return this builder
         */
        public Builder optRadius(double radius) {
            if (!(radius > 0) || !Double.isFinite(radius)) {
                throw new IllegalArgumentException("radius must be positive and finite, got " + radius);
            }
            this.radius = radius;
            return this;
        }

        /**
         * @param step the initial ascent step s (relative to the unit sphere; large s is close to the plain power step)
         * @return this builder
         */
        public Builder optInitialStep(double step) {
            if (!(step > 0) || !Double.isFinite(step)) {
                throw new IllegalArgumentException("initial step must be positive and finite, got " + step);
            }
            this.initialStep = step;
            return this;
        }

        /**
         * @param seed seed of the random starts
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the estimator */
        public Gains build() {
            return new Gains(this);
        }
    }
}
