package dev.minima.stability;

/**
 * Limited-memory BFGS with Armijo backtracking (Nocedal &amp; Wright 2006, Algorithm 7.4 and 7.5) for a smooth
 * function of a few hundred variables whose value is expensive and whose gradient is needed only at accepted
 * points. It stops when the largest gradient entry is at most {@code gtol}, when a step no longer decreases the
 * value at working precision, or when the iteration budget is spent.
 *
 * <p>No library on this class path (DJL, commons-compress, EJML) offers L-BFGS, and commons-math3 has only
 * nonlinear conjugate gradients, BOBYQA and CMA-ES; so it is written here once, for {@link FlattestRescaling}.
 */
final class Lbfgs {

    /** A point at which the function has been evaluated; the gradient is computed on demand. */
    interface Point {
        /** @return f(x) */
        double value();

        /** @return ∇f(x) */
        double[] gradient();
    }

    /** The function to minimise. */
    interface Function {
        /**
         * @param x a point
         * @return the function there
         */
        Point at(double[] x);
    }

    /** The outcome: the last accepted point and the iterations it took. */
    record Result(double[] x, int iterations) {}

    private static final int MEMORY = 8;
    private static final int MAX_BACKTRACKS = 60;
    private static final double ARMIJO = 1e-4;

    private Lbfgs() {}

    /**
     * @param f the function
     * @param x0 the start
     * @param gtol stop when max |∂f/∂x_a| ≤ gtol
     * @param budget the most iterations
     * @return the minimiser found
     */
    static Result minimize(Function f, double[] x0, double gtol, int budget) {
        int m = x0.length;
        double[][] sHist = new double[MEMORY][];
        double[][] yHist = new double[MEMORY][];
        double[] rho = new double[MEMORY];
        int stored = 0;
        int head = 0;
        int iterations = 0;
        double[] x = x0.clone();
        Point point = f.at(x);
        double fval = point.value();
        double[] g = point.gradient();
        while (iterations < budget) {
            double gn = 0;
            for (double a : g) {
                gn = Math.max(gn, Math.abs(a));
            }
            if (gn <= gtol) {
                break;
            }
            iterations++;
            // two-loop recursion
            double[] q = g.clone();
            double[] alpha = new double[MEMORY];
            for (int h = 0; h < stored; h++) {
                int p = (head - 1 - h + MEMORY) % MEMORY;
                alpha[p] = rho[p] * dot(sHist[p], q);
                axpy(-alpha[p], yHist[p], q);
            }
            if (stored > 0) {
                int p = (head - 1 + MEMORY) % MEMORY;
                scale(q, dot(sHist[p], yHist[p]) / dot(yHist[p], yHist[p]));
            } else {
                scale(q, Math.min(1.0, 0.1 / gn));
            }
            for (int h = stored - 1; h >= 0; h--) {
                int p = (head - 1 - h + MEMORY) % MEMORY;
                double beta = rho[p] * dot(yHist[p], q);
                axpy(alpha[p] - beta, sHist[p], q);
            }
            double slope = -dot(g, q);
            if (!(slope < 0)) {
                // not a descent direction: restart from steepest descent
                stored = 0;
                q = g.clone();
                scale(q, Math.min(1.0, 0.1 / gn));
                slope = -dot(g, q);
            }
            double step = 1.0;
            double[] xNew = null;
            Point next = null;
            for (int ls = 0; ls < MAX_BACKTRACKS; ls++) {
                xNew = x.clone();
                axpy(-step, q, xNew);
                Point candidate = f.at(xNew);
                if (candidate.value() <= fval + ARMIJO * step * slope) {
                    next = candidate;
                    break;
                }
                step *= 0.5;
            }
            if (next == null) {
                break; // no decrease possible at this precision
            }
            double fNew = next.value();
            double[] gNew = next.gradient();
            double[] ds = new double[m];
            double[] dy = new double[m];
            for (int a = 0; a < m; a++) {
                ds[a] = xNew[a] - x[a];
                dy[a] = gNew[a] - g[a];
            }
            double sy = dot(ds, dy);
            if (sy > 1e-300) {
                sHist[head] = ds;
                yHist[head] = dy;
                rho[head] = 1.0 / sy;
                head = (head + 1) % MEMORY;
                stored = Math.min(stored + 1, MEMORY);
            }
            boolean stalled = fval - fNew <= 1e-16 * Math.abs(fval);
            x = xNew;
            fval = fNew;
            g = gNew;
            if (stalled) {
                break;
            }
        }
        return new Result(x, iterations);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double[] x, double c) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= c;
        }
    }
}
