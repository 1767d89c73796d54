package dev.minima.demos.mnist;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One optimizer's result in the 10-class SGD-vs-SAM comparison.
 *
 * @param optimizer "sgd" or "sam"
 * @param learningRate the base SGD step size η
 * @param rho SAM's radius ρ (0 for SGD)
 * @param epochs epochs trained
 * @param steps optimizer steps taken
 * @param trainLoss mean softmax cross-entropy over the whole training subset at the final weights
 * @param trainAccuracy accuracy on the training subset
 * @param testAccuracy accuracy on MNIST's 10,000 test images
 * @param lmax λ_max of the Hessian of the probe loss at the final weights
 * @param lmaxResidual ‖Hv − λv‖ of that estimate
 * @param lanczosProducts Hessian-vector products Lanczos used
 * @param trace Hutchinson's estimate of tr(H) on the same probe
 * @param traceStandardError its standard error
 * @param traceSamples Rademacher probes used
 * @param seconds wall-clock training time (without the final measurement)
 * @param lmaxMonitorMax the largest λ_max the edge-of-stability monitor recorded during training (NaN without
 *     monitor records)
 */
public record TenClassRun(String optimizer, double learningRate, double rho, int epochs, long steps, double trainLoss,
        double trainAccuracy, double testAccuracy, double lmax, double lmaxResidual, int lanczosProducts, double trace,
        double traceStandardError, int traceSamples, double seconds, double lmaxMonitorMax) {

    /** @return the threshold 2/η of gradient descent's stability */
    public double threshold() {
        return 2 / learningRate;
    }

    /** @return the run as summary.json keys (non-finite numbers as null) */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("optimizer", optimizer);
        m.put("lr", learningRate);
        m.put("rho", rho);
        m.put("epochs", epochs);
        m.put("steps", steps);
        m.put("train_loss", finite(trainLoss));
        m.put("train_accuracy", finite(trainAccuracy));
        m.put("test_accuracy", finite(testAccuracy));
        m.put("lmax_final", finite(lmax));
        m.put("lmax_residual", finite(lmaxResidual));
        m.put("lanczos_products", lanczosProducts);
        m.put("threshold", threshold());
        m.put("trace_final", finite(trace));
        m.put("trace_stderr", finite(traceStandardError));
        m.put("trace_samples", traceSamples);
        m.put("seconds", seconds);
        m.put("lmax_monitor_max", finite(lmaxMonitorMax));
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
