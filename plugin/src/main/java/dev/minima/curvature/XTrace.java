package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * XTrace (Epperly, Tropp and Webber 2024, "XTrace: making the most of every sample in stochastic trace
 * estimation", Sec. 2): the exchangeable version of Hutch++. With m products and s = ⌊m/2⌋ Gaussian test vectors
 * ωᵢ, Y = AΩ and its QR factorisation Y = QR, every ωᵢ plays both roles: for each i, Q₍ᵢ₎ is a basis of the range
 * of Y without its column i, and
 * <pre>
 *   tᵢ = tr(Q₍ᵢ₎ᵀAQ₍ᵢ₎) + (n − s + 1) · vᵢᵀAvᵢ / ‖vᵢ‖²,   vᵢ = (I − Q₍ᵢ₎Q₍ᵢ₎ᵀ)ωᵢ,
 * </pre>
 * an unbiased estimate (Q₍ᵢ₎ does not depend on ωᵢ, and the direction of vᵢ is uniform on the sphere of the
 * complement, whose dimension is n − s + 1: the paper's normalised "improved" variant). The estimate is the mean
 * of the tᵢ, with std(tᵢ)/√s as the error bar the paper reports. Everything needed comes from Y = AΩ and Z = AQ
 * (2s products) through s × s matrices: with Sᵢ the normalised i-th column of R⁻ᵀ, Q₍ᵢ₎Q₍ᵢ₎ᵀ = QQᵀ − QsᵢsᵢᵀQᵀ,
 * H = QᵀZ, wᵢ = Qᵀωᵢ, τᵢ = Zᵀωᵢ, cᵢ = sᵢ·wᵢ:
 * <pre>
 *   tr(Q₍ᵢ₎ᵀAQ₍ᵢ₎) = tr H − sᵢᵀHsᵢ,   ‖vᵢ‖² = ‖ωᵢ‖² − ‖wᵢ‖² + cᵢ²,
 *   vᵢᵀAvᵢ = ωᵢᵀyᵢ − 2τᵢ·wᵢ + 2cᵢτᵢ·sᵢ + wᵢᵀHwᵢ − 2cᵢwᵢᵀHsᵢ + cᵢ²sᵢᵀHsᵢ.
 * </pre>
 * When Y is numerically rank-deficient (rank(A) &lt; s), range(Y) = range(A) and tr(QᵀAQ) is returned: exact.
 * Memory: 2s vectors of the operator's dimension (Ω is regenerated from per-column seeds).
 *
 * <pre>{@code
 * TraceEstimate t = XTrace.builder().optProducts(100).optSeed(1).build().run(h);
 * }</pre>
 */
public final class XTrace {

    private static final Logger LOGGER = LoggerFactory.getLogger(XTrace.class);

    private final int products;
    private final long seed;

    private XTrace(Builder b) {
        this.products = b.products;
        this.seed = b.seed;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param op a symmetric operator
     * @return the trace estimate (products spent: 2s)
     */
    public TraceEstimate run(SymmetricOperator op) {
        long n = op.dimension();
        int s = (int) Math.min(products / 2, n);
        DataType type = op.dataType();
        SplittableRandom random = new SplittableRandom(seed);
        long[] seeds = new long[s];
        double[] omegaY = new double[s];
        double[] omegaSq = new double[s];
        try (NDManager scratch = Vectors.scratch(op)) {
            List<NDArray> q = new ArrayList<>(s);
            double largest = 0;
            for (int i = 0; i < s; i++) {
                seeds[i] = random.nextLong();
                try (NDManager scope = scratch.newSubManager()) {
                    NDArray w = Vectors.gaussian(scope, n, type, new SplittableRandom(seeds[i]));
                    NDArray y = op.apply(w);
                    y.attach(scratch);
                    omegaY[i] = Vectors.dot(w, y);
                    omegaSq[i] = Vectors.dot(w, w);
                    largest = Math.max(largest, Vectors.norm(y));
                    q.add(y);
                }
            }
            // Gram–Schmidt twice, accumulating R
            double eps = type == DataType.FLOAT64 ? 0x1.0p-52 : 0x1.0p-23;
            double threshold = Math.sqrt(eps) * largest;
            double[][] r = new double[s][s];
            List<NDArray> basis = new ArrayList<>(s);
            boolean deficient = false;
            for (int j = 0; j < s; j++) {
                NDArray v = q.get(j);
                for (int pass = 0; pass < 2; pass++) {
                    for (int k = 0; k < basis.size(); k++) {
                        double c = Vectors.dot(basis.get(k), v);
                        r[k][j] += c;
                        try (NDArray t = basis.get(k).mul(c)) {
                            v.subi(t);
                        }
                    }
                }
                double norm = Vectors.norm(v);
                if (!(norm > threshold)) {
                    deficient = true;
                    continue;
                }
                r[j][j] = norm;
                basis.add(v.divi(norm));
            }
            int k = basis.size();
            List<NDArray> z = new ArrayList<>(k);
            for (NDArray b : basis) {
                NDArray az = op.apply(b);
                az.attach(scratch);
                z.add(az);
            }
            int spent = s + k;
            double[][] h = new double[k][k];
            double traceH = 0;
            for (int a = 0; a < k; a++) {
                for (int b = a; b < k; b++) {
                    double v = 0.5 * (Vectors.dot(basis.get(a), z.get(b)) + Vectors.dot(basis.get(b), z.get(a)));
                    h[a][b] = v;
                    h[b][a] = v;
                }
                traceH += h[a][a];
            }
            if (deficient) {
                TraceEstimate t = new TraceEstimate(traceH, 0, spent, 0);
                LOGGER.debug("XTrace: sketch of rank {} < {}: range(A) captured, {}", k, s, t);
                return t;
            }
            double[][] w = new double[s][s];
            double[][] tau = new double[s][s];
            for (int i = 0; i < s; i++) {
                try (NDManager scope = scratch.newSubManager()) {
                    NDArray om = Vectors.gaussian(scope, n, type, new SplittableRandom(seeds[i]));
                    for (int a = 0; a < s; a++) {
                        w[a][i] = Vectors.dot(basis.get(a), om);
                        tau[a][i] = Vectors.dot(z.get(a), om);
                    }
                }
            }
            // columns of R^{-T}: solve Rᵀx = e_i (Rᵀ lower triangular), then normalise
            double[][] sv = new double[s][];
            for (int i = 0; i < s; i++) {
                double[] x = new double[s];
                for (int row = 0; row < s; row++) {
                    double acc = row == i ? 1 : 0;
                    for (int c = 0; c < row; c++) {
                        acc -= r[c][row] * x[c];
                    }
                    x[row] = acc / r[row][row];
                }
                double nx = Math.sqrt(dot(x, x));
                for (int a = 0; a < s; a++) {
                    x[a] /= nx;
                }
                sv[i] = x;
            }
            RunningMoments m = new RunningMoments();
            for (int i = 0; i < s; i++) {
                double[] si = sv[i];
                double[] wi = column(w, i);
                double[] ti = column(tau, i);
                double[] hs = times(h, si);
                double[] hw = times(h, wi);
                double c = dot(si, wi);
                double sHs = dot(si, hs);
                double vAv = omegaY[i] - 2 * dot(ti, wi) + 2 * c * dot(ti, si) + dot(wi, hw) - 2 * c * dot(wi, hs)
                        + c * c * sHs;
                double vv = omegaSq[i] - dot(wi, wi) + c * c;
                m.add(traceH - sHs + (n - s + 1) * vAv / vv);
            }
            TraceEstimate t = new TraceEstimate(m.mean(), m.count() > 1 ? m.standardError() : 0, spent,
                    (int) m.count());
            LOGGER.debug("XTrace: {}", t);
            return t;
        }
    }

    private static double[] column(double[][] a, int i) {
        double[] c = new double[a.length];
        for (int r = 0; r < a.length; r++) {
            c[r] = a[r][i];
        }
        return c;
    }

    private static double[] times(double[][] a, double[] x) {
        double[] y = new double[a.length];
        for (int r = 0; r < a.length; r++) {
            y[r] = dot(a[r], x);
        }
        return y;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Builder of {@link XTrace}. */
    public static final class Builder {
        private int products = 100;
        private long seed;

        private Builder() {}

        /**
         * @param products the budget m of operator products, at least 4 (default 100): ⌊m/2⌋ test vectors, each
         *     used once for the sketch and once more for the products with the basis
         * @return this builder
         */
        public Builder optProducts(int products) {
            if (products < 4) {
                throw new IllegalArgumentException("XTrace needs at least 4 products (two test vectors), got "
                        + products);
            }
            this.products = products;
            return this;
        }

        /**
         * @param seed seed of the Gaussian test vectors (default 0)
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the estimator */
        public XTrace build() {
            return new XTrace(this);
        }
    }
}
