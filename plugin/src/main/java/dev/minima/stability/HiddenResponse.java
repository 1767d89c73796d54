package dev.minima.stability;

/**
 * The hidden layer's response to a sample, computed once: pre-activations z_ji = w_iᵀx_j + b_i, the
 * strict activation pattern I_ji = 1[z_ji &gt; 0], ReLU outputs σ(z_ji), and the first-layer features
 * x̃_j = (x_j, 1) when the hidden layer has biases (x_j otherwise). Package-private plumbing shared by the
 * Gram, chain, rescaling and trace code.
 */
final class HiddenResponse {

    final ShallowReluNetwork network;
    final InputSample sample;
    final int n;
    final int k;
    final int d;
    /** z[j][i]. */
    final double[][] z;
    /** features x̃_j (length d or d+1). */
    final double[][] features;
    /** x̃_jᵀx̃_l. */
    private double[][] featureGram;

    HiddenResponse(ShallowReluNetwork network, InputSample sample) {
        sample.checkCompatible(network);
        this.network = network;
        this.sample = sample;
        this.n = sample.size();
        this.k = network.width();
        this.d = network.inputDimension();
        this.z = new double[n][];
        this.features = new double[n][];
        boolean bias = network.hasHiddenBias();
        for (int j = 0; j < n; j++) {
            double[] xj = sample.row(j);
            z[j] = network.preActivations(xj);
            double[] f = new double[bias ? d + 1 : d];
            System.arraycopy(xj, 0, f, 0, d);
            if (bias) {
                f[d] = 1.0;
            }
            features[j] = f;
        }
    }

    boolean active(int j, int i) {
        return z[j][i] > 0;
    }

    double relu(int j, int i) {
        return z[j][i] > 0 ? z[j][i] : 0.0;
    }

    double[][] featureGram() {
        if (featureGram == null) {
            double[][] g = new double[n][n];
            for (int j = 0; j < n; j++) {
                for (int l = 0; l <= j; l++) {
                    double s = 0;
                    double[] a = features[j];
                    double[] b = features[l];
                    for (int m = 0; m < a.length; m++) {
                        s += a[m] * b[m];
                    }
                    g[j][l] = s;
                    g[l][j] = s;
                }
            }
            featureGram = g;
        }
        return featureGram;
    }

    /**
     * The unnormalised Gram matrix Φ(β)ᵀΦ(β) of the tangent features of the rescaled network θ̃(β), with
     * β_i = exp(s_i) (s = null means β = 1): K = [c]11ᵀ + (X̃X̃ᵀ) ∘ (A diag(v²/β²) Aᵀ) + σ(Z) diag(β²) σ(Z)ᵀ
     * (docs/theory.md §2). Neurons with {@code include[i] == false} are left out.
     */
    double[][] gram(double[] s, boolean[] include) {
        double[][] fg = featureGram();
        // weighted copies of the activation pattern and of σ(Z), so that both Hadamard terms are plain
        // length-k dot products (branch-free, cache-friendly)
        double[][] aw = new double[n][k];
        double[][] sw = new double[n][k];
        double[][] a = new double[n][k];
        double[][] sg = new double[n][k];
        double[] cv = new double[k];
        double[] cs = new double[k];
        for (int i = 0; i < k; i++) {
            if (include != null && !include[i]) {
                continue;
            }
            double v = network.outputWeight(i);
            double e2 = s == null ? 1.0 : Math.exp(2 * s[i]);
            cv[i] = v * v / e2;
            cs[i] = e2;
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < k; i++) {
                double z = this.z[j][i];
                if (z > 0) {
                    a[j][i] = 1.0;
                    sg[j][i] = z;
                    aw[j][i] = cv[i];
                    sw[j][i] = cs[i] * z;
                }
            }
        }
        double c = network.hasOutputBias() ? 1.0 : 0.0;
        double[][] g = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[] awj = aw[j];
            double[] swj = sw[j];
            for (int l = 0; l <= j; l++) {
                double[] al = a[l];
                double[] sl = sg[l];
                double act = 0;
                double rel = 0;
                for (int i = 0; i < k; i++) {
                    act += awj[i] * al[i];
                    rel += swj[i] * sl[i];
                }
                double v = c + fg[j][l] * act + rel;
                g[j][l] = v;
                g[l][j] = v;
            }
        }
        return g;
    }

    /** ‖Σ_j u_j I_ji x̃_j‖² for neuron i. */
    double activeFeatureSquared(int i, double[] u) {
        double[] acc = new double[features[0].length];
        for (int j = 0; j < n; j++) {
            if (z[j][i] > 0) {
                double[] f = features[j];
                for (int m = 0; m < acc.length; m++) {
                    acc[m] += u[j] * f[m];
                }
            }
        }
        double s = 0;
        for (double a : acc) {
            s += a * a;
        }
        return s;
    }

    /** (Σ_j u_j σ(z_ji))² for neuron i. */
    double reluProjectionSquared(int i, double[] u) {
        double s = 0;
        for (int j = 0; j < n; j++) {
            if (z[j][i] > 0) {
                s += u[j] * z[j][i];
            }
        }
        return s * s;
    }

    /** Whether neuron i is active on at least one sample. */
    boolean everActive(int i) {
        for (int j = 0; j < n; j++) {
            if (z[j][i] > 0) {
                return true;
            }
        }
        return false;
    }
}
