package dev.minima.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.minima.SingleTorchThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every estimator on quadratic objectives with a chosen spectrum (DenseOperator.withSpectrum). */
@ExtendWith(SingleTorchThread.class)
class KnownSpectrumTest {

    /** 10, 7, 5, then 57 eigenvalues spread in [−1, 1]: a gap of 2 below the top three. */
    static double[] separated(int n) {
        double[] s = new double[n];
        s[0] = 10;
        s[1] = 7;
        s[2] = 5;
        for (int i = 3; i < n; i++) {
            s[i] = -1 + 2.0 * (i - 3) / (n - 4);
        }
        return s;
    }

    /** Lanczos with full reorthogonalisation finds the top three to the tolerance, and both ends at once. */
    @Test
    void lanczosFindsKnownExtremes() {
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(separated(60), 1, m, DataType.FLOAT64)) {
            Eigenpairs top = Lanczos.builder().optTopK(3).optTolerance(1e-12).optSeed(2).build().run(a);
            assertTrue(top.converged());
            assertEquals(10, top.value(0), 1e-10);
            assertEquals(7, top.value(1), 1e-10);
            assertEquals(5, top.value(2), 1e-10);
            Eigenpairs both = Lanczos.builder().optTopK(2).optWhich(Lanczos.Which.BOTH_ENDS).optTolerance(1e-10)
                    .optSeed(3).build().run(a);
            assertEquals(4, both.size());
            assertEquals(10, both.value(0), 1e-8);
            assertEquals(7, both.value(1), 1e-8);
            assertEquals(-1 + 2.0 / 56, both.value(2), 1e-8);
            assertEquals(-1, both.value(3), 1e-8);
        }
    }

    /**
     * Power iteration with deflation: with the residual rule the top three are found to the tolerance (the
     * residual r = ‖Av − λv‖ bounds the distance to an eigenvalue, and the Rayleigh quotient error is ≤ r²/gap);
     * with PyHessian's relative-change rule (1e-3, ≤ 100 iterations) the estimate is within 1% here.
     */
    @Test
    void powerIterationFindsTopThree() {
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(separated(60), 1, m, DataType.FLOAT64)) {
            Eigenpairs res = PowerIteration.builder().optTopK(3).optStoppingRule(PowerIteration.StoppingRule.RESIDUAL)
                    .optTolerance(1e-9).optMaxIterations(1000).optSeed(4).build().run(a);
            assertTrue(res.converged(), res.toString());
            Eigenpairs lanczos = Lanczos.builder().optTopK(3).optTolerance(1e-9).optSeed(4).build().run(a);
            System.out.printf("top-3 to residual 1e-9·λ: power iteration %d products, Lanczos %d%n", res.products(),
                    lanczos.products());
            double[] expected = {10, 7, 5};
            for (int i = 0; i < 3; i++) {
                assertEquals(expected[i], res.value(i), 1e-9 * expected[i], "eigenvalue " + i);
                assertTrue(res.residual(i) < 1e-7, "true residual " + res.residual(i));
                double[] av = Dense.apply(a, res.vector(i));
                for (int j = 0; j < av.length; j++) {
                    assertEquals(res.value(i) * res.vector(i)[j], av[j], 1e-7);
                }
            }
            Eigenpairs py = PowerIteration.builder().optTopK(2).optSeed(5).build().run(a);
            assertTrue(py.products() <= 200);
            assertEquals(10, py.value(0), 0.1);
            assertEquals(7, py.value(1), 0.07);
            assertTrue(Math.abs(py.value(0) - 10) <= py.residual(0), "residual is an error bar");
        }
    }

    /** Power iteration converges to the largest magnitude: a dominant −12 comes out, sorted last. */
    @Test
    void powerIterationFollowsMagnitude() {
        double[] s = separated(30);
        s[0] = -12;
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(s, 6, m, DataType.FLOAT64)) {
            Eigenpairs res = PowerIteration.builder().optTopK(2).optStoppingRule(PowerIteration.StoppingRule.RESIDUAL)
                    .optTolerance(1e-9).optMaxIterations(2000).optSeed(7).build().run(a);
            assertEquals(7, res.value(0), 1e-8);
            assertEquals(-12, res.value(1), 1e-8);
        }
    }

    /**
     * Hutchinson with Rademacher probes: the variance of one sample is exactly 2(‖A‖_F² − Σ a_ii²), so the
     * reported standard error must match √(that / N) (within 15% at N = 1000: the relative error of a sample
     * standard deviation is ≈ √(κ/(4N)) with a modest kurtosis κ), and the estimate lies within 3 SE of tr A.
     */
    @Test
    void hutchinsonWithinThreeStandardErrors() {
        double[] spectrum = Dense.gaussian(50, 8);
        double trace = 0;
        for (double x : spectrum) {
            trace += x;
        }
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(spectrum, 9, m, DataType.FLOAT64)) {
            double[][] mat = a.matrix();
            double off = Dense.frobenius2(mat);
            for (int i = 0; i < mat.length; i++) {
                off -= mat[i][i] * mat[i][i];
            }
            double exactSe = Math.sqrt(2 * off / 1000);
            TraceEstimate t = Hutchinson.builder().optSamples(1000).optSeed(10).build().run(a);
            assertEquals(1000, t.products());
            assertEquals(trace, t.value(), 3 * t.standardError(), t.toString());
            assertEquals(exactSe, t.standardError(), 0.15 * exactSe, "standard error vs exact " + exactSe);
            TraceEstimate early = Hutchinson.builder().optSamples(10_000).optTargetRelativeError(0.05).optSeed(11)
                    .build().run(a);
            assertTrue(early.samples() < 10_000 && early.standardError() <= 0.05 * Math.abs(early.value()),
                    early.toString());
        }
    }

    /** Hutch++ is exact once ⌊m/3⌋ ≥ rank(A): the sketch spans the range and the remainder is zero. */
    @Test
    void hutchPlusPlusExactAtFullRankSketch() {
        double[] spectrum = new double[40];
        double[] nonzero = {9, 4, -3, 2.5, 1};
        System.arraycopy(nonzero, 0, spectrum, 0, nonzero.length);
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(spectrum, 12, m, DataType.FLOAT64)) {
            TraceEstimate t = HutchPlusPlus.builder().optProducts(15).optSeed(13).build().run(a);
            assertEquals(13.5, t.value(), 1e-10, t.toString());
            assertTrue(t.products() <= 15);
            TraceEstimate partial = HutchPlusPlus.builder().optProducts(9).optSeed(13).build().run(a);
            assertTrue(Math.abs(partial.value() - 13.5) > 1e-6, "a rank-3 sketch of a rank-5 matrix is not exact");
        }
    }

    /**
     * On a decaying spectrum λ_i = 1/i² Hutch++ beats Hutchinson at equal products (Meyer et al. 2021): mean
     * absolute error over 10 seeds at 60 products.
     */
    @Test
    void hutchPlusPlusBeatsHutchinsonOnDecayingSpectrum() {
        double[] spectrum = new double[200];
        double trace = 0;
        for (int i = 0; i < spectrum.length; i++) {
            spectrum[i] = 1.0 / ((i + 1.0) * (i + 1.0));
            trace += spectrum[i];
        }
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(spectrum, 14, m, DataType.FLOAT64)) {
            double errPlus = 0;
            double errPlain = 0;
            for (int seed = 0; seed < 10; seed++) {
                TraceEstimate plus = HutchPlusPlus.builder().optProducts(60).optSeed(seed).build().run(a);
                TraceEstimate plain = Hutchinson.builder().optSamples(60).optSeed(seed).build().run(a);
                errPlus += Math.abs(plus.value() - trace);
                errPlain += Math.abs(plain.value() - trace);
            }
            System.out.printf("trace of 1/i², 60 products, mean |error| over 10 seeds: Hutch++ %.2e, Hutchinson %.2e%n",
                    errPlus / 10, errPlain / 10);
            assertTrue(errPlus < errPlain / 5, "Hutch++ " + errPlus / 10 + " vs Hutchinson " + errPlain / 10);
        }
    }

    /**
     * The diagonal estimator: exact from one sample on a diagonal matrix; in general entry i has per-sample
     * variance Σ_{j≠i} a_ij², so with N = 4000 every entry lies within 4.5 σ_i/√N.
     */
    @Test
    void diagonalEstimatorWithinItsVariance() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[][] diag = new double[5][5];
            for (int i = 0; i < 5; i++) {
                diag[i][i] = i - 2.5;
            }
            try (DenseOperator d = DenseOperator.of(diag, m, DataType.FLOAT64)) {
                DiagonalEstimate e = DiagonalEstimator.builder().optSamples(1).build().run(d);
                for (int i = 0; i < 5; i++) {
                    assertEquals(i - 2.5, e.get(i), 1e-15);
                }
            }
            try (DenseOperator a = DenseOperator.withSpectrum(Dense.gaussian(30, 15), 16, m, DataType.FLOAT64)) {
                double[][] mat = a.matrix();
                DiagonalEstimate e = DiagonalEstimator.builder().optSamples(4000).optSeed(17).build().run(a);
                assertEquals(4000, e.products());
                for (int i = 0; i < 30; i++) {
                    double var = 0;
                    for (int j = 0; j < 30; j++) {
                        var += j == i ? 0 : mat[i][j] * mat[i][j];
                    }
                    double sd = Math.sqrt(var / 4000);
                    assertEquals(mat[i][i], e.get(i), 4.5 * sd, "entry " + i);
                    assertEquals(sd, e.standardErrors()[i], 0.15 * sd, "standard error " + i);
                }
            }
        }
    }

    /**
     * Stochastic Lanczos quadrature on a spectrum with four distinct eigenvalues: Lanczos breaks down after four
     * steps, so the nodes are exactly the eigenvalues; each weight is ‖P_λ v‖²/‖v‖², whose mean over probes
     * estimates multiplicity/n (per-probe sd ≤ √(2·mult)/n); the smoothed density integrates to 1.
     */
    @Test
    void slqRecoversDiscreteSpectrumAndMass() {
        double[] values = {-1, 0.5, 2, 6};
        int[] mult = {5, 10, 20, 5};
        double[] spectrum = new double[40];
        int p = 0;
        for (int i = 0; i < values.length; i++) {
            for (int j = 0; j < mult[i]; j++) {
                spectrum[p++] = values[i];
            }
        }
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(spectrum, 18, m, DataType.FLOAT64)) {
            SpectralDensityEstimate d = SpectralDensity.builder().optProbes(20).optLanczosSteps(30).optSeed(19)
                    .build().run(a);
            assertEquals(80, d.products(), "four steps per probe, then breakdown");
            for (double[] nodes : d.nodes()) {
                assertEquals(4, nodes.length);
                for (int i = 0; i < 4; i++) {
                    assertEquals(values[i], nodes[i], 1e-9);
                }
            }
            for (int i = 0; i < values.length; i++) {
                double expected = mult[i] / 40.0;
                double sd = Math.sqrt(2.0 * mult[i]) / 40 / Math.sqrt(20);
                assertEquals(expected, d.mass(values[i] - 0.1, values[i] + 0.1), 4 * sd, "mass at " + values[i]);
            }
            assertEquals(1.0, d.integral(), 1e-3);
            assertEquals(1.0, d.mass(-10, 10), 1e-12, "weights sum to 1 per probe");
        }
    }

    /** SLQ on a continuous spectrum (uniform on [0, 1], n = 400): half the mass below 0.5, density ≈ 1 inside. */
    @Test
    void slqOnUniformSpectrum() {
        double[] spectrum = new double[400];
        for (int i = 0; i < spectrum.length; i++) {
            spectrum[i] = (i + 0.5) / spectrum.length;
        }
        try (NDManager m = NDManager.newBaseManager();
                DenseOperator a = DenseOperator.withSpectrum(spectrum, 20, m, DataType.FLOAT64)) {
            SpectralDensityEstimate d = SpectralDensity.builder().optProbes(8).optLanczosSteps(60).optSeed(21)
                    .optSigma(0.05).build().run(a);
            assertEquals(0.5, d.mass(0, 0.5), 0.05);
            assertEquals(0.5, d.mean(), 0.02, "mean eigenvalue tr(A)/n");
            assertEquals(1.0, d.integral(), 1e-3);
            double[] grid = d.grid();
            double[] density = d.density();
            for (int i = 0; i < grid.length; i++) {
                if (grid[i] > 0.25 && grid[i] < 0.75) {
                    assertEquals(1.0, density[i], 0.25, "density at " + grid[i]);
                }
            }
        }
    }
}
