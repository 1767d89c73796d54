package dev.minima.stability;

/**
 * The flattest per-neuron rescaling of a network (Mulayoff et al. 2021, supplement Sec. XI): F(β) = λ_max(∇²L(θ̃(β)))
 * minimised over β ∈ ℝ₊^k, with θ̃(β) = [β⊙w, β⊙b, v/β, c] (Mulayoff et al. 2021, supplement eq. S81–S82), together
 * with the paper's certificate (S88) and a rigorous duality gap.
 *
 * <p><b>Method.</b> With s = log β, n·K(s) = [11ᵀ] + Σ_i (e^{−2s_i} v_i² P_i + e^{2s_i} Q_i), P_i =
 * (X̃X̃ᵀ) ∘ (a_i a_iᵀ), Q_i = σ(z_i)σ(z_i)ᵀ, all PSD. λ_max(K(s)) = max_{U ⪰ 0, tr U = 1} ⟨K(s), U⟩ is a
 * maximum of convex functions of s, hence convex in s [derived here]; so instead of the paper's plain GD
 * on log β we minimise the smooth convex surrogate F_t(s) = (1/t) log tr exp(t K(s)) (F ≤ F_t ≤ F +
 * log(n)/t) by L-BFGS with Armijo backtracking, tightening t stage by stage. By minimax over the
 * spectraplex, every U gives the lower bound D(U) = min_s ⟨K(s), U⟩ = (1/n)[⟨11ᵀ, U⟩ + 2Σ_i |v_i|
 * sqrt(⟨P_i, U⟩⟨Q_i, U⟩)] ≤ min_β F(β); with U the softmax weighting of K's eigenvectors this closes the gap.
 * D(uuᵀ) for the top eigenvector u is exactly the paper's (S88); the rank-one form can fall short of F when
 * the top eigenvalue is multiple at the optimum, the general D(U) does not.
 *
 * <p>Each evaluation builds K(s) in O(n²k); its spectrum is dense (EJML, through {@code curvature.SymmetricEigen})
 * up to n = 200 and otherwise the top eigenpairs that matter at the current smoothing level, by the library's
 * {@code curvature.Lanczos} on K(s) as a {@code DenseOperator}, warm-started from the previous top eigenvector
 * (n = 300, k = 100 takes a few seconds). The minimiser is {@link Lbfgs}.
 *
 * <p>Neurons with v_i = 0 or never active on the data contribute nothing at the optimum (the infimum is
 * approached as β_i → 0 for v_i = 0); they are left out, with β_i reported as 0 (v_i = 0, active) or 1
 * (dead). All reported eigenvalues include the loss constant C.
 */
public final class FlattestRescaling {

    /**
     * The outcome.
     *
     * @param lambda C·F(β̂): the sharpness of the best rescaling found, an upper bound on min_β F
     * @param beta β̂ (see the class notes for neurons left out)
     * @param certificate C·(S88) at the top eigenvector of K(β̂): a lower bound on min_β F (Mulayoff et al. 2021,
     *     supplement eq. S85)
     * @param dualBound C·D(U), the best rigorous lower bound on min_β F found (≥ the rank-one certificate's
     *     value unless the smoothing weights are looser)
     * @param iterations L-BFGS iterations used
     * @param converged whether the relative gap (lambda − max(certificate, dualBound))/lambda reached the
     *     tolerance
     */
    public record Result(
            double lambda, double[] beta, double certificate, double dualBound, int iterations, boolean converged) {

        /** @return a copy of β̂ */
        @Override
        public double[] beta() {
            return beta.clone();
        }

        /** @return (λ − max(certificate, dualBound)) / λ, the relative distance to the certified minimum */
        public double relativeGap() {
            return gap(lambda, Math.max(certificate, dualBound));
        }
    }

    private final double tolerance;
    private final int maxIterations;

    /** (upper − lower)/upper, 0 when both vanish (every neuron dead and no output bias). */
    private static double gap(double upper, double lower) {
        return upper <= 0 ? 0.0 : (upper - lower) / upper;
    }

    private FlattestRescaling(Builder builder) {
        this.tolerance = builder.tolerance;
        this.maxIterations = builder.maxIterations;
    }

    /** @return a builder (defaults: relative gap 1e-10, at most 3000 L-BFGS iterations) */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings of the minimiser, in DJL builder style. */
    public static final class Builder {
        private double tolerance = 1e-10;
        private int maxIterations = 3000;

        private Builder() {}

