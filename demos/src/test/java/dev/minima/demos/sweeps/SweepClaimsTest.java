package dev.minima.demos.sweeps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minima.demos.support.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Every verdict of the sweeps' reports can fail: a measured-looking sweep that satisfies every claim gets
 * "agrees"/"holds" throughout, and one that violates a single claim gets "differs" (or "fails") on that claim.
 */
class SweepClaimsTest {

    private static final double[] ETAS = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5};

    /** A converged end point at the edge: S = 0.3(1/η − 1/2), flattest λ = 1.2(1 + 2S), λ = 0.99·2/η. */
    private static SweepPoint good(double eta) {
        double s = 0.3 * (1 / eta - 0.5);
        double lower = 1 + 2 * s;
        double flat = 1.2 * lower;
        double lmax = 0.99 * 2 / eta;
        return new SweepPoint(eta, 1000, 1e-9, true, false, false, lmax, lmax, 1e-12, 1e-6, 2 / eta, lower, flat,
                flat, 2 * flat, s, s, 1 / eta - 0.5, 1 / eta, 1 + eta, 0, 1);
    }

    private static SweepPoint with(SweepPoint p, double lmax, double lanczos, double lower, double flat, double s,
            double offset, boolean converged) {
        return new SweepPoint(p.eta(), p.steps(), p.loss(), converged, false, false, lmax, lanczos, p.lanczosResidual(),
                p.weylBound(), p.threshold(), lower, flat, flat, p.ghatUpper(), s, s, p.bound(), p.biasNorm(), offset,
                0, 1);
    }

    private static Report report(UnaryOperator<SweepPoint> change, int index) {
        List<SweepPoint> points = new ArrayList<>();
        for (int i = 0; i < ETAS.length; i++) {
            SweepPoint p = good(ETAS[i]);
            points.add(index < 0 || i == index ? change.apply(p) : p);
        }
        SweepClaims claims = new SweepClaims(points);
        Report r = new Report("test");
        claims.addTo(r, "paper counts", 0.915, "Fig. 3(c)");
        claims.addCertificate(r);
        claims.addMultivariate(r);
        return r;
    }

    private static final String COUNTS = "GD reaches a global minimum";
    private static final String EDGE = "GD solutions sit at the edge";
    private static final String STABLE = "Linear stability";
    private static final String TIGHT = "The lower bound 1 + 2S is close";
    private static final String SMOOTHER = "Solutions get smoother";
    private static final String CERT = "The flattest rescaling found numerically";
    private static final String OFFSETS = "The offsets of the normalised neurons";
    private static final String THEOREM1 = "Theorem 1's S ≤ 1/η − 1/2";
    private static final String CHAIN = "1 + 2S ≤ flattest λ ≤ λ_max";
    private static final String GRAM = "At interpolation the Hessian's λ_max";
    private static final String EQ105 = "Eq. (105)";

    @Test
    void aSweepThatMeetsEveryClaimAgreesThroughout() {
        Report r = report(UnaryOperator.identity(), -1);
        assertEquals(0, r.disagreements(), r.markdown());
        assertEquals(0, r.failedChecks(), r.markdown());
    }

    @Test
    void tooFewUsableRunsDiffer() {
        // the paper's 91.5% less 3 SE for N = 6 is 91.5% − 3·sqrt(.915·.085/6) = 57.3%: 3 usable runs of 6 differ
        Report r = report(p -> p.eta() <= 0.05 ? with(p, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, false) : p, -1);
        assertEquals("**differs**", r.verdict(COUNTS), r.markdown());
        assertEquals(0.915 - 3 * Math.sqrt(0.915 * 0.085 / 6), SweepClaims.minimumUsableFraction(0.915, 6), 1e-15);
    }

    @Test
    void aLargeStepOffTheEdgeDiffers() {
        Report r = report(p -> with(p, 0.5 * p.threshold(), 0.5 * p.threshold(), p.lowerBound(), p.flattestLambda(),
                p.stabilityNorm(), p.offsetNorm(), true), ETAS.length - 1);
        assertEquals("**differs**", r.verdict(EDGE), r.markdown());
    }

    @Test
    void aMinimumSharperThanTwoOverEtaDiffers() {
        Report r = report(p -> with(p, 1.1 * p.threshold(), 1.1 * p.threshold(), p.lowerBound(), p.flattestLambda(),
                p.stabilityNorm(), p.offsetNorm(), true), 2);
        assertEquals("**differs**", r.verdict(STABLE), r.markdown());
    }

    @Test
    void aLooseLowerBoundDiffers() {
        // flattest λ = 2(1 + 2S) everywhere: median ratio 2 > 1.5
        Report r = report(p -> with(p, p.lmax(), p.lmaxLanczos(), p.lowerBound(), 2 * p.lowerBound(),
                p.stabilityNorm(), p.offsetNorm(), true), -1);
        assertEquals("**differs**", r.verdict(TIGHT), r.markdown());
        assertEquals(1.2, new SweepClaims(List.of(good(0.1), good(0.2))).medianTightness(), 1e-12);
    }

    @Test
    void rougherSolutionsAtLargerStepsDiffer() {
        Report r = report(p -> with(p, p.lmax(), p.lmaxLanczos(), 1 + 2 * p.eta(), 1.2 * (1 + 2 * p.eta()), p.eta(),
                p.offsetNorm(), true), -1);
        assertEquals("**differs**", r.verdict(SMOOTHER), r.markdown());
    }

    @Test
    void anUncertifiedFlattestSearchDiffers() {
        Report r = report(p -> new SweepPoint(p.eta(), p.steps(), p.loss(), true, false, false, p.lmax(),
                p.lmaxLanczos(), p.lanczosResidual(), p.weylBound(), p.threshold(), p.lowerBound(), p.flattestLambda(),
                0.9 * p.flattestLambda(), p.ghatUpper(), p.stabilityNorm(), p.perNeuronNorm(), p.bound(),
                p.biasNorm(), p.offsetNorm(), 0, 1), 1);
        assertEquals("**differs**", r.verdict(CERT), r.markdown());
    }

    @Test
    void offsetsFallingWithEtaDiffer() {
        Report r = report(p -> with(p, p.lmax(), p.lmaxLanczos(), p.lowerBound(), p.flattestLambda(),
                p.stabilityNorm(), 1 / p.eta(), true), -1);
        assertEquals("**differs**", r.verdict(OFFSETS), r.markdown());
    }

    @Test
    void consistencyChecksFailWhenTheirRelationBreaks() {
        // S above 1/η − 1/2
        Report r = report(p -> with(p, p.lmax(), p.lmaxLanczos(), 1 + 2 * (p.bound() + 1), p.flattestLambda(),
                p.bound() + 1, p.offsetNorm(), true), 3);
        assertEquals("**fails**", r.verdict(THEOREM1), r.markdown());
        assertEquals("**fails**", r.verdict(CHAIN), r.markdown());
        // flattest above λ
        r = report(p -> with(p, p.lmax(), p.lmaxLanczos(), p.lowerBound(), 1.5 * p.lmax(), p.stabilityNorm(),
                p.offsetNorm(), true), 0);
        assertEquals("**fails**", r.verdict(CHAIN), r.markdown());
        // Gram and Hessian λ apart by more than the Weyl bound
        r = report(p -> with(p, p.lmax(), 0.9 * p.lmax(), p.lowerBound(), p.flattestLambda(), p.stabilityNorm(),
                p.offsetNorm(), true), 4);
        assertEquals("**fails**", r.verdict(GRAM), r.markdown());
        // flattest above the ĝ upper bound of eq. (105)
        r = report(p -> new SweepPoint(p.eta(), p.steps(), p.loss(), true, false, false, p.lmax(), p.lmaxLanczos(),
                p.lanczosResidual(), p.weylBound(), p.threshold(), p.lowerBound(), p.flattestLambda(),
                p.flattestCertificate(), 0.5 * p.flattestLambda(), p.stabilityNorm(), p.perNeuronNorm(), p.bound(),
                p.biasNorm(), p.offsetNorm(), 0, 1), 2);
        assertEquals("**fails**", r.verdict(EQ105), r.markdown());
    }

    @Test
    void stepSwitchDiffersWhenTheSwitchedSolutionIsRougher() {
        SweepPoint constant = good(0.05);
        SweepPoint smoother = with(good(0.15), good(0.15).lmax(), good(0.15).lmax(), 1.5, 1.8, 0.25, 1, true);
        SweepPoint rougher = with(good(0.15), good(0.15).lmax(), good(0.15).lmax(), 1 + 2 * 9, 1.2 * 19, 9, 1, true);
        Report ok = new Report("t");
        SweepClaims.addStepSwitch(ok, constant, smoother, 0.05, 0.15, 100);
        assertEquals("agrees", ok.verdict("Step switch"));
        Report bad = new Report("t");
        SweepClaims.addStepSwitch(bad, constant, rougher, 0.05, 0.15, 100);
        assertEquals("**differs**", bad.verdict("Step switch"));
    }
}
