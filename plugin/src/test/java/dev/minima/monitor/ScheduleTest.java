package dev.minima.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minima.loss.Losses;
import org.junit.jupiter.api.Test;

/** The clock trigger and the overhead budget. */
class ScheduleTest {

    @Test
    void timeTriggerMeasuresBetweenStepTriggers() {
        // k = 1000 never fires after step 0; a 1 ns clock fires at every later step
        SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(1000).optEverySeconds(1e-9)
                .optLearningRate(0.01).optLoss(Losses.halfMse()).optProbeSample(40, 0).build();
        BadInputTest.quadratic(monitor, 0.01, 6);
        assertEquals(6, monitor.records().size());
        assertEquals(SharpnessRecord.Trigger.STEP, monitor.records().get(0).trigger());
        for (SharpnessRecord r : monitor.records().subList(1, 6)) {
            assertEquals(SharpnessRecord.Trigger.TIME, r.trigger());
        }
    }

    @Test
    void overheadBudgetSkipsMeasurements() {
        // a budget of 1e-6 of the training time: after the first record every scheduled one is skipped
        SharpnessListener monitor = SharpnessListener.builder().optBackground(false).optMaxOverhead(0).optEvery(1).optMaxOverhead(1e-6)
                .optLearningRate(0.01).optLoss(Losses.halfMse()).optProbeSample(40, 0).build();
        BadInputTest.quadratic(monitor, 0.01, 8);
        assertEquals(1, monitor.records().size());
        assertEquals(7, monitor.skipped());
        assertTrue(monitor.monitorSeconds() > 0);
    }
}