        /**
         * @param relativeGap stop when (F − lower bound)/F is below this
         * @return this builder
         */
        public Builder optTolerance(double relativeGap) {
            if (!(relativeGap > 0) || !Double.isFinite(relativeGap)) {
                throw new IllegalArgumentException(
                        "tolerance must be positive and finite, got " + relativeGap + " (e.g. 1e-8)");
            }
            this.tolerance = relativeGap;
            return this;
        }

        /**
         * @param iterations total L-BFGS iteration budget
         * @return this builder
         */
        public Builder optMaxIterations(int iterations) {
            if (iterations < 1) {
                throw new IllegalArgumentException("maxIterations must be ≥ 1, got " + iterations);
            }
            this.maxIterations = iterations;
            return this;
        }

        /** @return the minimiser */
        public FlattestRescaling build() {
            return new FlattestRescaling(this);
        }
    }

    /**
     * Minimises with default settings.
     *
     * @param network the network
     * @param sample the inputs
     * @param loss the loss convention
     * @return the result
     */
    public static Result minimize(ShallowReluNetwork network, InputSample sample, LossConvention loss) {
        return builder().build().run(network, sample, loss);
    }

    /**
     * The certificate (S88) of Mulayoff et al. (2021), supplement: for a unit sample-space vector u,
     * min_β uᵀK(β)u = (1/n)[(Σ_j u_j)² + 2Σ_i |v_i| sqrt(A_i) sqrt(B_i)], A_i = ‖Σ_j u_j I_ji x̃_j‖² (for d = 1:
     * (Σ u_j x_j I_ji)² + (Σ u_j I_ji)²), B_i = (Σ_j u_j σ(w_i x_j + b_i))², times C. It is invariant under
     * rescaling, and a lower bound on min_β F(β) for every u (Mulayoff et al. 2021, supplement eq. S85).
     *
     * @param network the network
     * @param sample the inputs
     * @param u a unit vector over the n samples
     * @param loss the loss convention
     * @return C·(S88)
     */
    public static double certificate(ShallowReluNetwork network, InputSample sample, double[] u, LossConvention loss) {
        HiddenResponse r = new HiddenResponse(network, sample);
        checkSampleVector(u, r.n);
        return loss.hessianConstant() * rankOneBound(r, u);
    }

    /**
     * The minimiser of β ↦ uᵀK(β)u: β_i* = (|v_i| sqrt(A_i) / sqrt(B_i))^{1/2} (docs/theory.md §1, from Mulayoff et al.
     * 2021, supplement eq. S87). 0/0 (neuron inactive on the data) gives 1; A_i = 0 or v_i = 0 gives 0 and B_i = 0
     * gives +∞ (the infimum is approached in that limit).
     *
     * @param network the network
     * @param sample the inputs
     * @param u a unit vector over the n samples
     * @return β*
     */
    public static double[] closedFormMinimiser(ShallowReluNetwork network, InputSample sample, double[] u) {
        HiddenResponse r = new HiddenResponse(network, sample);
        checkSampleVector(u, r.n);
        double[] beta = new double[r.k];
        for (int i = 0; i < r.k; i++) {
            double num = Math.abs(network.outputWeight(i)) * Math.sqrt(r.activeFeatureSquared(i, u));
            double den = Math.sqrt(r.reluProjectionSquared(i, u));
            beta[i] = num == 0 && den == 0 ? 1.0 : Math.sqrt(num / den);
        }
        return beta;
    }

    private static void checkSampleVector(double[] u, int n) {
        if (u == null || u.length != n) {
            throw new IllegalArgumentException(
                    "sample-space vector has length " + (u == null ? 0 : u.length) + ", expected n = " + n);
        }
    }

    private static double rankOneBound(HiddenResponse r, double[] u) {
        double s = 0;
        if (r.network.hasOutputBias()) {
            double t = 0;
            for (double a : u) {
                t += a;
            }
            s += t * t;
        }
        for (int i = 0; i < r.k; i++) {
            double v = Math.abs(r.network.outputWeight(i));
            if (v == 0) {
                continue;
            }
            s += 2 * v * Math.sqrt(r.activeFeatureSquared(i, u)) * Math.sqrt(r.reluProjectionSquared(i, u));
        }
        return s / r.n;
    }

    /**
     * Runs the minimisation.
     *
     * @param network the network
     * @param sample the inputs
     * @param loss the loss convention
     * @return the result
     */
    public Result run(ShallowReluNetwork network, InputSample sample, LossConvention loss) {
        return new Solver(new HiddenResponse(network, sample)).solve(loss.hessianConstant());
    }

