package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The detector's rules on synthetic record streams (η = 0.1, so 2/η = 20). */
class EdgeOfStabilityDetectorTest {

    static final double ETA = 0.1;

    static SharpnessRecord record(long step, double lambda, double loss) {
        CurvatureSnapshot s = new CurvatureSnapshot(loss, 1.0, lambda, 0.0, new double[] {lambda}, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, 3, true);
        return new SharpnessRecord(step, 0, SharpnessRecord.Trigger.STEP, ETA, s, Double.NaN, 0.01);
    }

    static long count(EdgeOfStabilityDetector d, EosEvent.Type type) {
        return d.events().stream().filter(e -> e.type() == type).count();
    }

    @Test
    void fullEdgeOfStabilityStory() {
        EdgeOfStabilityDetector d = EdgeOfStabilityDetector.builder().build();
        long step = 0;
        // progressive sharpening: λ from 10 to 17 (ratio 0.5 → 0.85), loss falling
        for (int i = 0; i < 8; i++, step += 10) {
            d.accept(record(step, 10 + i, 1.0 - 0.05 * i));
        }
        assertTrue(d.sharpeningDetected());
        assertEquals(1, count(d, EosEvent.Type.PROGRESSIVE_SHARPENING), "once per episode");
        assertNull(d.edgeStep());
        // arrival: ratios 0.95, 0.99, 1.02 (three records ≥ 0.9): the edge starts at the first of them
        long arrival = step;
        d.accept(record(step, 19.0, 0.58));
        step += 10;
        d.accept(record(step, 19.8, 0.57));
        step += 10;
        List<EosEvent> atThird = d.accept(record(step, 20.4, 0.56));
        step += 10;
        // the third record crosses 1 (first instability) and completes the run at the edge
        assertEquals(List.of(EosEvent.Type.UNSTABLE, EosEvent.Type.EDGE_REACHED),
                atThird.stream().map(EosEvent::type).toList());
        assertEquals(arrival, d.edgeStep());
        assertEquals(arrival, atThird.get(1).step());
        // oscillation around 2/η with a falling loss: self-stabilisation, once
        double[] lambdas = {20.6, 19.7, 20.3, 19.9, 20.2, 19.8};
        for (int i = 0; i < lambdas.length; i++, step += 10) {
            d.accept(record(step, lambdas[i], 0.55 - 0.01 * i));
        }
        assertEquals(1, count(d, EosEvent.Type.SELF_STABILIZATION));
        assertEquals(1, count(d, EosEvent.Type.UNSTABLE), "oscillation at the edge is expected, not re-reported");
        assertTrue(d.atEdge());
        // leaving the edge: 3 records below 0.9
        for (int i = 0; i < 3; i++, step += 10) {
            d.accept(record(step, 15, 0.4));
        }
        assertEquals(1, count(d, EosEvent.Type.EDGE_LEFT));
        assertFalse(d.atEdge());
        assertFalse(d.diverged());
    }

