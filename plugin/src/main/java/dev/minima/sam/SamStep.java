package dev.minima.sam;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.tracker.Tracker;
import dev.minima.autograd.AutogradBridge;
import dev.minima.autograd.GradMode;
import dev.minima.curvature.Objective;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sharpness-aware steps ({@link SharpnessAware}) on a DJL {@link Trainer} with any DJL optimizer.
 *
 * <p>One step on a batch, for each micro-batch B_k (the whole batch unless m-SAM):
 * <ol>
 *   <li>g = ∇L_{B_k}(w): forward and a plain backward inside the trainer's {@code GradientCollector} into
 *       {@code .grad} (whole batch), or Minima's autograd bridge (micro-batches, where {@code .grad} is busy
 *       accumulating);
 *   <li>check g is finite (else {@link NonFiniteGradientException}, parameters untouched), then turn g into ε
 *       in place, on the device ({@link Perturbation});
 *   <li>copy the perturbed parameters, add ε in place, forward and backward at w + ε into {@code .grad}
 *       (weighted by |B_k|/|B| when there are several micro-batches);
 *   <li>overwrite the parameters with the copy: w is restored bit for bit, never by subtracting ε.
 * </ol>
 * Then {@code .grad} holds the perturbed gradient (checked finite) and {@link #step} calls {@code
 * trainer.step()}, so the base optimizer (SGD with momentum or weight decay, Adam, …) applies it, and applies
 * the norm caps.
 *
 * <pre>{@code
 * SamStep sam = SamStep.of(SharpnessAware.builder().optRho(0.05).build());
 * for (Batch batch : trainer.iterateDataset(train)) {
 *     sam.step(trainer, batch);   // instead of EasyTrain.trainBatch + trainer.step()
 *     batch.close();
 * }
 * }</pre>
 *
 * <p>Call it outside any open {@code GradientCollector} (PyTorch allows one at a time). Not thread-safe: one
 * {@code SamStep} per training loop. Every array of a step lives in a sub-manager of the trainer's manager
 * that is closed before the step returns. Needs DJL's PyTorch engine and a single-device trainer. The
 * trainer's loss should be one of Minima's GC-safe {@code Losses} (a warning is logged otherwise).
 */
public final class SamStep {

    private static final Logger LOGGER = LoggerFactory.getLogger(SamStep.class);

    private final SharpnessAware settings;
    private long steps;
    private long epochs;
    private volatile SamSchedule.Phase phase;
    private TrainerBinding binding;
    private boolean loggedZeroDirection;
    private boolean loggedExplosion;
    private double firstLoss = Double.NaN;
    private Tracker tracker;
    private long fusedRuns;

    /**
     * A perturbed loss above this multiple of both the current loss and the first step's loss means that ρ
     * reaches far beyond the neighbourhood where SAM's first-order ascent step describes the loss (Foret et al.
     * (2021), eq. (2)): with a well-chosen ρ the loss at w + ε exceeds the loss at w by about ρ‖∇L‖, a fraction of
     * the loss itself.
     */
    static final double EXPLOSION_FACTOR = 100;

    private SamStep(SharpnessAware settings) {
        this.settings = settings;
        this.phase = settings.schedule().phaseAt(0, 0);
    }

    /**
     * @param settings what to run
     * @return a step runner with its schedule clock at step 0, epoch 0
     */
    public static SamStep of(SharpnessAware settings) {
        if (settings == null) {
            throw new IllegalArgumentException("settings are required: SharpnessAware.builder()...build()");
        }
        return new SamStep(settings);
    }

    /** @return the settings */
    public SharpnessAware settings() {
        return settings;
    }

    /** @return the number of steps whose gradients were computed */
    public long steps() {
        return steps;
    }

    /** @return the number of epochs ended with {@link #endEpoch()} */
    public long epochs() {
        return epochs;
    }

    /** @return the schedule phase of the latest step (or of the next one, before any step) */
    public SamSchedule.Phase phase() {
        return phase;
    }

