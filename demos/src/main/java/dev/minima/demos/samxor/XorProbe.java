package dev.minima.demos.samxor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.minima.autograd.GradMode;
import dev.minima.curvature.Gradients;
import dev.minima.curvature.ParameterSpace;
import dev.minima.data.XorData;
import dev.minima.loss.Losses;
import dev.minima.stability.HessianTrace;
import dev.minima.stability.InputSample;
import dev.minima.stability.LossConvention;
import dev.minima.stability.ShallowReluNetwork;
import dev.minima.stability.SimLayerNormNetwork;
import java.util.List;

/**
 * Measures a Wen, Ma &amp; Li (2023) network during training: training loss and test accuracy through DJL forward passes,
 * and the Hessian trace from the weights read into double precision.
 *
 * <p>The trace: for the two-layer ReLU nets (scenarios I, II) Tr(∇²L) = (2/n) Σ_i ‖∇_θ f(x_i)‖² exactly at
 * every θ (Wen, Ma &amp; Li (2023), Lemma 4.1 and eq. 2; ReLU'' = 0 removes the residual term), computed by
 * {@link HessianTrace#closedForm}; for Sim-LN (scenario III) the same sum is the Gauss–Newton trace, equal to
 * Tr(∇²L) at interpolation ({@link SimLayerNormNetwork#trace}).
 *
 * <p>Holds its data arrays in its own manager; close it.
 */
public final class XorProbe implements AutoCloseable {

    private final Scenario scenario;
    private final double layerNormEpsilon;
    private final InputSample sample;
    private final double[] labels;
    private final NDManager manager;
    private final NDArray trainX;
    private final NDArray trainY;
    private final NDArray testX;
    private final NDArray testY;

    /**
     * @param scenario the scenario (which network)
     * @param layerNormEpsilon ε of Sim-LN (unused otherwise)
     * @param train the training set
     * @param test the test set
     * @param parent the manager under which the data arrays live (a sub-manager is made)
     */
    public XorProbe(Scenario scenario, double layerNormEpsilon, XorData train, XorData test, NDManager parent) {
        this.scenario = scenario;
        this.layerNormEpsilon = layerNormEpsilon;
        double[][] rows = new double[train.size()][];
        labels = new double[train.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = train.x(i);
            labels[i] = train.y(i);
        }
        sample = InputSample.of(rows);
        manager = parent.newSubManager();
        trainX = train.features(manager, DataType.FLOAT32);
        trainY = train.labels(manager, DataType.FLOAT32);
        testX = test.features(manager, DataType.FLOAT32);
        testY = test.labels(manager, DataType.FLOAT32);
    }

    /**
     * Measures the network once: training loss, trace and its floor, test accuracy, first-layer norm.
     *
     * @param net the trained block
     * @param epoch epochs completed
     * @param cpuSeconds CPU time of the run so far
     * @return the measurements
     */
    public EvalPoint measure(Block net, long epoch, double cpuSeconds) {
        Weights w = Weights.read(net);
        double[] fitted = new double[sample.size()];
        double trace;
        double floor;
        if (scenario.layerNorm()) {
            SimLayerNormNetwork f = SimLayerNormNetwork.of(w.w1, w.b1, w.w2, layerNormEpsilon);
            for (int i = 0; i < fitted.length; i++) {
                fitted[i] = f.evaluate(sample.point(i));
            }
            trace = f.trace(sample, LossConvention.MSE);
            // [derived] at any θ, ‖∇_θ f(x)‖² ≥ min(1, (2/ε)‖x'‖|f(x)|): ≥ ‖∂f/∂W₂‖² = 1 when ‖relu(h)‖ ≥ ε, and
            // ≥ 2‖x'‖|f|/ε by AM-GM otherwise (Wen, Ma & Li (2023), Lemma A.12 with f(x) in place of y)
            floor = SimLayerNormNetwork.traceLowerBound(sample, fitted, layerNormEpsilon, LossConvention.MSE);
        } else {
            ShallowReluNetwork f = ShallowReluNetwork.of(w.w1, w.b1, w.w2, null);
            fitted = f.evaluate(sample.points());
            trace = HessianTrace.closedForm(f, sample, LossConvention.MSE);
            // [derived] at any θ, ‖∇_θ f(x)‖² = Σ_k w₂ₖ²1[hₖ>0]‖x'‖² + relu(hₖ)² ≥ 2‖x'‖Σ_k|w₂ₖ|relu(hₖ) ≥ 2‖x'‖|f(x)|
            // (Wen, Ma & Li (2023), eq. 3 with f(x) in place of y): the bound below, which is 4√(d+1) (4√d) at interpolation
            floor = HessianTrace.interpolationLowerBound(sample, fitted, scenario.hiddenBias(), LossConvention.MSE);
        }
        return new EvalPoint(epoch, trainLoss(net), trace, floor, testAccuracy(net), w.firstLayerNorm(), cpuSeconds);
    }