    @Test
    void noisyFlatSharpnessIsNotSharpening() {
        EdgeOfStabilityDetector d = EdgeOfStabilityDetector.builder().build();
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 50; i++) {
            d.accept(record(10L * i, 12 * (1 + 0.02 * (r.nextDouble() - 0.5)), 1.0));
        }
        assertFalse(d.sharpeningDetected(), d.events().toString());
        assertTrue(d.events().isEmpty(), d.events().toString());
    }

    @Test
    void unstableIsReportedAtTheCrossingBeforeTheEdge() {
        EdgeOfStabilityDetector d = EdgeOfStabilityDetector.builder().build();
        d.accept(record(0, 5, 1));
        List<EosEvent> e = d.accept(record(10, 20.5, 1)); // ratio 1.025
        assertEquals(EosEvent.Type.UNSTABLE, e.get(0).type());
        assertEquals(1.025, e.get(0).ratio(), 1e-12);
        assertTrue(d.accept(record(20, 21, 1)).stream().noneMatch(x -> x.type() == EosEvent.Type.UNSTABLE),
                "reported at the crossing only");
    }

    @Test
    void spikeThenCatapult() {
        EdgeOfStabilityDetector d = EdgeOfStabilityDetector.builder().build();
        d.accept(record(0, 15, 0.5));
        d.accept(record(10, 15.5, 0.45));
        List<EosEvent> spike = d.accept(record(20, 16, 1.5)); // 3.3x the recent minimum
        assertEquals(EosEvent.Type.LOSS_SPIKE, spike.get(0).type());
        d.accept(record(30, 12, 0.9));
        List<EosEvent> back = d.accept(record(40, 11, 0.3)); // below 0.45 with λ down from 15.5
        assertEquals(EosEvent.Type.CATAPULT, back.get(0).type());
    }

    @Test
    void divergence() {
        EdgeOfStabilityDetector d = EdgeOfStabilityDetector.builder().optDivergenceFactor(100).build();
        d.accept(record(0, 5, 1));
        assertTrue(d.accept(record(10, 5, 50)).stream().noneMatch(e -> e.type() == EosEvent.Type.DIVERGENCE));
        assertEquals(EosEvent.Type.DIVERGENCE, d.accept(record(20, 5, 101)).get(0).type());
        EdgeOfStabilityDetector nan = EdgeOfStabilityDetector.builder().build();
        assertEquals(EosEvent.Type.DIVERGENCE, nan.accept(record(0, Double.NaN, 1)).get(0).type());
        assertTrue(nan.diverged());
    }

    @Test
    void theilSenIgnoresAnOutlier() {
        double[] x = {0, 1, 2, 3, 4, 5, 6};
        double[] y = {0, 2, 4, 100, 8, 10, 12};
        assertEquals(2.0, RobustTrend.theilSen(x, y), 1e-12);
        assertEquals(1.0, RobustTrend.increasingFraction(new double[] {1, 2, 3}), 0);
    }

    @Test
    void oneLinePerChangeOfStateOnARiseSaturateFallTrace() {
        // λ rises 8 → 19.6 (sharpening), saturates at the edge 2/η = 20 (ratios 0.98–1.0), then falls 19 → 6
        // (with noise of ±0.3% throughout): exactly one event per change of state, none while a state holds
        EdgeOfStabilityDetector d = EdgeOfStabilityDetector.builder().build();
        SplittableRandom noise = new SplittableRandom(4);
        long step = 0;
        for (int i = 0; i < 30; i++, step += 100) {
            double lambda = 8 + 0.4 * i;
            d.accept(record(step, lambda * (1 + 0.003 * (2 * noise.nextDouble() - 1)), 1.0 - 0.01 * i));
        }
        for (int i = 0; i < 15; i++, step += 100) {
            d.accept(record(step, 19.8 * (1 + 0.003 * (2 * noise.nextDouble() - 1)), 0.7 - 0.01 * i));
        }
        for (int i = 0; i < 40; i++, step += 100) {
            double lambda = 19 - 0.33 * i;
            d.accept(record(step, lambda * (1 + 0.003 * (2 * noise.nextDouble() - 1)), 0.55 - 0.005 * i));
        }
        List<EosEvent.Type> types = d.events().stream().map(EosEvent::type).toList();
        assertEquals(List.of(EosEvent.Type.PROGRESSIVE_SHARPENING, EosEvent.Type.EDGE_REACHED,
                EosEvent.Type.EDGE_LEFT), types, d.events().toString());
    }

    @Test
    void fallingLambdaEndsSharpeningAndIsNotReportedAsSharpening() {
        // the shape that used to repeat PROGRESSIVE_SHARPENING at every record: a rise, then a long slow fall
        // whose Theil–Sen window still leans upward for a few records
        EdgeOfStabilityDetector d = EdgeOfStabilityDetector.builder().build();
        long step = 0;
        double[] trace = {5, 6, 7, 8, 9, 10, 9.8, 10.1, 9.6, 9.9, 9.4, 9.7, 9.2, 9.5, 9.0, 9.3, 8.8, 9.1, 8.6};
        for (double lambda : trace) {
            d.accept(record(step, lambda, 1.0));
            step += 100;
        }
        assertEquals(1, count(d, EosEvent.Type.PROGRESSIVE_SHARPENING), d.events().toString());
    }
}
