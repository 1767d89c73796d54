package dev.minima.monitor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a stream of {@link SharpnessRecord}s and reports the phases of training described by Cohen et al.
 * 2021 ("Gradient descent on neural networks typically occurs at the edge of stability"): progressive
 * sharpening (λ_max rises), arrival at the edge (ηλ_max/2 ≈ 1), self-stabilisation (λ_max goes above 2/η
 * and comes back while the loss keeps falling), loss spikes and catapults (Lewkowycz et al. 2020), and
 * divergence. Each event is logged through slf4j and kept in {@link #events()}.
 *
 * <p>Rules, with the defaults in brackets (all records, not steps):
 * <ul>
 *   <li>PROGRESSIVE_SHARPENING: over the last {@code sharpeningWindow} [5] records, all below the edge, the
 *       Theil–Sen slope of λ_max is positive, the rise it implies over the window is at least
 *       {@code minRise} [2%] of the median λ_max, and at least {@code minConcordance} [0.7] of the pairs
 *       increase. Reported once per episode (an episode ends at a record where the rule fails).
 *   <li>UNSTABLE: ηλ_max/2 crosses above 1 while not at the edge.
 *   <li>EDGE_REACHED: ηλ_max/2 ≥ 1 − {@code edgeTolerance} [0.1] for {@code edgeWindow} [3] consecutive
 *       records; the event's step is the first of them. EDGE_LEFT: as many consecutive records below.
 *   <li>SELF_STABILIZATION: at the edge, a record above 2/η was followed by one at or below it, and the
 *       Theil–Sen slope of the loss over the last {@code sharpeningWindow} records is negative. Once per
 *       edge episode.
 *   <li>LOSS_SPIKE: the loss exceeds {@code spikeFactor} [2] × the minimum of the previous
 *       {@code sharpeningWindow} records. CATAPULT: later, the loss falls below its value before the spike
 *       and λ_max is below its value before the spike.
 *   <li>DIVERGENCE: non-finite loss or λ_max, or the loss above {@code divergenceFactor} [1e4] × the first
 *       record's loss; also reported by the listener for non-finite weights or predictions.
 * </ul>
 */
public final class EdgeOfStabilityDetector {

    private static final Logger LOGGER = LoggerFactory.getLogger(EdgeOfStabilityDetector.class);

    private final int sharpeningWindow;
    private final double minRise;
    private final double minConcordance;
    private final double edgeTolerance;
    private final int edgeWindow;
    private final double spikeFactor;
    private final double divergenceFactor;

    private final List<SharpnessRecord> history = new ArrayList<>();
    private final List<EosEvent> events = new ArrayList<>();
    private double referenceLoss = Double.NaN;
    private boolean sharpeningEpisode;
    private int episodeEndIndex;
    private boolean sharpeningDetected;
    private boolean lastAbove;
    private int runAtEdge;
    private long runStart;
    private int runBelow;
    private boolean atEdge;
    private Long firstEdgeStep;
    private boolean aboveInEpisode;
    private boolean selfStabilized;
    private boolean spikeActive;
    private double preSpikeLoss;
    private double preSpikeLambda;
    private boolean diverged;

    private EdgeOfStabilityDetector(Builder b) {
        this.sharpeningWindow = b.sharpeningWindow;
        this.minRise = b.minRise;
        this.minConcordance = b.minConcordance;
        this.edgeTolerance = b.edgeTolerance;
        this.edgeWindow = b.edgeWindow;
        this.spikeFactor = b.spikeFactor;
        this.divergenceFactor = b.divergenceFactor;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the next record.
     *
     * @param r the record (steps must not decrease)
     * @return the events this record triggered, possibly empty
     */
    public synchronized List<EosEvent> accept(SharpnessRecord r) {
        List<EosEvent> out = new ArrayList<>();
        double loss = r.loss();
        double lambda = r.sharpness();
        if (!Double.isFinite(loss) || !Double.isFinite(lambda)) {
            out.add(divergence(r.step(), lambda, r.threshold(), loss, "non-finite probe loss " + loss
                    + " or lambda_max " + lambda + " at step " + r.step()));
            return out;
        }
        if (Double.isNaN(referenceLoss)) {
            referenceLoss = loss;
        }
        if (loss > divergenceFactor * Math.max(referenceLoss, Double.MIN_NORMAL)) {
            out.add(divergence(r.step(), lambda, r.threshold(), loss, "probe loss " + loss + " at step " + r.step()
                    + " exceeds " + divergenceFactor + " x the first recorded loss " + referenceLoss));
            return out;
        }
        SharpnessRecord previous = history.isEmpty() ? null : history.get(history.size() - 1);
        history.add(r);
        double ratio = r.ratio();

        boolean above = ratio > 1;
        if (above && !lastAbove && !atEdge) {
            out.add(event(EosEvent.Type.UNSTABLE, r, String.format("sharpness/threshold = %.4f > 1: sharpness %.6g"
                    + " exceeds the threshold %.6g (%s), the next step is linearly unstable", ratio, lambda, r.threshold(),
                    r.thresholdRule())));
        }
        lastAbove = above;

        if (ratio >= 1 - edgeTolerance) {
            if (runAtEdge == 0) {
                runStart = r.step();
            }
            runAtEdge++;
            runBelow = 0;
        } else {
            runAtEdge = 0;
            runBelow++;
        }
        if (!atEdge && runAtEdge >= edgeWindow) {
            atEdge = true;
            aboveInEpisode = false;
            selfStabilized = false;
            if (firstEdgeStep == null) {
                firstEdgeStep = runStart;
            }
            out.add(new EosEvent(EosEvent.Type.EDGE_REACHED, runStart, lambda, r.threshold(), ratio, loss,
                    String.format("edge of stability since step %d: sharpness/threshold >= %.3f for %d records"
                            + " (now %.4f, sharpness %.6g, threshold %.6g: %s)", runStart, 1 - edgeTolerance, runAtEdge,
                            ratio, lambda, r.threshold(), r.thresholdRule())));
        } else if (atEdge && runBelow >= edgeWindow) {
            atEdge = false;
            out.add(event(EosEvent.Type.EDGE_LEFT, r, String.format("left the edge: sharpness/threshold < %.3f for %d"
                    + " records (now %.4f)", 1 - edgeTolerance, runBelow, ratio)));
        }

        if (atEdge) {
            if (above) {
                aboveInEpisode = true;
            } else if (aboveInEpisode && !selfStabilized && lossSlope() < 0) {
                selfStabilized = true;
                out.add(event(EosEvent.Type.SELF_STABILIZATION, r, String.format("the sharpness went above its threshold and"
                        + " came back (ratio now %.4f) while the loss kept falling (now %.6g)", ratio, loss)));
            }
        }

        // sharpening is a state: entered once when the trend rule holds over a window of records that all follow
        // the end of the previous episode, left (silently) at the edge or at a record that contradicts it
        // (lambda falling by more than minRise/window against the previous record); quiet while it holds
        if (sharpeningEpisode) {
            boolean contradicted = previous != null
                    && lambda < previous.sharpness() * (1 - minRise / sharpeningWindow);
            if (atEdge || ratio >= 1 - edgeTolerance || contradicted) {
                sharpeningEpisode = false;
                episodeEndIndex = history.size() - 1;
                LOGGER.debug("progressive sharpening ended at step {} ({})", r.step(),
                        contradicted ? "lambda fell" : "edge");
            }
        } else if (!atEdge && ratio < 1 - edgeTolerance && history.size() - sharpeningWindow >= episodeEndIndex
                && sharpening()) {
            sharpeningEpisode = true;
            sharpeningDetected = true;
            out.add(event(EosEvent.Type.PROGRESSIVE_SHARPENING, r, String.format("sharpness rising over the last"
                    + " %d records: now %.6g, %.1f%% of the threshold (%s)", sharpeningWindow, lambda, 100 * ratio,
                    r.thresholdRule())));
        }

        if (previous != null) {
            double recentMin = recentMinLoss();
            if (!spikeActive && loss > spikeFactor * recentMin) {
                spikeActive = true;
                preSpikeLoss = previous.loss();
                preSpikeLambda = previous.sharpness();
                out.add(event(EosEvent.Type.LOSS_SPIKE, r, String.format("loss %.6g is %.2f x its recent minimum %.6g",
                        loss, loss / recentMin, recentMin)));
            } else if (spikeActive && loss < preSpikeLoss) {
                spikeActive = false;
                if (lambda < preSpikeLambda) {
                    out.add(event(EosEvent.Type.CATAPULT, r, String.format("loss back below its pre-spike %.6g (now"
                            + " %.6g) with lambda_max down from %.6g to %.6g", preSpikeLoss, loss, preSpikeLambda,
                            lambda)));
                }
            }
        }
        for (EosEvent e : out) {
            log(e);
        }
        events.addAll(out);
        return out;
    }

    /**
     * Reports a divergence found outside the records (non-finite weights, predictions or probe loss).
     *
     * @param step the optimizer step
     * @param message what was found
     * @return the event, also logged and kept
     */
    public synchronized EosEvent divergence(long step, String message) {
        EosEvent e = divergence(step, Double.NaN, Double.NaN, Double.NaN, message);
        log(e);
        events.add(e);
        return e;
    }

    private EosEvent divergence(long step, double lambda, double threshold, double loss, String message) {
        diverged = true;
        return new EosEvent(EosEvent.Type.DIVERGENCE, step, lambda, threshold, lambda / threshold, loss, message);
    }

    private boolean sharpening() {
        int n = history.size();
        if (n < sharpeningWindow) {
            return false;
        }
        double[] x = new double[sharpeningWindow];
        double[] y = new double[sharpeningWindow];
        for (int i = 0; i < sharpeningWindow; i++) {
            SharpnessRecord r = history.get(n - sharpeningWindow + i);
            x[i] = r.step();
            y[i] = r.sharpness();
        }
        if (!(x[sharpeningWindow - 1] > x[0])) {
            return false;
        }
        double slope = RobustTrend.theilSen(x, y);
        double rise = slope * (x[sharpeningWindow - 1] - x[0]) / Math.abs(RobustTrend.median(y));
        return slope > 0 && rise >= minRise && RobustTrend.increasingFraction(y) >= minConcordance;
    }

    private double lossSlope() {
        int n = history.size();
        int w = Math.min(sharpeningWindow, n);
        if (w < 2) {
            return Double.NaN;
        }
        double[] x = new double[w];
        double[] y = new double[w];
        for (int i = 0; i < w; i++) {
            SharpnessRecord r = history.get(n - w + i);
            x[i] = r.step();
            y[i] = r.loss();
        }
        return RobustTrend.theilSen(x, y);
    }

    private double recentMinLoss() {
        int n = history.size() - 1; // exclude the current record
        double min = Double.POSITIVE_INFINITY;
        for (int i = Math.max(0, n - sharpeningWindow); i < n; i++) {
            min = Math.min(min, history.get(i).loss());
        }
        return min;
    }

    private static EosEvent event(EosEvent.Type type, SharpnessRecord r, String message) {
        return new EosEvent(type, r.step(), r.sharpness(), r.threshold(), r.ratio(), r.loss(), message);
    }

    private static void log(EosEvent e) {
        if (e.type() == EosEvent.Type.DIVERGENCE) {
            LOGGER.error("{}", e);
        } else {
            LOGGER.info("{}", e);
        }
    }

    /** @return every event so far, in order */
    public synchronized List<EosEvent> events() {
        return Collections.unmodifiableList(new ArrayList<>(events));
    }

    /** @return whether progressive sharpening was ever detected */
    public synchronized boolean sharpeningDetected() {
        return sharpeningDetected;
    }

    /** @return the first step of the first sustained run at the edge, or null if the edge was never reached */
    public synchronized Long edgeStep() {
        return firstEdgeStep;
    }

    /** @return whether training is at the edge now */
    public synchronized boolean atEdge() {
        return atEdge;
    }

    /** @return whether a divergence was reported */
    public synchronized boolean diverged() {
        return diverged;
    }

    /** Builder of {@link EdgeOfStabilityDetector}. */
    public static final class Builder {
        private int sharpeningWindow = 5;
        private double minRise = 0.02;
        private double minConcordance = 0.7;
        private double edgeTolerance = 0.1;
        private int edgeWindow = 3;
        private double spikeFactor = 2;
        private double divergenceFactor = 1e4;

        private Builder() {}

        /**
         * @param records how many records the sharpening trend and the loss trend are judged on (default 5, ≥ 3)
         * @param minRise the least relative rise of λ_max over the window (default 0.02)
         * @param minConcordance the least fraction of increasing pairs (default 0.7)
         * @return this builder
         */
        public Builder optSharpening(int records, double minRise, double minConcordance) {
            if (records < 3) {
                throw new IllegalArgumentException("the sharpening window needs at least 3 records, got " + records);
            }
            if (!(minRise >= 0) || !(minConcordance >= 0 && minConcordance <= 1)) {
                throw new IllegalArgumentException("need minRise >= 0 and minConcordance in [0, 1], got " + minRise
                        + " and " + minConcordance);
            }
            this.sharpeningWindow = records;
            this.minRise = minRise;
            this.minConcordance = minConcordance;
            return this;
        }

        /**
         * @param tolerance at the edge when ηλ_max/2 ≥ 1 − tolerance (default 0.1)
         * @param records for this many consecutive records (default 3)
         * @return this builder
         */
        public Builder optEdge(double tolerance, int records) {
            if (!(tolerance >= 0 && tolerance < 1) || records < 1) {
                throw new IllegalArgumentException("need an edge tolerance in [0, 1) and at least 1 record, got "
                        + tolerance + " and " + records);
            }
            this.edgeTolerance = tolerance;
            this.edgeWindow = records;
            return this;
        }

        /**
         * @param factor a loss spike is a loss above factor × its recent minimum (default 2, &gt; 1)
         * @return this builder
         */
        public Builder optSpikeFactor(double factor) {
            if (!(factor > 1)) {
                throw new IllegalArgumentException("the spike factor must exceed 1, got " + factor);
            }
            this.spikeFactor = factor;
            return this;
        }

        /**
         * @param factor divergence when the loss exceeds factor × the first recorded loss (default 1e4, &gt; 1;
         *     infinity to rely on non-finite values only)
         * @return this builder
         */
        public Builder optDivergenceFactor(double factor) {
            if (!(factor > 1)) {
                throw new IllegalArgumentException("the divergence factor must exceed 1, got " + factor);
            }
            this.divergenceFactor = factor;
            return this;
        }

        /** @return the detector */
        public EdgeOfStabilityDetector build() {
            return new EdgeOfStabilityDetector(this);
        }
    }
}
