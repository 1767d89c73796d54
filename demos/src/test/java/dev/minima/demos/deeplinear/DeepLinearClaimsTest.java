package dev.minima.demos.deeplinear;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minima.demos.deeplinear.DeepLinearClaims.Lemma1Run;
import dev.minima.demos.deeplinear.DeepLinearClaims.Search;
import dev.minima.demos.support.Report;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every verdict of {@code deep-linear}'s report can fail: one violated claim at a time turns it to "differs". */
class DeepLinearClaimsTest {

    private static final double CLOSED = 10;
    private static final List<Search> SEARCHES = List.of(new Search(1e4, 10.05, 10.05, 5000));
    private static final List<Lemma1Run> LEMMA1 = List.of(new Lemma1Run(2, 1e-14, 1e-12, 10, 10),
            new Lemma1Run(4, 1e-14, 1e-11, 31.6, 31.6));

    private static Report report(DeepLinearClaims c) {
        Report r = new Report("t");
        c.addTo(r);
        return r;
    }

    @Test
    void measurementsThatMeetTheTheoryAgree() {
        Report r = report(new DeepLinearClaims(CLOSED, CLOSED, new double[] {20, 55}, SEARCHES, LEMMA1, 1e-12, 1e-13));
        assertEquals(0, r.disagreements(), r.markdown());
        assertEquals(0, r.failedChecks(), r.markdown());
    }

    @Test
    void aMinimumFlatterThanTheClosedFormDiffers() {
        Report r = report(new DeepLinearClaims(CLOSED, CLOSED, new double[] {20, 9.9}, SEARCHES, LEMMA1, 0, 0));
        assertEquals("**differs**", r.verdict("Theorem 1: no global minimum"), r.markdown());
        r = report(new DeepLinearClaims(CLOSED, CLOSED, new double[] {20}, List.of(new Search(1e4, 9.99, 9.99, 9)),
                LEMMA1, 0, 0));
        assertEquals("**differs**", r.verdict("Theorem 1: no global minimum"), r.markdown());
    }

    @Test
    void aCanonicalMinimumOffTheClosedFormDiffers() {
        Report r = report(new DeepLinearClaims(CLOSED, 10.001, new double[] {20}, SEARCHES, LEMMA1, 0, 0));
        assertEquals("**differs**", r.verdict("Theorem 1: the flattest minima attain"), r.markdown());
    }

    @Test
    void aSearchThatStallsAboveTheClosedFormDiffers() {
        Report r = report(new DeepLinearClaims(CLOSED, CLOSED, new double[] {20},
                List.of(new Search(1e4, 10.05, 10.05, 5000), new Search(1e4, 10.2, 10.2, 9000)), LEMMA1, 0, 0));
        assertEquals("**differs**", r.verdict("The search over Ω"), r.markdown());
        r = report(new DeepLinearClaims(CLOSED, CLOSED, new double[] {20}, List.of(), LEMMA1, 0, 0));
        assertEquals("**differs**", r.verdict("The search over Ω"), r.markdown());
    }

    @Test
    void gradientDescentThatMissesTheRootDiffers() {
        Report r = report(new DeepLinearClaims(CLOSED, CLOSED, new double[] {20}, SEARCHES,
                List.of(new Lemma1Run(6, 1e-14, 1e-3, 55.3, 55.26)), 0, 0));
        assertEquals("**differs**", r.verdict("Lemma 1(ii)"), r.markdown());
    }

    @Test
    void consistencyChecksFail() {
        Report r = report(new DeepLinearClaims(CLOSED, CLOSED, new double[] {20}, SEARCHES, LEMMA1, 1e-3, 1e-3));
        assertEquals("**fails**", r.verdict("The dual operator"), r.markdown());
        assertEquals("**fails**", r.verdict("Orthogonal gauge"), r.markdown());
    }
}
