package dev.minima.stability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Knots and slope jumps of a univariate network f(x) = Σ v_i σ(w_i x + b_i) + c (Mulayoff et al. 2021, Sec. 3).
 *
 * <p>Neuron i with w_i ≠ 0 has its knot at c_i = −b_i/w_i (Mulayoff et al. 2021, supplement eq. S36) and changes the
 * slope of f there by v_i|w_i|: f'' = Σ_i v_i|w_i| δ(x − c_i). <b>Erratum</b> (docs/theory.md §1, §6): Mulayoff et al.
 * (2021), supplement (S41) and its footnote print f'' = Σ w_i v_i δ(x − τ_i); for w_i &lt; 0 the neuron σ(w_i x + b_i)
 * = |w_i| σ(c_i − x) bends upwards by |w_i| as well, so the coefficient is v_i|w_i|. The bound (S41) itself is
 * unaffected since it uses |w_i v_i|; only the merged norm ∫|f''| g, where signs of coincident neurons interact,
 * changes.
 *
 * <p>Knots closer than a tolerance merge before the absolute value: S(f) = ∫|f''| g = Σ_distinct c |Σ_{i:
 * c_i = c} v_i|w_i|| g(c) ≤ Σ_i |v_i w_i| g(c_i).
 */
public final class UnivariateKnots {

    /**
     * One distinct knot.
     *
     * @param position the knot c
     * @param slopeJump f'(c⁺) − f'(c⁻) = Σ v_i|w_i| over merged neurons
     * @param neurons how many neurons share it
     */
    public record Knot(double position, double slopeJump, int neurons) {}

    /**
     * One neuron's knot (before merging).
     *
     * @param neuron the neuron index
     * @param position c_i = −b_i/w_i
     * @param slopeJump v_i|w_i|
     */
    public record NeuronKnot(int neuron, double position, double slopeJump) {}

    private final List<NeuronKnot> neuronKnots;
    private final List<Knot> knots;

    private UnivariateKnots(List<NeuronKnot> neuronKnots, List<Knot> knots) {
        this.neuronKnots = Collections.unmodifiableList(neuronKnots);
        this.knots = Collections.unmodifiableList(knots);
    }

    /**
     * @param network a univariate network (d = 1)
     * @return its knots, merged with relative tolerance {@link MergedKnots#DEFAULT_TOLERANCE}
     */
    public static UnivariateKnots of(ShallowReluNetwork network) {
        return of(network, MergedKnots.DEFAULT_TOLERANCE);
    }

    /**
     * @param network a univariate network (d = 1)
     * @param tolerance knots c, c' merge when |c − c'| ≤ tolerance·(1 + |c|) (consecutive after sorting)
     * @return its knots
     */
    public static UnivariateKnots of(ShallowReluNetwork network, double tolerance) {
        if (network.inputDimension() != 1) {
            throw new IllegalArgumentException(
                    "knots on the line need a univariate network (d = 1), got d = " + network.inputDimension()
                            + "; use MergedKnots for d > 1");
        }
        if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
            throw new IllegalArgumentException("knot tolerance must be finite and ≥ 0, got " + tolerance);
        }
        List<NeuronKnot> per = new ArrayList<>();
        double total = 0;
        for (int i = 0; i < network.width(); i++) {
            double w = network.neuronWeights(i)[0];
            if (w == 0) {
                continue;
            }
            double jump = network.outputWeight(i) * Math.abs(w);
            per.add(new NeuronKnot(i, -network.hiddenBias(i) / w, jump));
            total += Math.abs(jump);
        }
        List<NeuronKnot> sorted = new ArrayList<>(per);
        sorted.sort((a, b) -> Double.compare(a.position(), b.position()));
        List<Knot> merged = new ArrayList<>();
        int s = 0;
        while (s < sorted.size()) {
            double c0 = sorted.get(s).position();
            double jump = 0;
            double posSum = 0;
            int e = s;
            while (e < sorted.size() && sorted.get(e).position() - c0 <= tolerance * (1 + Math.abs(c0))) {
                jump += sorted.get(e).slopeJump();
                posSum += sorted.get(e).position();
                e++;
            }
            if (Math.abs(jump) > 1e-12 * total) {
                merged.add(new Knot(posSum / (e - s), jump, e - s));
            }
            s = e;
        }
        return new UnivariateKnots(per, merged);
    }

    /** @return the distinct knots with non-zero slope jump, by position */
    public List<Knot> knots() {
        return knots;
    }

    /** @return every neuron's knot (neurons with w_i = 0 have none), in neuron order */
    public List<NeuronKnot> neuronKnots() {
        return neuronKnots;
    }

    /** @return L, the number of distinct knots (Mulayoff et al. 2021, Theorem 2) */
    public int count() {
        return knots.size();
    }

    /**
     * S(f) = ∫|f''| g = Σ_knots |jump| g(c) (Mulayoff et al. 2021, eq. 21, merged knots).
     *
     * @param g the weight function
     * @return the stability norm
     */
    public double stabilityNorm(WeightFunction g) {
        double s = 0;
        for (Knot kn : knots) {
            s += Math.abs(kn.slopeJump()) * g.g(kn.position());
        }
        return s;
    }

    /**
     * Σ_i |v_i w_i| g(c_i) (Mulayoff et al. 2021, supplement eq. S41, first line): the implementation-dependent sum, ≥
     * S(f).
     *
     * @param g the weight function
     * @return the per-neuron sum
     */
    public double perNeuronNorm(WeightFunction g) {
        double s = 0;
        for (NeuronKnot kn : neuronKnots) {
            s += Math.abs(kn.slopeJump()) * g.g(kn.position());
        }
        return s;
    }
}
