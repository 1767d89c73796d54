package dev.minima.linear;

import dev.minima.util.SeededRandom;
import java.util.random.RandomGenerator;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/**
 * Seeded random matrices for the deep-linear experiments: Gaussian matrices and Haar-distributed orthogonal
 * matrices, drawn from a caller's generator so that a seed option reproduces them exactly (EJML's own
 * {@code RandomMatrices_DDRM} takes a {@link java.util.Random}, which the seed options here do not use).
 *
 * <pre>{@code
 * SplittableRandom random = new SplittableRandom(seed);
 * double[][] w = RandomMatrices.gaussian(4, 3, random).get2DData();
 * }</pre>
 */
public final class RandomMatrices {

    private RandomMatrices() {}

    /**
     * A matrix of independent standard normal entries, drawn row by row with {@link
     * SeededRandom#gaussian(RandomGenerator)}.
     *
     * @param rows rows
     * @param cols columns
     * @param random the source of randomness
     * @return the matrix
     */
    public static DMatrixRMaj gaussian(int rows, int cols, RandomGenerator random) {
        DMatrixRMaj g = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < g.data.length; i++) {
            g.data[i] = SeededRandom.gaussian(random);
        }
        return g;
    }

    /**
     * A Haar-distributed random orthogonal matrix: the Q of the QR decomposition of an n×n {@link
     * #gaussian(int, int, RandomGenerator) Gaussian matrix}, with signs chosen so that R has a positive diagonal
     * (Mezzadri 2007), which makes Q the Gram–Schmidt orthonormalisation of the Gaussian columns.
     *
     * @param n size
     * @param random the source of randomness
     * @return an n×n orthogonal matrix
     */
    public static DMatrixRMaj orthogonal(int n, RandomGenerator random) {
        DMatrixRMaj g = gaussian(n, n, random);
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(n, n);
        if (!qr.decompose(g)) {
            throw new ArithmeticException("QR decomposition of a Gaussian " + n + "×" + n + " matrix failed");
        }
        DMatrixRMaj q = qr.getQ(null, false);
        DMatrixRMaj r = qr.getR(null, false);
        for (int j = 0; j < n; j++) {
            if (r.get(j, j) < 0) {
                for (int i = 0; i < n; i++) {
                    q.set(i, j, -q.get(i, j));
                }
            }
        }
        return q;
    }
}