    /**
     * The flattest trace of the scenario (the minimum over interpolating networks): 4√(d+1) with a bias,
     * 4√d without (Wen, Ma &amp; Li (2023), eq. 3), 2 for Sim-LN (Wen, Ma &amp; Li (2023), Lemma A.12); computed from the training set, so exact for
     * any P_xor sample.
     *
     * @return the lower bound on Tr(∇²L) over interpolating networks
     */
    public double flattestTrace() {
        if (scenario.layerNorm()) {
            return SimLayerNormNetwork.traceLowerBound(sample, labels, layerNormEpsilon, LossConvention.MSE);
        }
        return HessianTrace.interpolationLowerBound(sample, labels, scenario.hiddenBias(), LossConvention.MSE);
    }

    /**
     * (2/n) Σ_i ‖∇_θ f(x_i)‖² from per-example gradients through Minima's autograd bridge (float32): an
     * independent check of {@link #measure}'s trace and of how the weights were read.
     *
     * @param net the block
     * @return the trace from DJL's autograd
     */
    public double autogradTrace(Block net) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray jacobian = Gradients.parameterJacobian(net, ParameterSpace.of(net), trainX, scope);
            return 2 * jacobian.toType(DataType.FLOAT64, false).square().sum().getDouble() / sample.size();
        }
    }

    private double trainLoss(Block net) {
        try (NDManager scope = manager.newSubManager(); GradMode off = GradMode.disabled()) {
            NDArray f = forward(net, trainX, scope);
            return Losses.mse().evaluate(new NDList(trainY), new NDList(f)).toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private double testAccuracy(Block net) {
        try (NDManager scope = manager.newSubManager(); GradMode off = GradMode.disabled()) {
            NDArray f = forward(net, testX, scope);
            // accuracy Pr(y f > 0): the complement of Wen, Ma & Li (2023)'s zero-one error Pr(y f ≤ 0) (an erratum in the paper)
            return f.mul(testY).gt(0).toType(DataType.FLOAT64, false).mean().getDouble();
        }
    }

    private static NDArray forward(Block net, NDArray x, NDManager scope) {
        NDArray in = x.duplicate();
        in.attach(scope);
        return net.forward(new ParameterStore(scope, false), new NDList(in), false).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }

    /** The first layer (W₁, b₁) and the output weights w₂ of a two-layer block, in double precision. */
    private record Weights(double[][] w1, double[] b1, double[] w2) {

        static Weights read(Block net) {
            List<Block> children = net.getChildren().values();
            Block first = children.get(0);
            Block last = children.get(children.size() - 1);
            double[] flat = doubles(first.getParameters().get("weight"));
            double[] w2 = doubles(last.getParameters().get("weight"));
            int k = w2.length;
            int d = flat.length / k;
            double[][] w1 = new double[k][d];
            for (int i = 0; i < k; i++) {
                System.arraycopy(flat, i * d, w1[i], 0, d);
            }
            Parameter bias = first.getParameters().get("bias");
            return new Weights(w1, bias == null ? null : doubles(bias), w2);
        }

        double firstLayerNorm() {
            double s = 0;
            for (double[] row : w1) {
                for (double a : row) {
                    s += a * a;
                }
            }
            if (b1 != null) {
                for (double a : b1) {
                    s += a * a;
                }
            }
            return Math.sqrt(s);
        }

        private static double[] doubles(Parameter p) {
            float[] f = p.getArray().toFloatArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
    }
}
