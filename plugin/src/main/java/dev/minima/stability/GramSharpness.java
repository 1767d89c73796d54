package dev.minima.stability;


/**
 * Exact sharpness of a one-hidden-layer ReLU network from the n×n Gram matrix of its tangent features.
 *
 * <p>With Φ = [∇_θ f(x_1) … ∇_θ f(x_n)] the Hessian of the loss at an interpolating minimum is C·ΦΦᵀ/n
 * (Mulayoff et al. 2021, eq. 27; Nacson et al. 2023, eq. 44; C from the {@link LossConvention}), and away from
 * interpolation this is its Gauss–Newton part. Its top eigenvalue equals that of the Gram matrix C·K with K = ΦᵀΦ/n
 * (Mulayoff et al. 2021, eq. 28; Nacson et al. 2023, eq. 47), which in closed form is [derived, docs/theory.md §2]
 *
 * <pre>
 *   n·K = 11ᵀ + (X̃X̃ᵀ) ∘ (A diag(v²) Aᵀ) + σ(Z)σ(Z)ᵀ,   Z = XWᵀ + 1bᵀ, A = 1[Z &gt; 0], X̃ = [X, 1],
 * </pre>
 *
 * dropping 11ᵀ without an output bias and the column of ones in X̃ without hidden biases. The cost is
 * O(n²k) to build and O(n³) to decompose, fine for the few hundred points of the papers' experiments.
 *
 * <p>Also here: the first link of the lower-bound chain, ‖mean_j ∇_θ f(x_j)‖² = 1ᵀK1/n ≤ λ_max(K) (the
 * choice u = 1/√n in Mulayoff et al. (2021), supplement eq. S33 / Nacson et al. (2023), eq. 48).
 */
public final class GramSharpness {

    private final LossConvention loss;
    private final double[][] gram;
    private final double lambda;
    private final double[] top;
    private final double meanGradientSquared;

    private GramSharpness(LossConvention loss, double[][] gram, double lambda, double[] top, double mg) {
        this.loss = loss;
        this.gram = gram;
        this.lambda = lambda;
        this.top = top;
        this.meanGradientSquared = mg;
    }

    /**
     * @param network the network
     * @param sample the training inputs
     * @param loss the loss convention (C = 1 for ½-MSE, 2 for MSE)
     * @return the sharpness
     */
    public static GramSharpness of(ShallowReluNetwork network, InputSample sample, LossConvention loss) {
        return of(new HiddenResponse(network, sample), loss);
    }

    static GramSharpness of(HiddenResponse r, LossConvention loss) {
        double[][] g = r.gram(null, null);
        int n = r.n;
        double sum = 0;
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < n; l++) {
                g[j][l] /= n;
                sum += g[j][l];
            }
        }
        Spectrum top = Spectrum.top(g, 1, null, 1e-13); // dense up to 200 samples, Lanczos above
        double c = loss.hessianConstant();
        return new GramSharpness(loss, g, c * Math.max(0.0, top.max()), top.vectors[0], c * sum / n);
    }

    /** @return the convention these numbers assume */
    public LossConvention loss() {
        return loss;
    }

    /** @return C·λ_max(K): the top Hessian eigenvalue at interpolation (Gauss–Newton elsewhere) */
    public double lambdaMax() {
        return lambda;
    }

    /** @return a unit top eigenvector u of K, over samples (the ũ of Mulayoff et al. 2021, supplement eq. S85–S88) */
    public double[] topSampleVector() {
        return top.clone();
    }

    /** @return K = ΦᵀΦ/n without the loss constant (a copy) */
    public double[][] gram() {
        double[][] c = new double[gram.length][];
        for (int j = 0; j < gram.length; j++) {
            c[j] = gram[j].clone();
        }
        return c;
    }

    /** @return C·‖(1/n) Σ_j ∇_θ f(x_j)‖², a lower bound on {@link #lambdaMax()} */
    public double meanGradientSquared() {
        return meanGradientSquared;
    }

    /**
     * The dense tangent-feature matrix, one row ∇_θ f(x_j) per input (for checks and small problems).
     *
     * @param network the network
     * @param sample the inputs
     * @return n × P matrix, P = {@link ShallowReluNetwork#parameterCount()}
     */
    public static double[][] tangentFeatures(ShallowReluNetwork network, InputSample sample) {
        sample.checkCompatible(network);
        double[][] phi = new double[sample.size()][];
        for (int j = 0; j < sample.size(); j++) {
            phi[j] = network.parameterGradient(sample.row(j));
        }
        return phi;
    }
}
