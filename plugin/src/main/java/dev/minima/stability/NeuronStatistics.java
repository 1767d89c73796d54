package dev.minima.stability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Per-neuron terms of the multivariate stability analysis (Nacson et al. 2023), in closed form from the weights
 * and the inputs (docs/theory.md §2). For neuron i with z_ji = x_jᵀw_i + b_i and x̃_j = (x_j, 1):
 *
 * <ul>
 *   <li>a_i = v_i‖w_i‖, w̄_i = w_i/‖w_i‖, b̄_i = −b_i/‖w_i‖ (Nacson et al. 2023, eq. 51, 55);
 *   <li>T⁺_i = |v_i| · (1/n)Σ_{z_ji&gt;0} z_ji · ‖(1/n)Σ_{z_ji&gt;0} x̃_j‖ = |a_i| g̃(w̄_i, b̄_i) (the active side;
 *       Nacson et al. (2023), eq. 50–52);
 *   <li>T⁻_i: the same over z_ji &lt; 0 with |z_ji|, = |a_i| g̃(−w̄_i, −b̄_i);
 *   <li>S_θ = Σ_i min(T⁺_i, T⁻_i) = Σ_i |a_i| g(w̄_i, b̄_i) (Nacson et al. 2023, eq. 15 / 55);
 *   <li>Ĝ_i = |v_i| sqrt((1/n)Σ σ(z_ji)²) sqrt((1/n)Σ_{z_ji&gt;0} ‖x̃_j‖²) = |a_i| ĝ(w̄_i, b̄_i) (Nacson et al. 2023,
 * eq. 105, 114).
 * </ul>
 *
 * For d = 1 these are the univariate terms of Mulayoff et al. (2021), supplement eq. (S35–S41): |a_i| = |v_i w_i| and
 * g(w̄_i, b̄_i) = g(c_i). Dead neurons (w_i = 0, or inactive on every input on a side) contribute 0 on that side. When
 * the network has no hidden bias the feature is x̃_j = x_j (see {@link RadonWeightFunction}).
 */
public final class NeuronStatistics {

    /**
     * One neuron's terms.
     *
     * @param index the neuron index i
     * @param coefficient a_i = v_i ‖w_i‖
     * @param tPlus T⁺_i (active side)
     * @param tMinus T⁻_i (inactive side)
     * @param gHatTerm Ĝ_i = |a_i| ĝ(w̄_i, b̄_i)
     * @param gHatTermFlipped |a_i| ĝ(−w̄_i, −b̄_i)
     */
    public record Neuron(
            int index, double coefficient, double tPlus, double tMinus, double gHatTerm, double gHatTermFlipped) {

        /** @return |a_i| g(w̄_i, b̄_i) = min(T⁺_i, T⁻_i) */
        public double stabilityTerm() {
            return Math.min(tPlus, tMinus);
        }
    }

    private final List<Neuron> neurons;

    private NeuronStatistics(List<Neuron> neurons) {
        this.neurons = Collections.unmodifiableList(neurons);
    }

    /**
     * Computes every neuron's terms. The bias feature follows the network ({@link
     * ShallowReluNetwork#hasHiddenBias()}).
     *
     * @param network the network
     * @param sample the inputs
     * @return the statistics
     */
    public static NeuronStatistics of(ShallowReluNetwork network, InputSample sample) {
        return of(new HiddenResponse(network, sample));
    }

    static NeuronStatistics of(HiddenResponse r) {
        int n = r.n;
        int dim = r.features[0].length;
        List<Neuron> list = new ArrayList<>(r.k);
        for (int i = 0; i < r.k; i++) {
            double v = Math.abs(r.network.outputWeight(i));
            double wn = InputSample.norm(r.network.neuronWeights(i));
            double[] accP = new double[dim];
            double[] accM = new double[dim];
            double sumP = 0;
            double sumM = 0;
            double sqP = 0;
            double sqM = 0;
            double featP = 0;
            double featM = 0;
            for (int j = 0; j < n; j++) {
                double z = r.z[j][i];
                double[] f = r.features[j];
                double ff = 0;
                for (double a : f) {
                    ff += a * a;
                }
                if (z > 0) {
                    sumP += z;
                    sqP += z * z;
                    featP += ff;
                    for (int m = 0; m < dim; m++) {
                        accP[m] += f[m];
                    }
                } else if (z < 0) {
                    sumM -= z;
                    sqM += z * z;
                    featM += ff;
                    for (int m = 0; m < dim; m++) {
                        accM[m] += f[m];
                    }
                }
            }
            double tPlus = wn == 0 ? 0.0 : v * (sumP / n) * InputSample.norm(accP) / n;
            double tMinus = wn == 0 ? 0.0 : v * (sumM / n) * InputSample.norm(accM) / n;
            double gHat = wn == 0 ? 0.0 : v * Math.sqrt(sqP / n) * Math.sqrt(featP / n);
            double gHatFlip = wn == 0 ? 0.0 : v * Math.sqrt(sqM / n) * Math.sqrt(featM / n);
            list.add(new Neuron(i, r.network.outputWeight(i) * wn, tPlus, tMinus, gHat, gHatFlip));
        }
        return new NeuronStatistics(list);
    }

    /** @return the per-neuron terms, in neuron order */
    public List<Neuron> neurons() {
        return neurons;
    }

    /** @return S_θ = Σ_i min(T⁺_i, T⁻_i), the per-neuron (implementation-dependent) stability norm */
    public double perNeuronNorm() {
        double s = 0;
        for (Neuron u : neurons) {
            s += u.stabilityTerm();
        }
        return s;
    }

    /** @return Σ_i T⁺_i, the active-side sum in the chain of docs/theory.md §2 */
    public double activeSideSum() {
        double s = 0;
        for (Neuron u : neurons) {
            s += u.tPlus();
        }
        return s;
    }

    /**
     * Σ_i |a_i| ĝ(w̄_i, b̄_i): min_β λ_max(θ̃(β)) ≤ C([1] + 2·this) (docs/theory.md §2, sandwich of eq. 105).
     *
     * <p>[derived here] n·K(β) = [11ᵀ] + Σ_i (v_i²/β_i² P_i + β_i² Q_i) with P_i, Q_i PSD, so by Weyl
     * λ_max(K) ≤ [1] + (1/n)Σ_i (v_i²/β_i² tr P_i + β_i² ‖σ(z_i)‖²), and minimising each term over β_i gives
     * 2|v_i| sqrt(tr P_i/n) sqrt(‖σ(z_i)‖²/n) = 2|a_i| ĝ(w̄_i, b̄_i). This is Nacson et al. (2023), eq. (105) for the
     * network's own neurons; the paper's Lemma 2 (eq. 19) adds 4(‖f‖_R + inf‖∇f‖)·… because it re-implements f with
     * distinct knots and an explicit linear part (App. K eq. 106–120). Its eq. (98–101) rescale with the top
     * singular vector q held fixed although q moves with the rescaling; the q-free bound (105) is unaffected,
     * and the Weyl argument above avoids the issue.
     *
     * @return the ĝ sum
     */
    public double gHatSum() {
        double s = 0;
        for (Neuron u : neurons) {
            s += u.gHatTerm();
        }
        return s;
    }
}
