package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** XTrace (Epperly, Tropp and Webber 2024) on matrices whose trace is known. */
class XTraceTest {

    @Test
    void exactWhenTheBudgetCoversTheRank() {
        double[] spectrum = new double[40];
        for (int i = 0; i < 5; i++) {
            spectrum[i] = 3.0 / (i + 1) - (i == 4 ? 2 : 0); // rank 5, one negative eigenvalue
        }
        double trace = 0;
        for (double e : spectrum) {
            trace += e;
        }
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(spectrum, 3, m, DataType.FLOAT64)) {
            TraceEstimate t = XTrace.builder().optProducts(14).optSeed(2).build().run(a);
            assertEquals(trace, t.value(), 1e-9);
        }
    }

    @Test
    void unbiasedOnRandomSymmetricMatrices() {
        int n = 25;
        SplittableRandom r = new SplittableRandom(5);
        double[][] a = new double[n][n];
        double trace = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = r.nextDouble(-1, 1) + (i == j ? 0.5 : 0);
                a[j][i] = a[i][j];
            }
            trace += a[i][i];
        }
        RunningMoments means = new RunningMoments();
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator op = DenseOperator.of(a, m, DataType.FLOAT64)) {
            for (int seed = 0; seed < 300; seed++) {
                means.add(XTrace.builder().optProducts(8).optSeed(seed).build().run(op).value());
            }
        }
        // the mean over 300 independent runs is within 4 standard errors of the trace
        assertTrue(Math.abs(means.mean() - trace) <= 4 * means.standardError(),
                "mean " + means.mean() + " trace " + trace + " se " + means.standardError());
    }

    @Test
    void beatsHutchinsonOnADecayingSpectrum() {
        double[] spectrum = new double[150];
        double trace = 0;
        for (int i = 0; i < spectrum.length; i++) {
            spectrum[i] = 1.0 / ((i + 1.0) * (i + 1.0));
            trace += spectrum[i];
        }
        double xt = 0;
        double hu = 0;
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(spectrum, 7, m, DataType.FLOAT64)) {
            for (int seed = 0; seed < 10; seed++) {
                xt += Math.abs(XTrace.builder().optProducts(40).optSeed(seed).build().run(a).value() - trace);
                hu += Math.abs(Hutchinson.builder().optSamples(40).optSeed(seed).build().run(a).value() - trace);
            }
        }
        // top eigenvalues carry most of the trace: the sketch captures them exactly, Hutchinson only samples them
        assertTrue(xt < hu / 10, "mean |error| XTrace " + xt / 10 + " vs Hutchinson " + hu / 10);
    }
}