    /** Marks the end of an epoch, for schedules counted in epochs ({@link SharpnessAwareTraining} calls it). */
    public void endEpoch() {
        epochs++;
        phase = settings.schedule().phaseAt(steps, epochs);
    }

    /**
     * A DJL learning-rate tracker that follows the schedule's phases: build the optimizer with it, e.g. {@code
     * Optimizer.sgd().setLearningRateTracker(sam.learningRateTracker())}. It returns the learning rate of the
     * phase whose ρ the latest step used, so lr and ρ always change together.
     *
     * @return the tracker
     * @throws IllegalStateException if the schedule sets no learning rates ({@code optRho} only)
     */
    public Tracker learningRateTracker() {
        if (!settings.schedule().hasLearningRates()) {
            throw new IllegalStateException("the SAM schedule sets no learning rates: build it with "
                    + "SamSchedule.builder().addPhase(lr, rho, length) or keep the optimizer's own tracker");
        }
        if (tracker == null) {
            tracker = numUpdate -> phase.learningRate();
        }
        return tracker;
    }

    /**
     * A full sharpness-aware step: {@link #computeGradients}, {@code trainer.step()}, then the norm caps.
     *
     * @param trainer a single-device trainer (PyTorch engine)
     * @param batch the batch (not closed here)
     * @return what the step saw
     * @throws NonFiniteGradientException if a gradient is NaN or infinite (parameters untouched)
     * @throws IllegalArgumentException if the batch cannot be cut into micro-batches under {@link
     *     SharpnessAware.Remainder#ERROR}, or the trainer is not supported
     */
    public SamStepResult step(Trainer trainer, Batch batch) {
        SamStepResult result = computeGradients(trainer, batch);
        trainer.step();
        applyNormCaps(trainer);
        return result;
    }

