package dev.minima.monitor;

import dev.minima.curvature.Preconditioner;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import dev.minima.autograd.GradMode;
import dev.minima.curvature.NonFiniteLossException;
import dev.minima.curvature.Objective;
import dev.minima.curvature.ParameterSpace;
import dev.minima.curvature.Vectors;
import dev.minima.loss.DjlLosses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DJL {@link TrainingListener} that watches the edge of stability: every k steps (and/or every so many
 * seconds, and at each epoch end) it measures on a fixed probe set the loss, the gradient norm and λ_max of
 * the Hessian (Lanczos, warm-started from the previous top eigenvector; optionally the top k, λ_min, the
 * trace and Adam's preconditioned sharpness), compares the sharpness with the optimizer's threshold (2/η for
 * plain SGD) at the learning rate η of the next update, feeds an {@link EdgeOfStabilityDetector}, and records everything to the trainer's DJL metrics, a
 * CSV file flushed after every record, and a PNG chart.
 *
 * <pre>{@code
 * DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
 *         .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).build());
 * config.addTrainingListeners(SharpnessListener.builder().build()); // the one added line
 * }</pre>
 *
 * <p><b>Defaults.</b> The trainer's loss is mapped to a GC-safe equivalent ({@link DjlLosses}); the learning
 * rate is read from the optimizer's tracker at every record and the threshold follows the optimizer
 * ({@link StabilityRule}); the probe is the first {@link #DEFAULT_PROBE_SIZE} training examples; records are
 * measured in the background on a snapshot of the parameters; records are skipped while the training thread's
 * time in the monitor exceeds {@link #DEFAULT_MAX_OVERHEAD} of the training time. The loss, optimizer and probe
 * are checked when training begins.
 *
 * <p><b>When.</b> {@code onTrainingBatch} runs after the batch's backward pass and before
 * {@code trainer.step()}: the measured parameters have had {@code step} updates, and η is the learning
 * rate of update {@code step + 1}, read from the tracker as DJL's optimisers do ({@code getNewValue(t)} with
 * the 1-based update count t). The parameters' {@code .grad}, the gradient about to be applied, is never
 * touched: all derivatives go through {@code torch.autograd.grad}.
 *
 * <p><b>Background.</b> At a record step the training thread copies the parameters on their device ({@link
 * ParameterSpace#snapshot}) and reads η and the threshold; one shared daemon worker thread ({@code
 * minima-sharpness-monitor}, reniced to the lowest priority, one libtorch thread) measures the copy while
 * training goes on. The record keeps the snapshot's step and is delivered in the training thread at a later
 * {@code onTrainingBatch}/{@code onEpoch} (sinks, CSV, metrics, detector and divergence all run there). A record
 * due while the previous one is running waits and is taken at the first step the worker is free (trigger
 * {@link SharpnessRecord.Trigger#DEFERRED}, with the step it was taken at); records that fall due while one
 * already waits are merged into it and counted ({@link #coalesced()}), so nothing queues; an exception on the
 * worker is rethrown at the next step as {@link MeasurementFailedException}; {@code onTrainingEnd} waits for
 * the last record. {@link Builder#optBackground(boolean) optBackground(false)} measures in the training thread
 * at the record step instead, with the same code and the same results on the same weights.
 *
 * <p><b>Divergence.</b> Non-finite predictions (checked every step, one reduction), non-finite weights or
 * probe loss, or a loss blow-up stop training with a {@link TrainingDivergedException}, or call the hook
 * given to {@link Builder#optOnDivergence(Consumer)} instead.
 *
 * <p>One listener watches one training run; {@link #close()} (or the trainer's close, which calls
 * {@code onTrainingEnd}) frees its native memory.
 */
public final class SharpnessListener implements TrainingListener, AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(SharpnessListener.class);

    /**
     * Lanczos tolerance of the default probe: residual ≤ 1% of λ_max. The Ritz value never exceeds λ_max and
     * is within the residual of it (at most 1%), typically within residual²/gap, far less; a warm start then
     * needs a few products. Measured on {@code bench}'s MLP with the 1,000-example probe: mean relative error
     * 1.2e-4 at 7.6 products per record, where 5e-2 gave 3.7 products but records up to 12% low (docs/monitor.md).
     * Pass {@link Builder#optSharpnessProbe} for other values.
     */
    public static final double DEFAULT_TOLERANCE = 1e-2;

    /**
     * Default overhead budget: scheduled records are skipped (and counted) while the time spent measuring exceeds
     * this fraction of the training time; the first skip is logged once. {@code optMaxOverhead(0)} measures on
     * schedule whatever it costs.
     */
    public static final double DEFAULT_MAX_OVERHEAD = 0.05;

    /**
     * Default probe size: the first 1,000 training examples. Smaller probes were measured 2.2% (512) to 17% (64)
     * off λ_max of these 1,000 on {@code bench}'s MLP; measured in the background, the full 1,000 cost the
     * training thread nothing extra (docs/monitor.md).
     */
    public static final int DEFAULT_PROBE_SIZE = 1000;

    /**
     * Default libtorch intra-op thread count of the background worker: 1, so that the worker never occupies more
     * than one core (other counts were not measured; docs/monitor.md).
     */
    public static final int DEFAULT_WORKER_THREADS = 1;

    private final int every;
    private final double everySeconds;
    private final boolean atEpochEnd;
    private final Tracker learningRate;
    private final Loss loss;
    private Loss resolvedLoss;
    private StabilityRule rule;
    private Preconditioner autoPreconditioner;
    private boolean probeChecked;
    private boolean budgetLogged;
    private final int probeSampleSize;
    private final SharpnessProbe probe;
    private final Preconditioner preconditioner;
    private final Path chartPath;
    private final String chartTitle;
    private final boolean useMetrics;
    private final EdgeOfStabilityDetector detector;
    private final Consumer<EosEvent> onDivergence;
    private final double maxOverhead;
    private final OverheadBudget budget;
    private final boolean checkPredictions;
    private final boolean trainingMode;
    private final Predicate<String> parameterFilter;
    private final boolean background;
    private final boolean lowPriority;
    private final int workerThreads;
    private final List<RecordSink> sinks = new ArrayList<>();
    private final List<SharpnessRecord> records = new ArrayList<>();

    private NDManager manager;
    private NDList[] fixedProbe;
    private final Dataset probeDataset;
    private ProbeSampler sampler;
    private Objective objective;
    private ParameterSpace liveSpace;
    private NDList[] probeArrays;
    private MeasurementWorker<Outcome> worker;
    private Pending inFlight;
    private boolean coalesceLogged;
    private long coalesced;
    private SharpnessRecord.Trigger deferred;
    private boolean metricsChecked;

    private long stepsSeen;
    private int epoch;
    private long nextDue;
    private long lastTriggeredStep = -1; // the latest step whose record was started or left waiting
    private long lastStartedStep = -1;
    private long startNanos;
    private long lastMeasureNanos;
    private long monitorNanos;
    private long skipped;
    private boolean diverged;

    private SharpnessListener(Builder b) {
        this.every = b.every;
        this.everySeconds = b.everySeconds;
        this.atEpochEnd = b.atEpochEnd;
        this.learningRate = b.learningRate;
        this.loss = b.loss;
        this.probe = b.probe != null ? b.probe
                : SharpnessProbe.builder().optSeed(b.seed).optTolerance(DEFAULT_TOLERANCE).build();
        this.preconditioner = b.preconditioner;
        this.probeSampleSize = b.sampleSize;
        this.chartPath = b.chartPath;
        this.chartTitle = b.chartTitle;
        this.useMetrics = b.useMetrics;
        this.detector = b.detector != null ? b.detector : EdgeOfStabilityDetector.builder().build();
        this.onDivergence = b.onDivergence;
        this.maxOverhead = b.maxOverhead;
        this.budget = new OverheadBudget(b.maxOverhead);
        this.checkPredictions = b.checkPredictions;
        this.trainingMode = b.trainingMode;
        this.parameterFilter = b.parameterFilter;
        this.background = b.background;
        this.lowPriority = b.lowPriority;
        this.workerThreads = b.workerThreads;
        this.probeDataset = b.probeDataset;
        if (b.probeData != null) {
            manager = NDManager.newBaseManager(b.probeData.get(0).getDevice(), "PyTorch");
            fixedProbe = new NDList[] {copy(b.probeData, manager), copy(b.probeLabels, manager)};
        } else if (b.probeDataset == null) {
            manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
            sampler = new ProbeSampler(b.sampleSize, b.sampleSeed, manager);
        }
        if (b.csvPath != null) {
            sinks.add(CsvRecorder.create(b.csvPath));
        }
        sinks.addAll(b.sinks);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks, when training begins (DJL calls this from the trainer's constructor), that the monitor can work
     * with this trainer: the loss is mapped to a GC-safe equivalent ({@link DjlLosses}) unless {@code optLoss}
     * was given, and the learning rate and the stability threshold are read from the optimizer
     * ({@link StabilityRule}) unless {@code optLearningRate}/{@code optLearningRateTracker} was given.
     *
     * @throws IllegalArgumentException naming the fix if the loss cannot be mapped, the optimizer cannot be read
     *     or its learning rate is not positive and finite
     */
    @Override
    public void onTrainingBegin(Trainer trainer) {
        resolvedLoss = loss != null ? loss : DjlLosses.toGcSafe(trainer.getLoss());
        StabilityRule read = null;
        IllegalArgumentException unreadable = null;
        try {
            read = StabilityRule.of(StabilityRule.optimizerOf(trainer), "");
        } catch (IllegalArgumentException e) {
            unreadable = e;
        }
        if (learningRate == null && unreadable != null) {
            throw unreadable;
        }
        rule = read != null ? read : StabilityRule.of(StabilityRule.Kind.GD, 0);
        if (rule.preconditioned() && preconditioner == null) {
            autoPreconditioner = AdamPreconditioner.of(rule.optimizer());
        }
        double eta = learningRate != null ? learningRate.getNewValue(1) : rule.eta();
        checkEta(eta, 1);
        LOGGER.debug("sharpness monitor: loss {}, threshold rule {}, eta {} at update 1", resolvedLoss.getName(),
                rule.describe(), eta);
    }

    /**
     * Counts the step, checks the predictions for NaN/inf, feeds the probe sampler and measures when the step
     * or clock schedule says so (before {@code trainer.step()} applies this batch's gradient).
     */
    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        long now = System.nanoTime();
        if (startNanos == 0) {
            startNanos = now;
            lastMeasureNanos = now;
        }
        budget.step(now, monitorNanos, worker != null && worker.busy());
        stepsSeen++;
        long applied = stepsSeen - 1;
        if (diverged) {
            return;
        }
        if (worker != null && worker.pending() && !worker.busy()) {
            long t0 = System.nanoTime();
            try {
                collect(trainer);
            } finally {
                monitorNanos += System.nanoTime() - t0;
            }
            if (diverged) {
                return;
            }
        }
        if (checkPredictions) {
            checkPredictions(batchData, applied);
        }
        if (!probeChecked) {
            checkProbe(batchData.getBatch());
        }
        if (sampler != null && !sampler.ready()) {
            Batch batch = batchData.getBatch();
            sampler.offer(batch.getData(), batch.getLabels());
        }
        SharpnessRecord.Trigger trigger = null;
        if (applied >= nextDue) {
            trigger = SharpnessRecord.Trigger.STEP;
        } else if (everySeconds > 0 && (now - lastMeasureNanos) * 1e-9 >= everySeconds) {
            trigger = SharpnessRecord.Trigger.TIME;
        }
        if (deferred != null && (worker == null || !worker.pending())) {
            // the record that waited for the worker is taken now, at the first step it is free
            if (trigger != null) {
                mergeWaiting(); // into this step's own record
            } else {
                deferred = null;
                trigger = SharpnessRecord.Trigger.DEFERRED;
            }
        }
        if (trigger == null || !probeReady()) {
            return;
        }
        if (applied >= nextDue) {
            nextDue = (applied / every + 1) * every;
        }
        lastMeasureNanos = now;
        if (applied == lastTriggeredStep) {
            return;
        }
        if (overBudget(now)) {
            skip();
            return;
        }
        record(trainer, applied, trigger);
    }

    /** Counts a record that waited for the worker as merged into another (or dropped), if one waits. */
    private void mergeWaiting() {
        if (deferred != null) {
            deferred = null;
            coalesced++;
        }
    }

    /** One line at the end of training: what was recorded, what was left out and what it cost. */
    private void summarise() {
        if (stepsSeen == 0) {
            return;
        }
        double cost = budget.costShare(System.nanoTime(), monitorNanos);
        String last = "";
        if (!records.isEmpty()) {
            SharpnessRecord r = records.get(records.size() - 1);
            last = String.format(java.util.Locale.ROOT, " (last at step %d: lambda_max %.4g against threshold %.4g by %s)",
                    r.step(), r.lambdaMax(), r.threshold(), r.thresholdRule());
        }
        LOGGER.info("sharpness monitor: recorded {} times in {} steps{}; {} skipped by the overhead budget, {} merged while"
                + " the worker was busy; estimated cost {}% of training time", records.size(), stepsSeen, last, skipped,
                coalesced, String.format(java.util.Locale.ROOT, "%.1f", 100 * cost));
    }

    private void skip() {
        skipped++;
        if (!budgetLogged) {
            budgetLogged = true;
            LOGGER.info("sharpness monitor: a record costs more than the overhead budget ({}% of training time) allows"
                    + " at every {} steps, so records are spaced out to stay within it (skipped ones are counted in"
                    + " skipped(); the cost counts the training thread's time in the monitor and the estimated"
                    + " slowdown of training while a background record runs, {} s so far); optMaxOverhead(0)"
                    + " measures on schedule, a smaller probe (optProbeSample) makes records cheaper{}",
                    100 * maxOverhead, every, (float) budget.slowdownSeconds(), inBackground() ? TrainingThreads.hint()
                            : "");
        }
    }

    /** Compares the probe's shape and data type with the first training batch, before anything is measured. */
    private void checkProbe(Batch batch) {
        probeChecked = true;
        if (fixedProbe == null || batch == null) {
            return;
        }
        NDList probeX = fixedProbe[0];
        NDList batchX = batch.getData();
        if (probeX.size() != batchX.size()) {
            throw new IllegalArgumentException("the monitor's probe has " + probeX.size() + " input arrays but the"
                    + " model is fed " + batchX.size() + " per batch: give optProbe inputs like the training batches");
        }
        for (int i = 0; i < probeX.size(); i++) {
            ai.djl.ndarray.types.Shape ps = probeX.get(i).getShape();
            ai.djl.ndarray.types.Shape bs = batchX.get(i).getShape();
            boolean shapeOk = ps.dimension() == bs.dimension() && ps.slice(1).equals(bs.slice(1));
            if (!shapeOk || probeX.get(i).getDataType() != batchX.get(i).getDataType()) {
                throw new IllegalArgumentException("the monitor's probe input " + i + " has shape " + ps + " and type "
                        + probeX.get(i).getDataType() + ", but the model's training batches have shape " + bs
                        + " and type " + batchX.get(i).getDataType() + ": give optProbe examples of shape (n"
                        + (bs.dimension() > 1 ? ", " + bs.slice(1).toString().replaceAll("[()]", "") : "") + ") and type "
                        + batchX.get(i).getDataType());
            }
        }
    }

    /** Measures after the epoch's last update (unless that step was just measured) and advances the epoch. */
    @Override
    public void onEpoch(Trainer trainer) {
        if (worker != null && worker.pending() && !worker.busy() && !diverged) {
            long t0 = System.nanoTime();
            try {
                collect(trainer);
            } finally {
                monitorNanos += System.nanoTime() - t0;
            }
        }
        if (sampler != null && !sampler.ready() && sampler.pooled() > 0) {
            long n = sampler.finishWithPooled();
            LOGGER.warn("sharpness monitor: the probe asks for {} examples but one epoch of training data holds only {};"
                    + " the probe uses those {} examples, none repeated (optProbeSample sets the size)",
                    probeSampleSize, n, n);
        }
        if (atEpochEnd && !diverged && probeReady() && stepsSeen != lastTriggeredStep && stepsSeen > 0) {
            if (overBudget(System.nanoTime())) {
                skip();
            } else {
                record(trainer, stepsSeen, SharpnessRecord.Trigger.EPOCH);
            }
        }
        epoch++;
    }

    /** Nothing to do: validation does not change the parameters. */
    @Override
    public void onValidationBatch(Trainer trainer, BatchData batchData) {
        // validation does not change the parameters
    }

    /**
     * Waits for a record still being measured in the background and delivers it, draws the chart (if a path was
     * given) and releases the listener's resources (see {@link #close()}).
     */
    @Override
    public void onTrainingEnd(Trainer trainer) {
        try {
            if (!diverged) {
                finish(trainer);
            }
            mergeWaiting(); // training ended before the worker was free: the record that waited is not taken
            summarise();
            if (chartPath != null && !records.isEmpty()) {
                saveChart(chartPath);
            }
        } finally {
            close();
        }
    }

    /**
     * Measures now, outside the schedule (e.g. in a hand-written loop after {@code trainer.step()}).
     *
     * @param trainer the trainer whose model is measured
     * @return the record, or null if the probe set is not complete yet or training diverged (with a hook)
     * @throws TrainingDivergedException on divergence when no hook is set
     */
    public SharpnessRecord measureNow(Trainer trainer) {
        if (!probeReady()) {
            return null;
        }
        finish(trainer); // the probe's warm start is shared: let a background record end first
        if (diverged) {
            return null;
        }
        return measure(trainer, stepsSeen, SharpnessRecord.Trigger.MANUAL);
    }

    /**
     * What a record needs from the training thread at its step: the learning rate of the next update and the
     * threshold, read from the optimizer when the snapshot is taken, not when the record is delivered.
     */
    private record Pending(long step, int epoch, SharpnessRecord.Trigger trigger, double eta, double preThreshold,
            double threshold, String rule) {}

    /** A measurement's result: a curvature snapshot, or the reason training diverged. */
    private record Outcome(CurvatureSnapshot snapshot, double seconds, String divergence, Throwable cause) {}

    /** A preconditioner's diagonal read in the training thread when the snapshot was taken. */
    private record FixedPreconditioner(NDArray diagonal, Preconditioner of) implements Preconditioner {
        @Override
        public NDArray inverseSqrtDiagonal(ParameterSpace space, NDManager target) {
            NDArray d = diagonal.duplicate();
            d.attach(target);
            return d;
        }

        @Override
        public double threshold(double eta) {
            return of.threshold(eta);
        }
    }

    private Preconditioner activePreconditioner() {
        return preconditioner != null ? preconditioner : autoPreconditioner;
    }

    private Pending pending(long step, SharpnessRecord.Trigger trigger) {
        double eta = eta(step + 1);
        Preconditioner pre = activePreconditioner();
        double preThreshold = pre == null ? Double.NaN : pre.threshold(eta);
        StabilityRule applied = rule != null ? rule : StabilityRule.of(StabilityRule.Kind.GD, 0);
        double threshold = applied.preconditioned() ? preThreshold : applied.threshold(eta);
        lastTriggeredStep = step;
        lastStartedStep = step;
        return new Pending(step, epoch, trigger, eta, preThreshold, threshold, applied.describe());
    }

    /**
     * The measurement itself, the same in the training thread and in the background: finite parameters, then
     * loss, gradient norm and curvature of the probe objective.
     */
    private Outcome compute(Objective obj, Preconditioner pre, long step) {
        long t0 = System.nanoTime();
        String bad = obj.space().firstNonFinite();
        if (bad != null) {
            return new Outcome(null, 0, "parameter '" + bad + "' holds NaN or infinity at step " + step
                    + ": training diverged; lower the learning rate (2/lambda_max bounds a stable GD step)", null);
        }
        try {
            CurvatureSnapshot c = probe.measure(obj, pre);
            return new Outcome(c, (System.nanoTime() - t0) * 1e-9, null, null);
        } catch (NonFiniteLossException e) {
            return new Outcome(null, 0, "the probe loss is not finite at step " + step + " (" + e.getMessage()
                    + "): training diverged; lower the learning rate", e);
        }
    }

    /** Hands a finished measurement to the records, sinks, metrics and detector (always in the training thread). */
    private SharpnessRecord deliver(Trainer trainer, Pending p, Outcome o) {
        if (o.divergence() != null) {
            diverge(detector.divergence(p.step(), o.divergence()), o.cause());
            return null;
        }
        SharpnessRecord r = new SharpnessRecord(p.step(), p.epoch(), p.trigger(), p.eta(), o.snapshot(),
                p.preThreshold(), o.seconds(), p.threshold(), p.rule());
        records.add(r);
        LOGGER.debug("step {}: lambda_max {} (threshold {} by {}, ratio {}), loss {}, {} HVPs, {} s", p.step(),
                r.lambdaMax(), r.threshold(), r.thresholdRule(), r.ratio(), r.loss(), o.snapshot().products(),
                o.seconds());
        for (RecordSink s : sinks) {
            s.accept(r);
        }
        if (useMetrics && trainer != null) {
            metrics(trainer, r);
        }
        for (EosEvent e : detector.accept(r)) {
            if (e.type() == EosEvent.Type.DIVERGENCE) {
                diverge(e, null);
            }
        }
        return r;
    }

    /** Measures in the training thread, now. */
    private SharpnessRecord measure(Trainer trainer, long step, SharpnessRecord.Trigger trigger) {
        long t0 = System.nanoTime();
        try {
            Objective obj = objective(trainer);
            Pending p = pending(step, trigger);
            return deliver(trainer, p, compute(obj, activePreconditioner(), step));
        } finally {
            monitorNanos += System.nanoTime() - t0;
        }
    }

    private boolean inBackground() {
        return background && probeDataset == null;
    }

    /**
     * Starts a record of this step: in the background on a snapshot of the parameters (skipped and counted if
     * the previous one is still running), or in the training thread.
     */
    private void record(Trainer trainer, long step, SharpnessRecord.Trigger trigger) {
        if (!inBackground()) {
            measure(trainer, step, trigger);
            return;
        }
        long t0 = System.nanoTime();
        try {
            collect(trainer);
            if (diverged) {
                return;
            }
            if (worker != null && worker.pending()) {
                lastTriggeredStep = step;
                if (deferred != null) {
                    coalesced++; // one record already waits for the worker: this one merges into it
                } else {
                    deferred = trigger;
                }
                if (!coalesceLogged) {
                    coalesceLogged = true;
                    LOGGER.info("sharpness monitor: the record due at step {} waits for the previous one, still being"
                            + " measured in the background, and is taken at the first step the worker is free; records"
                            + " due meanwhile merge into it (counted in coalesced()). A larger optEvery or a smaller"
                            + " probe keeps every record on schedule{}", step, TrainingThreads.hint());
                }
                return;
            }
            mergeWaiting(); // into the record started now
            start(trainer, step, trigger);
        } finally {
            monitorNanos += System.nanoTime() - t0;
        }
    }

    /** Copies the parameters (training thread) and hands the snapshot to the worker, which owns it from then on. */
    private void start(Trainer trainer, long step, SharpnessRecord.Trigger trigger) {
        ParameterSpace live = liveSpace(trainer);
        Loss l = resolvedLoss(trainer);
        NDList[] data = probeArrays();
        Pending p = pending(step, trigger);
        NDManager job = NDManager.newBaseManager(live.device(), "PyTorch");
        try {
            ParameterSpace snapshot = live.snapshot(job);
            Preconditioner pre = activePreconditioner();
            Preconditioner fixed = pre == null ? null
                    : new FixedPreconditioner(pre.inverseSqrtDiagonal(live, job), pre);
            if (worker == null) {
                worker = new MeasurementWorker<>(lowPriority, workerThreads);
            }
            boolean training = trainingMode;
            worker.submit(() -> {
                try (NDManager owned = job;
                        Objective obj = Objective.builder().setBlock(snapshot.block()).setLoss(l)
                                .optParameters(snapshot).optTraining(training).addBatch(data[0], data[1]).build()) {
                    return compute(obj, fixed, step);
                }
            });
            inFlight = p;
            budget.workerStarted();
        } catch (RuntimeException e) {
            job.close();
            throw e;
        }
    }

    /** Delivers a finished background record, if any (training thread). */
    private void collect(Trainer trainer) {
        if (worker == null || !worker.pending() || worker.busy()) {
            return;
        }
        Pending p = inFlight;
        inFlight = null;
        Outcome o = worker.poll();
        if (o != null) {
            deliver(trainer, p, o);
        }
    }

    /** Waits for a background record still running and delivers it (training thread). */
    private void finish(Trainer trainer) {
        if (worker == null || !worker.pending()) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            Pending p = inFlight;
            inFlight = null;
            Outcome o = worker.await();
            if (o != null) {
                deliver(trainer, p, o);
            }
        } finally {
            monitorNanos += System.nanoTime() - t0;
        }
    }

    private ParameterSpace liveSpace(Trainer trainer) {
        if (liveSpace == null) {
            liveSpace = ParameterSpace.of(trainer.getModel().getBlock(), parameterFilter);
        }
        return liveSpace;
    }

    private Loss resolvedLoss(Trainer trainer) {
        if (resolvedLoss == null) {
            resolvedLoss = loss != null ? loss : DjlLosses.toGcSafe(trainer.getLoss());
        }
        return resolvedLoss;
    }

    /** The probe's arrays, kept by the listener for the worker's objectives (copied by each). */
    private NDList[] probeArrays() {
        if (probeArrays == null) {
            probeArrays = fixedProbe != null ? fixedProbe : sampler.probe();
        }
        return probeArrays;
    }

    private void metrics(Trainer trainer, SharpnessRecord r) {
        if (trainer.getMetrics() != null) {
            new MetricsRecorder(trainer.getMetrics()).accept(r);
        } else if (!metricsChecked) {
            LOGGER.info("the trainer has no Metrics, so the sharpness records go only to the CSV/chart/records();"
                    + " call trainer.setMetrics(new Metrics()) to see them in DJL's metrics");
        }
        metricsChecked = true;
    }

    private void diverge(EosEvent event, Throwable cause) {
        diverged = true;
        if (chartPath != null && !records.isEmpty()) {
            try {
                saveChart(chartPath);
            } catch (RuntimeException e) {
                LOGGER.warn("could not draw the chart after divergence: {}", e.getMessage());
            }
        }
        if (onDivergence != null) {
            onDivergence.accept(event);
        } else {
            throw new TrainingDivergedException(event, cause);
        }
    }

    private void checkPredictions(BatchData batchData, long step) {
        try (GradMode off = GradMode.disabled()) {
            for (NDList preds : batchData.getPredictions().values()) {
                for (NDArray p : preds) {
                    if (!p.getDataType().isFloating()) {
                        continue;
                    }
                    double sum;
                    try (NDArray s = p.sum()) {
                        sum = Vectors.scalar(s);
                    }
                    if (!Double.isFinite(sum)) {
                        diverge(detector.divergence(step, "the model's predictions hold NaN or infinity at step "
                                + step + ": training diverged; lower the learning rate (2/lambda_max bounds a stable"
                                + " GD step) or clip gradients"), null);
                        return;
                    }
                }
            }
        }
    }

    private boolean probeReady() {
        return sampler == null || sampler.ready();
    }

    private boolean overBudget(long now) {
        return budget.over(now, monitorNanos);
    }

    private double eta(long update) {
        double eta;
        long t = update;
        if (learningRate != null) {
            eta = learningRate.getNewValue(Math.toIntExact(update));
        } else if (rule != null && rule.readsOptimizer()) {
            t = rule.nextUpdate();
            eta = rule.eta();
        } else {
            throw new IllegalStateException("the monitor has no learning rate: it reads the optimizer's when training"
                    + " begins (onTrainingBegin); outside a trainer pass optLearningRate(eta)");
        }
        checkEta(eta, t);
        return eta;
    }

    private static void checkEta(double eta, long update) {
        if (!(eta > 0) || Double.isInfinite(eta)) {
            throw new IllegalArgumentException("the learning rate is " + (float) eta + " at update " + update
                    + ": the stability threshold (2/eta for SGD) needs a positive finite learning rate; check the"
                    + " optimizer's learning-rate tracker, or pass optLearningRate(eta) / optLearningRateTracker");
        }
    }

    private Objective objective(Trainer trainer) {
        if (objective != null) {
            return objective;
        }
        Block block = trainer.getModel().getBlock();
        Loss l = resolvedLoss(trainer);
        ParameterSpace space = liveSpace(trainer);
        if (manager == null) {
            manager = NDManager.newBaseManager(space.device(), "PyTorch");
        }
        Objective.Builder ob = Objective.builder().setBlock(block).setLoss(l).optParameters(space)
                .optTraining(trainingMode);
        NDList[] data = fixedProbe != null ? fixedProbe : sampler != null ? sampler.probe() : null;
        if (data != null) {
            ob.addBatch(data[0], data[1]);
        } else {
            ob.optDataset(probeDataset, manager);
        }
        try {
            objective = ob.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the monitor's probe set is unusable: " + e.getMessage(), e);
        }
        if (data != null && !inBackground()) {
            data[0].close();
            data[1].close();
        }
        return objective;
    }

    /**
     * Draws the records so far as a PNG (λ_max and 2/η against the step, the loss below), atomically.
     *
     * @param file the PNG file
     * @throws IllegalStateException if there is no record yet
     */
    public void saveChart(Path file) {
        SharpnessChart.requireXChart();
        SharpnessChart.write(records(), file, chartTitle);
    }

    /** @return every record so far, in order */
    public List<SharpnessRecord> records() {
        return Collections.unmodifiableList(new ArrayList<>(records));
    }

    /** @return the detector's events so far */
    public List<EosEvent> events() {
        return detector.events();
    }

    /** @return the edge-of-stability detector fed by this listener */
    public EdgeOfStabilityDetector detector() {
        return detector;
    }

    /** @return how many scheduled measurements were skipped to keep within the overhead budget */
    public long skipped() {
        return skipped;
    }

    /**
     * @return the estimated slowdown of training by background records so far, in seconds (what the overhead
     *     budget counts besides {@link #monitorSeconds()}): the excess duration of the steps taken while the
     *     worker ran over the median of recent steps taken while it was idle
     */
    public double backgroundSlowdownSeconds() {
        return budget.slowdownSeconds();
    }

    /**
     * @return the wall time the training thread spent in the monitor so far, in seconds: the whole measurement
     *     in the foreground; the parameter copy, the hand-over and the delivery of records in the background
     */
    public double monitorSeconds() {
        return monitorNanos * 1e-9;
    }

    /**
     * @return how many due records were merged into another because the previous background record was still
     *     being measured: a due record waits for the worker and is taken late ({@link
     *     SharpnessRecord.Trigger#DEFERRED}); others falling due while it waits, or a waiting one at the end of
     *     training, are counted here. Every due record is either delivered or counted here (or in {@link
     *     #skipped()})
     */
    public long coalesced() {
        return coalesced;
    }

    /**
     * @return the step of the latest record started (its parameters' update count; in the background it may
     *     still be being measured), or −1 before the first
     */
    public long lastRecordStep() {
        return lastStartedStep;
    }

    /** @return whether a background record is being measured now (for tests) */
    boolean measuring() {
        MeasurementWorker<Outcome> w = worker;
        return w != null && w.busy();
    }

    /** @return the number of training batches seen */
    public long stepsSeen() {
        return stepsSeen;
    }

    /**
     * Waits for a background measurement still running (native code is not interrupted; the measurement then
     * frees its own snapshot), stops the worker thread, closes the CSV file and frees the probe set and the
     * listener's native memory; records stay readable. A record still being measured is not delivered.
     */
    @Override
    public void close() {
        if (worker != null) {
            worker.close();
            worker = null;
            inFlight = null;
        }
        for (RecordSink s : sinks) {
            s.close();
        }
        if (objective != null) {
            objective.close();
            objective = null;
        }
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }

    private static NDList copy(NDList arrays, NDManager m) {
        return dev.minima.autograd.NativeArrays.copyInto(arrays, m);
    }

    /** Builder of {@link SharpnessListener}. */
    public static final class Builder {
        private int every = 100;
        private double everySeconds;
        private boolean atEpochEnd = true;
        private Tracker learningRate;
        private Loss loss;
        private SharpnessProbe probe;
        private long seed;
        private Preconditioner preconditioner;
        private Path csvPath;
        private Path chartPath;
        private String chartTitle = "sharpness";
        private boolean useMetrics = true;
        private EdgeOfStabilityDetector detector;
        private Consumer<EosEvent> onDivergence;
        private double maxOverhead = DEFAULT_MAX_OVERHEAD;
        private boolean checkPredictions = true;
        private boolean trainingMode;
        private Predicate<String> parameterFilter = name -> true;
        private boolean background = true;
        private boolean lowPriority = true;
        private int workerThreads = DEFAULT_WORKER_THREADS;
        private NDList probeData;
        private NDList probeLabels;
        private Dataset probeDataset;
        private int sampleSize = DEFAULT_PROBE_SIZE;
        private Long sampleSeed;
        private final List<RecordSink> sinks = new ArrayList<>();

        private Builder() {}

        /**
         * @param k measure every k optimizer updates (default 100; must be positive)
         * @return this builder
         */
        public Builder optEvery(int k) {
            if (k <= 0) {
                throw new IllegalArgumentException("the monitor interval k must be a positive number of steps, got "
                        + k + ": use e.g. optEvery(100), and optEverySeconds for a time-based schedule");
            }
            this.every = k;
            return this;
        }

        /**
         * @param seconds also measure when this much wall time has passed since the last measurement (default
         *     0: off)
         * @return this builder
         */
        public Builder optEverySeconds(double seconds) {
            if (!(seconds >= 0) || Double.isInfinite(seconds)) {
                throw new IllegalArgumentException("the time interval must be finite and >= 0 seconds, got " + seconds);
            }
            this.everySeconds = seconds;
            return this;
        }

        /**
         * @param atEpochEnd also measure at the end of every epoch (default true)
         * @return this builder
         */
        public Builder optAtEpochEnd(boolean atEpochEnd) {
            this.atEpochEnd = atEpochEnd;
            return this;
        }

        /**
         * @param eta overrides the optimizer's learning rate with this constant (positive); by default the
         *     listener reads the optimizer's own tracker at every record
         * @return this builder
         */
        public Builder optLearningRate(double eta) {
            if (!(eta > 0) || Double.isInfinite(eta)) {
                throw new IllegalArgumentException("the learning rate must be positive and finite, got " + eta);
            }
            this.learningRate = Tracker.fixed((float) eta);
            return this;
        }

        /**
         * @param tracker overrides the optimizer's learning-rate tracker (queried at each measured step with the
         *     1-based update count)
         * @return this builder
         */
        public Builder optLearningRateTracker(Tracker tracker) {
            this.learningRate = Objects.requireNonNull(tracker, "tracker");
            return this;
        }

        /**
         * @param loss the loss whose Hessian is measured; default the trainer's loss, mapped to its GC-safe
         *     equivalent by {@link DjlLosses#toGcSafe}
         * @return this builder
         */
        public Builder optLoss(Loss loss) {
            this.loss = loss;
            return this;
        }

        /**
         * @param data the probe inputs (batch first; copied now)
         * @param labels the probe labels
         * @return this builder
         */
        public Builder optProbe(NDList data, NDList labels) {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(labels, "labels");
            if (data.isEmpty() || data.get(0).getShape().dimension() == 0 || data.get(0).getShape().get(0) == 0) {
                throw new IllegalArgumentException("the probe set is empty (" + (data.isEmpty() ? "no arrays"
                        : "shape " + data.get(0).getShape()) + "): give at least one example, batch first");
            }
            if (labels.isEmpty() || labels.get(0).getShape().dimension() == 0
                    || labels.get(0).getShape().get(0) != data.get(0).getShape().get(0)) {
                throw new IllegalArgumentException("the probe labels (" + (labels.isEmpty() ? "none"
                        : labels.get(0).getShape()) + ") do not match the probe inputs " + data.get(0).getShape()
                        + ": give one label row per example");
            }
            this.probeData = data;
            this.probeLabels = labels;
            this.probeDataset = null;
            return this;
        }

        /**
         * @param data the probe inputs
         * @param labels the probe labels
         * @return this builder
         */
        public Builder optProbe(NDArray data, NDArray labels) {
            return optProbe(new NDList(data), new NDList(labels));
        }

        /**
         * @param batch a probe batch (copied now; the caller still closes it)
         * @return this builder
         */
        public Builder optProbe(Batch batch) {
            return optProbe(batch.getData(), batch.getLabels());
        }

        /**
         * @param dataset a probe dataset, read once at the first measurement
         * @return this builder
         */
        public Builder optProbe(Dataset dataset) {
            Objects.requireNonNull(dataset, "dataset");
            if (dataset instanceof RandomAccessDataset r && r.size() == 0) {
                throw new IllegalArgumentException("the probe dataset is empty: give at least one example");
            }
            this.probeDataset = dataset;
            this.probeData = null;
            this.probeLabels = null;
            return this;
        }

        /**
         * Without an explicit probe, the listener takes the first {@code size} training examples it sees (default
         * {@link #DEFAULT_PROBE_SIZE}). If one epoch holds fewer examples, the probe takes all of them (none
         * repeated) and says so in the log.
         *
         * @param size the probe size
         * @return this builder
         */
        public Builder optProbeSize(int size) {
            if (size <= 0) {
                throw new IllegalArgumentException("the probe size must be positive, got " + size);
            }
            this.sampleSize = size;
            this.sampleSeed = null;
            return this;
        }

        /**
         * Like {@link #optProbeSize(int)}, but the {@code size} examples are chosen at random (seeded) among the
         * examples of the first training batches that hold at least {@code size}.
         *
         * @param size the probe size
         * @param seed the seed of the choice
         * @return this builder
         */
        public Builder optProbeSample(int size, long seed) {
            if (size <= 0) {
                throw new IllegalArgumentException("the probe sample size must be positive, got " + size);
            }
            this.sampleSize = size;
            this.sampleSeed = seed;
            return this;
        }

        /**
         * @param probe the curvature probe (top-k, λ_min, trace, Lanczos tolerance, warm starts); default
         *     λ_max only, tolerance {@link #DEFAULT_TOLERANCE}, seed from {@link #optSeed(long)}
         * @return this builder
         */
        public Builder optSharpnessProbe(SharpnessProbe probe) {
            this.probe = probe;
            return this;
        }

        /**
         * @param seed seed of the default probe's random Lanczos start (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param preconditioner an adaptive optimiser's preconditioner, e.g. {@link AdamPreconditioner#of}
         * @return this builder
         */
        public Builder optPreconditioner(Preconditioner preconditioner) {
            this.preconditioner = preconditioner;
            return this;
        }

        /**
         * @param file a CSV file, created with its header at build time and appended to after every record
         * @return this builder
         */
        public Builder optCsv(Path file) {
            this.csvPath = file;
            return this;
        }

        /**
         * @param file a PNG chart, drawn at the end of training (and on divergence); needs XChart
         *     ({@code org.knowm.xchart:xchart}), an optional dependency of Minima, on the class path
         * @return this builder
         * @throws IllegalStateException if XChart is not on the class path
         */
        public Builder optChart(Path file) {
            if (file != null) {
                SharpnessChart.requireXChart();
            }
            this.chartPath = file;
            return this;
        }

        /**
         * @param title the chart's title
         * @return this builder
         */
        public Builder optChartTitle(String title) {
            this.chartTitle = title;
            return this;
        }

        /**
         * @param useMetrics add each record to the trainer's DJL metrics when it has some (default true)
         * @return this builder
         */
        public Builder optMetrics(boolean useMetrics) {
            this.useMetrics = useMetrics;
            return this;
        }

        /**
         * @param sink another receiver of every record
         * @return this builder
         */
        public Builder addSink(RecordSink sink) {
            sinks.add(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /**
         * @param detector the edge-of-stability detector (default: {@code EdgeOfStabilityDetector.builder().build()})
         * @return this builder
         */
        public Builder optDetector(EdgeOfStabilityDetector detector) {
            this.detector = detector;
            return this;
        }

        /**
         * @param hook called on divergence instead of throwing {@link TrainingDivergedException}; the listener
         *     then stops measuring
         * @return this builder
         */
        public Builder optOnDivergence(Consumer<EosEvent> hook) {
            this.onDivergence = hook;
            return this;
        }

        /**
         * @param fraction skip scheduled measurements while the monitor's cost exceeds this fraction of the
         *     training time (default {@link #DEFAULT_MAX_OVERHEAD}); 0 measures on schedule whatever it costs. The
         *     cost is the training thread's time in the monitor plus, for background records, the slowdown of the
         *     training steps taken while the worker runs, estimated against the median of recent steps taken
         *     while it was idle
         * @return this builder
         */
        public Builder optMaxOverhead(double fraction) {
            if (!(fraction >= 0) || Double.isInfinite(fraction)) {
                throw new IllegalArgumentException("the overhead budget must be a finite fraction >= 0, got " + fraction);
            }
            this.maxOverhead = fraction;
            return this;
        }

        /**
         * @param check sum the predictions every step to catch NaN/inf early (default true)
         * @return this builder
         */
        public Builder optCheckPredictions(boolean check) {
            this.checkPredictions = check;
            return this;
        }

        /**
         * @param training evaluate the probe loss in training mode (dropout, batch statistics); default false
         * @return this builder
         */
        public Builder optTrainingMode(boolean training) {
            this.trainingMode = training;
            return this;
        }

        /**
         * @param include which parameters (by name) the Hessian is taken over (default all trainable)
         * @return this builder
         */
        public Builder optParameters(Predicate<String> include) {
            this.parameterFilter = Objects.requireNonNull(include, "include");
            return this;
        }

        /**
         * Measures in the background (the default): at a record step the training thread copies the parameters
         * (on their device) and a worker thread ({@value MeasurementWorker#THREAD_NAME}) measures the copy while
         * training goes on; the record, stamped with the copy's step, is delivered in the training thread at a
         * later step (sinks, CSV, metrics, detector and divergence all run there), and {@code onTrainingEnd} waits
         * for the last one. A record due while the previous one is still running is taken at the first step the
         * worker is free ({@link SharpnessRecord.Trigger#DEFERRED}); others due meanwhile merge into it ({@link
         * #coalesced()}). {@code false} measures in the training thread at the record step. A probe given as a
         * {@link Dataset} is always measured in the training thread.
         *
         * @param background measure on a parameter snapshot in a worker thread (default true)
         * @return this builder
         */
        public Builder optBackground(boolean background) {
            this.background = background;
            return this;
        }

        /**
         * @param lowPriority run the background worker at the lowest scheduling priority (Linux {@code nice} 19,
         *     inherited by the libtorch threads it starts), so that it uses the cycles training leaves idle
         *     (default true; ignored where {@code /proc/thread-self} or {@code renice} is missing)
         * @return this builder
         */
        public Builder optLowPriority(boolean lowPriority) {
            this.lowPriority = lowPriority;
            return this;
        }

        /**
         * @param threads libtorch intra-op threads of the background worker (default {@link
         *     #DEFAULT_WORKER_THREADS}); 0 keeps libtorch's default for a new thread
         * @return this builder
         */
        public Builder optWorkerThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("the worker's thread count must be >= 0 (0: libtorch's default), got "
                        + threads);
            }
            this.workerThreads = threads;
            return this;
        }

        /**
         * Builds the listener. Without {@code optLearningRate}/{@code optLearningRateTracker} the learning rate is
         * read from the trainer's optimizer when training begins.
         *
         * @return the listener
         * @throws IllegalArgumentException if a tracker was given whose first value is not positive and finite
         */
        public SharpnessListener build() {
            if (learningRate != null) {
                checkEta(learningRate.getNewValue(1), 1);
            }
            return new SharpnessListener(this);
        }
    }
}