    /** One minimisation; all values without the constant C until the end. */
    private final class Solver {
        private final HiddenResponse r;
        private final int n;
        private final int k;
        private final boolean[] include;
        private final int[] idx;
        private final double[] v2;
        private final double[][] fg;
        private int iterations;
        /** How many top eigenpairs the last smoothing level needed (Lanczos path only). */
        private int rank = 8;
        /** Warm start for Lanczos: the previous top eigenvector. */
        private double[] warm;

        Solver(HiddenResponse r) {
            this.r = r;
            this.n = r.n;
            this.k = r.k;
            this.include = new boolean[k];
            int m = 0;
            for (int i = 0; i < k; i++) {
                include[i] = r.network.outputWeight(i) != 0 && r.everActive(i);
                if (include[i]) {
                    m++;
                }
            }
            this.idx = new int[m];
            m = 0;
            for (int i = 0; i < k; i++) {
                if (include[i]) {
                    idx[m++] = i;
                }
            }
            this.v2 = new double[k];
            for (int i = 0; i < k; i++) {
                double v = r.network.outputWeight(i);
                v2[i] = v * v;
            }
            this.fg = r.featureGram();
        }

        /**
         * The top of the spectrum of K(s) (s over all k neurons): every eigenvalue within 40/t of the top
         * (weight ≥ e^{−40} in the smoothing; the rest change F_t by less than n·e^{−40} relative), or only
         * the top pair when t is infinite.
         */
        private Spectrum decompose(double[] s, double t) {
            double[][] g = r.gram(s, include);
            for (double[] row : g) {
                for (int l = 0; l < n; l++) {
                    row[l] /= n;
                }
            }
            int want = Double.isInfinite(t) ? 1 : rank;
            while (true) {
                Spectrum sp = Spectrum.top(g, want, warm, 1e-13);
                warm = sp.vectors[0];
                boolean enough = sp.complete || Double.isInfinite(t)
                        || t * (sp.max() - sp.values[sp.size() - 1]) >= 40;
                if (enough) {
                    if (!Double.isInfinite(t)) {
                        rank = want;
                    }
                    return sp;
                }
                want = Math.min(n, 2 * want);
            }
        }

        /** Softmax weights p_m ∝ exp(t μ_m) over the eigenvalues present (descending). */
        private double[] weights(Spectrum sp, double t) {
            double max = sp.max();
            int m = sp.size();
            double[] p = new double[m];
            double z = 0;
            for (int i = 0; i < m; i++) {
                p[i] = Math.exp(t * (sp.values[i] - max));
                z += p[i];
            }
            for (int i = 0; i < m; i++) {
                p[i] /= z;
            }
            return p;
        }

        private double smoothed(Spectrum sp, double t) {
            double max = sp.max();
            double z = 0;
            for (double mu : sp.values) {
                z += Math.exp(t * (mu - max));
            }
            return max + Math.log(z) / t;
        }

        /** U = Σ p_m u_m u_mᵀ (entries with negligible weight skipped). */
        private double[][] mixture(Spectrum sp, double[] p) {
            double[][] u = new double[n][n];
            for (int m = 0; m < sp.size(); m++) {
                if (p[m] < 1e-18) {
                    continue;
                }
                double[] vec = sp.vectors[m];
                for (int j = 0; j < n; j++) {
                    double a = p[m] * vec[j];
                    if (a == 0) {
                        continue;
                    }
                    for (int l = 0; l <= j; l++) {
                        u[j][l] += a * vec[l];
                    }
                }
            }
            for (int j = 0; j < n; j++) {
                for (int l = 0; l < j; l++) {
                    u[l][j] = u[j][l];
                }
            }
            return u;
        }

        /** ⟨P_i, U⟩ and ⟨Q_i, U⟩ for every included neuron: out[0][i], out[1][i]. */
        private double[][] pairings(double[][] u) {
            double[][] out = new double[2][k];
            int[] act = new int[n];
            for (int i : idx) {
                int na = 0;
                for (int j = 0; j < n; j++) {
                    if (r.z[j][i] > 0) {
                        act[na++] = j;
                    }
                }
                double p = 0;
                double q = 0;
                for (int a = 0; a < na; a++) {
                    int j = act[a];
                    double zj = r.z[j][i];
                    double[] uj = u[j];
                    double[] fj = fg[j];
                    for (int b = 0; b < na; b++) {
                        int l = act[b];
                        p += uj[l] * fj[l];
                        q += uj[l] * zj * r.z[l][i];
                    }
                }
                out[0][i] = Math.max(0.0, p);
                out[1][i] = Math.max(0.0, q);
            }
            return out;
        }