    /**
     * Runs one full sharpness-aware step ({@link #step}) per batch of {@code batchSize} consecutive entries of
     * {@code order}, each batch made of those rows of {@code features} and {@code labels}: for example an epoch of
     * 1-SAM is {@code steps(trainer, x, y, permutation, 1)}. When the fused path applies ({@link
     * #fastPathApplies}), the batches are perturbed as a whole (no micro-batches, or batches of one), the settings
     * have no norm caps, and the trainer's optimizer is DJL's plain SGD ({@code Optimizer.sgd()} without momentum or
     * clipping) driven by {@link #learningRateTracker()}, all the steps run inside one native call, with the same
     * trajectory as calling {@link #step} once per batch; otherwise they are taken one by one. The schedule advances
     * by one step per batch, as with {@link #step}; call {@link #endEpoch()} as usual. DJL's per-parameter update
     * counters are not advanced by the fused run (the schedule's learning rate does not use them).
     *
     * @param trainer a single-device trainer (PyTorch engine)
     * @param features all examples' inputs (examples on axis 0), on the trainer's device
     * @param labels all examples' labels, indexed like {@code features}
     * @param order example indices, {@code batchSize} per step
     * @param batchSize the examples per step (≥ 1, dividing {@code order.length})
     * @return what the steps saw
     * @throws NonFiniteGradientException at the first step whose gradient is not finite (the parameters hold the
     *     values before that step)
     */
    public SamStepsResult steps(Trainer trainer, NDArray features, NDArray labels, int[] order, int batchSize) {
        if (batchSize < 1 || order.length % batchSize != 0) {
            throw new IllegalArgumentException("the batch size must be ≥ 1 and divide the number of indices, got "
                    + batchSize + " and " + order.length);
        }
        long n = features.getShape().dimension() == 0 ? 0 : features.getShape().get(0);
        if (labels.getShape().dimension() == 0 || labels.getShape().get(0) != n) {
            throw new IllegalArgumentException("features and labels must have the examples on axis 0, got shapes "
                    + features.getShape() + " and " + labels.getShape());
        }
        for (int i : order) {
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException("example index " + i + " is outside 0 … " + (n - 1));
            }
        }
        int count = order.length / batchSize;
        double[] losses = new double[count];
        TrainerBinding b = bind(trainer);
        FusedMlpSam fused = b.fused(settings);
        PlainSgd sgd = fusedSgd(trainer, batchSize);
        if (sgd != null && !fused.accepts(new NDList(features), new NDList(labels), b.dataType)) {
            sgd = null;
        }
        int done = 0;
        if (sgd != null && count > 0) {
            done = fusedSteps(fused, b, sgd, features, labels, order, batchSize, losses);
        }
        for (int k = done; k < count; k++) {
            try (NDManager scope = trainer.getManager().newSubManager()) {
                long[] rows = new long[batchSize];
                for (int j = 0; j < batchSize; j++) {
                    rows[j] = order[k * batchSize + j];
                }
                NDArray idx = scope.create(rows);
                NDArray xb = features.get(idx);
                NDArray yb = labels.get(idx);
                xb.attach(scope);
                yb.attach(scope);
                try (Batch batch = new Batch(scope.newSubManager(), new NDList(xb), new NDList(yb), batchSize,
                        ai.djl.translate.Batchifier.STACK, ai.djl.translate.Batchifier.STACK, 0, 0)) {
                    losses[k] = step(trainer, batch).loss();
                }
            }
        }
        return new SamStepsResult(count, done, losses);
    }

    /**
     * @param trainer the trainer
     * @param batchSize the batch size of the steps
     * @return the plain SGD settings if {@link #steps} can run steps of this batch size inside one call (given
     *     data it accepts), else null
     */
    PlainSgd fusedSgd(Trainer trainer, int batchSize) {
        TrainerBinding b = bind(trainer);
        FusedMlpSam fused = b.fused(settings);
        int m = settings.microBatch();
        if (fused == null || !b.caps.isEmpty() || !(m == 0 || m >= batchSize || batchSize == 1)
                || !settings.schedule().hasLearningRates()) {
            return null;
        }
        return PlainSgd.of(trainer, learningRateTracker());
    }

    /** The steps inside one native call: returns how many were completed (all, unless one was not finite). */
    private int fusedSteps(FusedMlpSam fused, TrainerBinding b, PlainSgd sgd, NDArray features, NDArray labels,
            int[] order, int batchSize, double[] losses) {
        int count = losses.length;
        boolean usam = settings.variant() == SharpnessAware.Variant.USAM;
        double[] hyper = new double[2 * count];
        long[] rows = new long[order.length];
        SamSchedule.Phase[] phases = new SamSchedule.Phase[count];
        for (int k = 0; k < count; k++) {
            phases[k] = settings.schedule().phaseAt(steps + k, epochs);
            hyper[2 * k] = phases[k].learningRate(); // DJL hands the float learning rate to sgdUpdate
            hyper[2 * k + 1] = phases[k].rho();
        }
        for (int i = 0; i < order.length; i++) {
            rows[i] = order[i];
        }
        try (NDManager scope = b.trainer.getManager().newSubManager()) {
            b.defineGradients(fused.inputs(), scope);
            NDArray idx = scope.create(rows, new ai.djl.ndarray.types.Shape(count, batchSize));
            NDArray hp = scope.create(hyper, new ai.djl.ndarray.types.Shape(count, 2));
            FusedMlpSam.StepsResult r = fused.runSteps(b, features, labels, idx, hp, sgd.weightDecay(), usam, scope);
            for (int k = 0; k < r.done(); k++) {
                double[] st = r.stats()[k];
                losses[k] = st[0];
                phase = phases[k];
                warnIfExploding(st[0], st[1], phases[k].rho(), phases[k].rho() > 0 ? 1 : 0);
                steps++;
            }
            b.zeroGradients();
            fusedRuns += r.done();
            return r.done();
        }
    }

    /**
     * Leaves the sharpness-aware gradient in the parameters' {@code .grad} without stepping the optimizer
     * (like {@code EasyTrain.trainBatch}); call {@code trainer.step()} and then {@link #applyNormCaps}.
     *
     * @param trainer a single-device trainer (PyTorch engine)
     * @param batch the batch (not closed here)
     * @return what the step saw
     */
    public SamStepResult computeGradients(Trainer trainer, Batch batch) {
        return computeGradients(trainer, batch, null);
    }

    /**
     * Whether steps on this trainer run on the fused path ({@link SharpnessAware.Builder#optFastPath}): a
     * {@code SequentialBlock} of {@code Linear} layers, each followed by at most one ReLU, tanh or sigmoid,
     * trained with Minima's squared-error or softmax cross-entropy loss, SAM or USAM perturbing every parameter,
     * whole-batch or m = 1 perturbations (micro-batches of other sizes take the general path), float32 or
     * float64. Batches with one two-dimensional input array then
     * take one native call per step; anything else falls back to the general path, which gives the same
     * trajectory.
     *
     * @param trainer the trainer
     * @return true if its steps can be fused
     */
    public boolean fastPathApplies(Trainer trainer) {
        return bind(trainer).fused(settings) != null;
    }

    /**
     * Applies the norm caps of the settings to the trainer's parameters (no-op without caps).
     *
     * @param trainer the trainer
     */
    public void applyNormCaps(Trainer trainer) {
        TrainerBinding b = bind(trainer);
        if (b.caps.isEmpty()) {
            return;
        }
        try (NDManager scope = trainer.getManager().newSubManager();
                GradMode off = GradMode.disabled()) {
            for (int c = 0; c < b.caps.size(); c++) {
                NDList arrays = b.caps.get(c);
                double max = settings.caps().get(c).maxNorm();
                double norm = Perturbation.read(Perturbation.norm(arrays, scope));
                if (norm > max) {
                    for (NDArray a : arrays) {
                        a.muli(max / norm);
                    }
                }
            }
        }
    }

    /** @return how many steps ran inside many-steps calls ({@link #steps}) */
    long fusedRuns() {
        return fusedRuns;
    }

    /** @return whether the warning about an exploding perturbed loss was logged */
    boolean warnedExplosion() {
        return loggedExplosion;
    }

    /** Logs once when the loss at the perturbed weights explodes: ρ is too large for the model. */
    private void warnIfExploding(double loss, double perturbed, double rho, int perturbedParts) {
        if (Double.isNaN(firstLoss) && Double.isFinite(loss)) {
            firstLoss = loss;
        }
        if (loggedExplosion || perturbedParts == 0 || !Double.isFinite(loss)) {
            return;
        }
        double reference = Math.max(Math.abs(loss), Math.abs(firstLoss));
        if (perturbed > EXPLOSION_FACTOR * reference && reference > 0) {
            loggedExplosion = true;
            LOGGER.warn("SAM step {}: the loss at the perturbed weights w + ε is {}, against {} at w and {} at the"
                    + " first step: ρ = {} reaches far beyond the region SAM's ascent step is meant for, and training"
                    + " follows the loss there; lower ρ (Foret et al. (2021) use 0.01 to 0.5) (logged once)", steps,
                    perturbed, loss, firstLoss, rho);
        }
    }

    /**
     * @param predictions if not null, receives the predictions at w (detached, attached to the batch's manager)
     */
    SamStepResult computeGradients(Trainer trainer, Batch batch, Map<Device, NDList> predictions) {
        TrainerBinding b = bind(trainer);
        SamSchedule.Phase current = settings.schedule().phaseAt(steps, epochs);
        phase = current;
        double rho = current.rho();
        NDList data = batch.getData();
        NDList labels = batch.getLabels();
        long size = batchSize(data);
        FusedMlpSam fused = b.fused(settings);
        int m = settings.microBatch();
        if (fused != null && (m <= 1 || m >= size) && fused.accepts(data, labels, b.dataType)) {
            return fusedGradients(fused, b, batch, size, rho, predictions);
        }
        long[] cuts = microBatches(size);
        int parts = cuts.length - 1;
        Objective objective = settings.perturbationObjective();
        // whole batch: the first gradient goes through .grad (plain backward); micro-batches need .grad for
        // accumulating the perturbed gradients, so their first gradient comes from the autograd bridge
        boolean firstIntoGrad = parts == 1 && objective == null;
        double lossSum = 0;
        double perturbedSum = 0;
        double normSum = 0;
        int perturbedParts = 0;
        List<NDArray> preds = predictions == null ? null : new ArrayList<>(parts);
        try (NDManager scope = trainer.getManager().newSubManager()) {
            data.tempAttach(scope);
            labels.tempAttach(scope);
            b.zeroGradients();
            ObjectiveGradient full = objective == null ? null : objectiveGradient(objective, b, scope);
            for (int k = 0; k < parts; k++) {
                double weight = (double) (cuts[k + 1] - cuts[k]) / size;
                try (NDManager mb = scope.newSubManager()) {
                    NDList x = parts == 1 ? data : slice(data, cuts[k], cuts[k + 1], mb);
                    NDList y = parts == 1 ? labels : slice(labels, cuts[k], cuts[k + 1], mb);
                    Perturbation eps;
                    double lossValue;
                    // pass 1 in its own manager (what is computed from x attaches to x's manager): its activations
                    // are freed before pass 2 allocates its own
                    try (NDManager first = mb.newSubManager()) {
                        x.tempAttach(first); // back to their manager when first closes (DJL nests this)
                        y.tempAttach(first);
                        NDArray lossW = null;
                        NDList g;
                        if (full != null) {
                            g = full.values();
                            lossValue = full.loss();
                            if (preds != null) {
                                try (GradMode off = GradMode.disabled()) {
                                    preds.add(detach(trainer.forward(x, y), batch.getManager()));
                                }
                            }
                        } else {
                            NDList p;
                            try (GradMode on = GradMode.enabled()) {
                                p = trainer.forward(x, y);
                                lossW = trainer.getLoss().evaluate(y, p);
                            }
                            if (preds != null) {
                                preds.add(detach(p, batch.getManager()));
                            }
                            if (firstIntoGrad) {
                                b.backward(lossW);
                                g = TrainerBinding.gradients(b.perturbed, first);
                            } else {
                                long begin = System.nanoTime();
                                g = AutogradBridge.on(b.device).gradient(lossW, b.perturbed, false, first);
                                trainer.addMetric("backward", begin);
                            }
                            lossValue = Perturbation.read(lossW);
                        }
                        eps = Perturbation.toEpsilon(settings, rho, g, b, first);
                        if (!Double.isFinite(eps.gradientNorm())) {
                            b.zeroGradients();
                            throw new NonFiniteGradientException("the gradient at the current weights has norm "
                                    + eps.gradientNorm() + " (loss " + lossValue + ") on micro-batch " + k
                                    + " of step " + steps + ": the parameters are untouched; check the data for"
                                    + " NaN/inf, lower the learning rate or ρ, or use a numerically stable loss from"
                                    + " dev.minima.loss.Losses");
                        }
                        if (eps.zeroDirection() && !loggedZeroDirection) {
                            loggedZeroDirection = true;
                            LOGGER.info("SAM step {}: the gradient direction has norm 0, so the step is taken"
                                    + " without perturbation (logged once)", steps);
                        }
                        lossSum += weight * lossValue;
                        normSum += weight * eps.gradientNorm();
                        if (!eps.applied()) {
                            // no perturbation: the gradient applied is g itself
                            perturbedSum += weight * lossValue;
                            if (!firstIntoGrad) {
                                // .grad += weight · ∇L_k(w) (the bridge retained lossW's graph)
                                b.backward(weighted(b, lossW != null ? lossW : forwardLoss(trainer, x, y), parts,
                                        weight));
                            }
                            continue;
                        }
                        // save w, then w += ε; ε may live in .grad, which is zeroed for pass 2
                        b.save();
                        try {
                            try (GradMode off = GradMode.disabled()) {
                                for (int i = 0; i < g.size(); i++) {
                                    b.perturbed.get(i).addi(g.get(i));
                                }
                            }
                            if (firstIntoGrad) {
                                b.zeroGradients();
                            }
                        } catch (RuntimeException e) {
                            b.restore();
                            throw e;
                        }
                    }
                    perturbedSum += weight * perturbedGradient(b, x, y, weight, parts, mb);
                    perturbedParts++;
                }
            }
            double check = Perturbation.read(Perturbation.norm(TrainerBinding.gradients(b.all, scope), scope));
            if (!Double.isFinite(check)) {
                b.zeroGradients();
                throw new NonFiniteGradientException("the gradient at the perturbed weights w + ε is not finite (its"
                        + " norm is " + check + ") at step " + steps + ": the parameters were restored to"
                        + " their values before the step; lower ρ or the learning rate, or check the loss");
            }
        }
        if (preds != null) {
            NDArray p = preds.size() == 1 ? preds.get(0) : NDArrays.concat(new NDList(preds), 0);
            predictions.put(p.getDevice(), new NDList(p));
        }
        warnIfExploding(lossSum, perturbedSum, rho, perturbedParts);
        steps++;
        return new SamStepResult(lossSum, perturbedSum, normSum, rho, parts, perturbedParts);
    }

    /** The fused path ({@link FusedMlpSam}): one native call writes the sharpness-aware gradient into .grad. */
    private SamStepResult fusedGradients(FusedMlpSam fused, TrainerBinding b, Batch batch, long size, double rho,
            Map<Device, NDList> predictions) {
        boolean perExample = settings.microBatch() == 1 && size > 1;
        boolean usam = settings.variant() == SharpnessAware.Variant.USAM;
        try (NDManager scope = b.trainer.getManager().newSubManager()) {
            b.defineGradients(fused.inputs(), scope);
            FusedMlpSam.Result r = fused.run(b, batch.getData().get(0), batch.getLabels().get(0), rho, usam,
                    perExample, predictions != null, scope);
            double[] st = r.stats();
            if (!Double.isFinite(st[2])) {
                b.zeroGradients();
                throw new NonFiniteGradientException("the gradient at the current weights has norm " + st[2]
                        + " (loss " + st[0] + ") at step " + steps + ": the parameters are untouched; check the data"
                        + " for NaN/inf, lower the learning rate or ρ, or use a numerically stable loss from"
                        + " dev.minima.loss.Losses");
            }
            if (!Double.isFinite(st[4])) {
                b.zeroGradients();
                throw new NonFiniteGradientException("the gradient at the perturbed weights w + ε is not finite (its"
                        + " squared norm is " + st[4] + ") at step " + steps + ": the parameters are untouched;"
                        + " lower ρ or the learning rate, or check the loss");
            }
            if (!perExample && rho > 0 && st[2] == 0 && !loggedZeroDirection) {
                loggedZeroDirection = true;
                LOGGER.info("SAM step {}: the gradient direction has norm 0, so the step is taken without"
                        + " perturbation (logged once)", steps);
            }
            if (predictions != null) {
                NDArray p = r.predictions();
                p.attach(batch.getManager());
                predictions.put(p.getDevice(), new NDList(p));
            }
            int perturbedParts = (int) Math.round(st[3]);
            warnIfExploding(st[0], st[1], rho, perturbedParts);
            steps++;
            int parts = perExample ? Math.toIntExact(size) : 1;
            return new SamStepResult(st[0], st[1], st[2], rho, parts, perturbedParts);
        }
    }

    /**
     * Accumulates weight · ∇L(w + ε) into .grad with the parameters perturbed (and saved) by the caller, then
     * restores them from the copy, also when the forward or backward pass throws.
     *
     * @return the loss at w + ε
     */
    private double perturbedGradient(TrainerBinding b, NDList x, NDList y, double weight, int parts, NDManager mb) {
        try (NDManager second = mb.newSubManager()) {
            x.tempAttach(second);
            y.tempAttach(second);
            NDArray lossP;
            try (GradMode on = GradMode.enabled()) {
                lossP = b.trainer.getLoss().evaluate(y, b.trainer.forward(x, y));
            }
            b.backward(weighted(b, lossP, parts, weight));
            return Perturbation.read(lossP);
        } finally {
            b.restore();
        }
    }

    private static NDArray forwardLoss(Trainer trainer, NDList x, NDList y) {
        try (GradMode on = GradMode.enabled()) {
            return trainer.getLoss().evaluate(y, trainer.forward(x, y));
        }
    }

    /** loss · |B_k|/|B| with a libtorch-owned factor (a Java-number operand would be freed by the GC too early). */
    private static NDArray weighted(TrainerBinding b, NDArray loss, int parts, double weight) {
        if (parts == 1) {
            return loss;
        }
        try (GradMode on = GradMode.enabled()) {
            return loss.mul(b.constant(weight));
        }
    }

    private static NDArray detach(NDList predictions, NDManager owner) {
        NDArray p = predictions.get(0).stopGradient();
        p.attach(owner);
        return p;
    }

    /** The objective's gradient over the perturbed parameters and its value (n-SAM), through the bridge. */
    private static ObjectiveGradient objectiveGradient(Objective objective, TrainerBinding b, NDManager scope) {
        AutogradBridge bridge = AutogradBridge.on(b.device);
        NDList objArrays = objective.space().arrays();
        NDList acc = new NDList(b.perturbed.size());
        double[] value = {0};
        objective.forEachBatch(scope, (l, w, s, batch) -> {
            value[0] += w * Perturbation.read(l);
            NDList g = bridge.gradient(l, objArrays, false, s);
            for (int i = 0; i < b.objectiveIndex.length; i++) {
                NDArray term = g.get(b.objectiveIndex[i]).mul(w); // not differentiated: a Java factor is safe
                if (acc.size() <= i) {
                    acc.add(Perturbation.attach(term, scope));
                } else {
                    acc.get(i).addi(term);
                }
            }
        });
        return new ObjectiveGradient(acc, value[0]);
    }

    private record ObjectiveGradient(NDList values, double loss) {}

    private long[] microBatches(long size) {
        int m = settings.microBatch();
        if (m == 0 || m >= size) {
            return new long[] {0, size};
        }
        if (size % m != 0 && settings.remainder() == SharpnessAware.Remainder.ERROR) {
            throw new IllegalArgumentException("micro-batch size " + m + " does not divide the batch size " + size
                    + ": use a batch size that is a multiple of " + m + ", or optMicroBatchRemainder(WEIGHTED) to"
                    + " weight a smaller last micro-batch by its size");
        }
        int parts = Math.toIntExact((size + m - 1) / m);
        long[] cuts = new long[parts + 1];
        for (int k = 1; k <= parts; k++) {
            cuts[k] = Math.min(size, (long) k * m);
        }
        return cuts;
    }

    private static long batchSize(NDList data) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("the batch has no input arrays");
        }
        long size = data.get(0).getShape().dimension() == 0 ? 1 : data.get(0).getShape().get(0);
        if (size < 1) {
            throw new IllegalArgumentException("the batch is empty");
        }
        return size;
    }

    private static NDList slice(NDList arrays, long from, long to, NDManager mb) {
        NDList out = new NDList(arrays.size());
        for (NDArray a : arrays) {
            if (a.getShape().dimension() == 0 || a.getShape().get(0) < to) {
                throw new IllegalArgumentException("cannot cut an array of shape " + a.getShape()
                        + " into micro-batches: every data and label array must have the batch on axis 0");
            }
            out.add(Perturbation.attach(a.get(new NDIndex().addSliceDim(from, to)), mb));
        }
        return out;
    }

    private TrainerBinding bind(Trainer trainer) {
        TrainerBinding b = binding;
        if (b == null || b.trainer != trainer) {
            b = new TrainerBinding(trainer, settings);
            binding = b;
        }
        return b;
    }
}
