package dev.minima.monitor;

import ai.djl.metric.Metrics;
import ai.djl.training.Trainer;

/**
 * Adds each record to a DJL {@link Metrics} (normally the trainer's), so existing DJL tooling sees the
 * monitor's values. Metric names: {@code lambda_max}, {@code lambda_max_threshold} (2/η),
 * {@code lambda_max_ratio} (ηλ_max/2), {@code probe_loss}, {@code probe_grad_norm}, and when measured
 * {@code lambda_min}, {@code hessian_trace}, {@code precond_lambda_max}.
 */
public final class MetricsRecorder implements RecordSink {

    /** Metric name of λ_max. */
    public static final String LAMBDA_MAX = "lambda_max";
    /** Metric name of 2/η. */
    public static final String THRESHOLD = "lambda_max_threshold";
    /** Metric name of ηλ_max/2. */
    public static final String RATIO = "lambda_max_ratio";
    /** Metric name of the probe loss. */
    public static final String LOSS = "probe_loss";
    /** Metric name of the probe gradient norm. */
    public static final String GRAD_NORM = "probe_grad_norm";
    /** Metric name of λ_min. */
    public static final String LAMBDA_MIN = "lambda_min";
    /** Metric name of the Hessian trace. */
    public static final String TRACE = "hessian_trace";
    /** Metric name of λ_max(P⁻¹H). */
    public static final String PRECOND = "precond_lambda_max";

    private final Metrics metrics;

    /**
     * @param metrics the metrics to add to
     */
    public MetricsRecorder(Metrics metrics) {
        this.metrics = metrics;
    }

    /**
     * @param trainer a trainer
     * @return a recorder adding to the trainer's metrics, or null if the trainer has none
     */
    static MetricsRecorder of(Trainer trainer) {
        Metrics m = trainer.getMetrics();
        return m == null ? null : new MetricsRecorder(m);
    }

    /** @return the metrics written to */
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public void accept(SharpnessRecord r) {
        CurvatureSnapshot s = r.snapshot();
        metrics.addMetric(LAMBDA_MAX, s.lambdaMax());
        metrics.addMetric(THRESHOLD, r.threshold());
        metrics.addMetric(RATIO, r.ratio());
        metrics.addMetric(LOSS, s.loss());
        metrics.addMetric(GRAD_NORM, s.gradientNorm());
        if (!Double.isNaN(s.lambdaMin())) {
            metrics.addMetric(LAMBDA_MIN, s.lambdaMin());
        }
        if (!Double.isNaN(s.trace())) {
            metrics.addMetric(TRACE, s.trace());
        }
        if (!Double.isNaN(s.preconditionedLambdaMax())) {
            metrics.addMetric(PRECOND, s.preconditionedLambdaMax());
        }
    }
}
