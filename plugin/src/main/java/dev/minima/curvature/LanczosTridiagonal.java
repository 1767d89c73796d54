package dev.minima.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Lanczos tridiagonalisation T = QᵀAQ from a given unit start vector, with full reorthogonalisation
 * (Gram–Schmidt twice against every basis vector), for a fixed number of steps or until breakdown (an
 * invariant subspace: the Ritz values are then exact eigenvalues).
 *
 * @param alpha the diagonal of T
 * @param beta the off-diagonal of T (length alpha.length − 1)
 * @param products operator products spent
 */
record LanczosTridiagonal(double[] alpha, double[] beta, int products) {

    /**
     * @param op the operator
     * @param start a unit vector (not modified)
     * @param steps the most steps
     * @return the tridiagonal matrix
     */
    static LanczosTridiagonal of(SymmetricOperator op, NDArray start, int steps) {
        int m = (int) Math.min(steps, op.dimension());
        double[] alpha = new double[m];
        double[] beta = new double[m];
        int done = 0;
        double scale = 0; // a running estimate of ‖A‖ on the Krylov space
        double breakdown = op.dataType() == DataType.FLOAT64 ? 1e-10 : 1e-5;
        try (NDManager scope = start.getManager().newSubManager()) {
            List<NDArray> basis = new ArrayList<>(m);
            NDArray q = start.duplicate();
            q.attach(scope);
            for (int j = 0; j < m; j++) {
                basis.add(q);
                NDArray w = op.apply(q);
                done++;
                alpha[j] = NonFiniteProductException.check(Vectors.dot(q, w), "Lanczos quadrature", j + 1);
                for (int pass = 0; pass < 2; pass++) {
                    for (NDArray b : basis) {
                        try (NDArray c = b.dot(w);
                                NDArray bc = b.mul(c)) {
                            w.subi(bc);
                        }
                    }
                }
                double bj = NonFiniteProductException.check(Vectors.norm(w), "Lanczos quadrature", j + 1);
                beta[j] = bj;
                scale = Math.max(scale, Math.abs(alpha[j]) + bj);
                if (j + 1 == m || bj <= breakdown * scale) {
                    break;
                }
                q = w.divi(bj);
            }
        }
        return new LanczosTridiagonal(Arrays.copyOf(alpha, done), Arrays.copyOf(beta, Math.max(done - 1, 0)), done);
    }
}