        private double dualBound(double[][] u, double[][] pq) {
            double s = 0;
            if (r.network.hasOutputBias()) {
                for (double[] row : u) {
                    for (double a : row) {
                        s += a;
                    }
                }
            }
            for (int i : idx) {
                s += 2 * Math.sqrt(v2[i]) * Math.sqrt(pq[0][i] * pq[1][i]);
            }
            return s / n;
        }

        /** Gradient of F_t in the included coordinates. */
        private double[] gradient(double[] s, double[][] pq) {
            double[] g = new double[idx.length];
            for (int a = 0; a < idx.length; a++) {
                int i = idx[a];
                double e2 = Math.exp(2 * s[i]);
                g[a] = (-2 * v2[i] * pq[0][i] / e2 + 2 * e2 * pq[1][i]) / n;
            }
            return g;
        }

        Result solve(double c) {
            double[] s = new double[k];
            // start at the ĝ-balanced point e^{4 s_i} = v_i² tr P_i / tr Q_i, where F ≤ 1 + 2Σ|a_i|ĝ
            for (int i : idx) {
                double tp = 0;
                double tq = 0;
                for (int j = 0; j < n; j++) {
                    if (r.z[j][i] > 0) {
                        tp += fg[j][j];
                        tq += r.z[j][i] * r.z[j][i];
                    }
                }
                s[i] = 0.25 * Math.log(v2[i] * tp / tq);
            }
            Spectrum eig = decompose(s, Double.POSITIVE_INFINITY);
            double f = eig.max();
            double best = bestLower(eig, Double.POSITIVE_INFINITY);
            iterations = 0;
            if (idx.length > 0) {
                double eps = 1e-2 * f;
                while (iterations < maxIterations) {
                    double t = Math.log(n) / eps;
                    s = lbfgs(s, t, eps * 1e-3);
                    eig = decompose(s, t);
                    f = eig.max();
                    best = Math.max(best, bestLower(eig, t));
                    if (gap(f, best) <= tolerance || eps <= 1e-3 * tolerance * f) {
                        break;
                    }
                    eps = Math.max(eps * 0.1, 1e-3 * tolerance * f);
                }
            }
            double[] beta = new double[k];
            for (int i = 0; i < k; i++) {
                if (include[i]) {
                    beta[i] = Math.exp(s[i]);
                } else {
                    beta[i] = r.network.outputWeight(i) == 0 && r.everActive(i) ? 0.0 : 1.0;
                }
            }
            double cert = rankOneBound(r, eig.vectors[0]);
            boolean converged = gap(f, Math.max(best, cert)) <= tolerance;
            return new Result(c * f, beta, c * cert, c * best, iterations, converged);
        }

        /** max of the dual bound for the smoothing weights at level t and for the top eigenvector. */
        private double bestLower(Spectrum eig, double t) {
            double[] top = eig.vectors[0];
            double b = rankOneBound(r, top);
            if (Double.isFinite(t)) {
                double[][] u = mixture(eig, weights(eig, t));
                b = Math.max(b, dualBound(u, pairings(u)));
            }
            return b;
        }

        /** L-BFGS ({@link Lbfgs}) on F_t over the included coordinates, until the gradient is below gtol. */
        private double[] lbfgs(double[] s0, double t, double gtol) {
            Lbfgs.Result res = Lbfgs.minimize(x -> {
                double[] s = s0.clone();
                for (int a = 0; a < idx.length; a++) {
                    s[idx[a]] = x[a];
                }
                Spectrum eig = decompose(s, t);
                return new Lbfgs.Point() {
                    @Override
                    public double value() {
                        return smoothed(eig, t);
                    }

                    @Override
                    public double[] gradient() {
                        return Solver.this.gradient(s, pairings(mixture(eig, weights(eig, t))));
                    }
                };
            }, included(s0), gtol, maxIterations - iterations);
            iterations += res.iterations();
            double[] s = s0.clone();
            for (int a = 0; a < idx.length; a++) {
                s[idx[a]] = res.x()[a];
            }
            return s;
        }

        private double[] included(double[] s) {
            double[] x = new double[idx.length];
            for (int a = 0; a < idx.length; a++) {
                x[a] = s[idx[a]];
            }
            return x;
        }
    }
}
