package dev.minima.sam;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.minima.autograd.GradMode;
import dev.minima.curvature.Vectors;

/**
 * The perturbation ε of one sharpness-aware step, computed on the parameters' device with one host read of
 * a norm (needed anyway for the finiteness check and the ‖g‖ = 0 guard).
 *
 * @param epsilon one array per perturbed parameter, or null when there is nothing to perturb along (ρ = 0 or a
 *     zero norm) or the gradient is not finite
 * @param gradientNorm ‖g‖ over the perturbed parameters (NaN or infinite if g is not finite)
 * @param zeroDirection true if ρ &gt; 0 but the direction's norm (‖g‖, or ‖Tg‖ for ASAM) was 0
 */
record Perturbation(NDList epsilon, double gradientNorm, boolean zeroDirection) {

    /**
     * @param settings the variant and ASAM's η
     * @param rho the radius ρ
     * @param g the gradient, one array per perturbed parameter, attached to {@code scope}
     * @param w the perturbed parameters' live arrays
     * @param scope the manager every new array is attached to
     * @return ε and ‖g‖
     */
    static Perturbation of(SharpnessAware settings, double rho, NDList g, NDList w, NDManager scope) {
        try (GradMode off = GradMode.disabled()) {
            double norm = Math.sqrt(sumOfSquares(g, scope));
            if (!Double.isFinite(norm) || rho == 0) {
                return new Perturbation(null, norm, false);
            }
            NDList eps = new NDList(g.size());
            switch (settings.variant()) {
                case SAM -> {
                    // Foret et al. 2021, Eq. 2: ε = ρ g/‖g‖
                    if (norm == 0) {
                        return new Perturbation(null, norm, true);
                    }
                    double scale = rho / norm;
                    for (NDArray gi : g) {
                        eps.add(attach(gi.mul(scale), scope));
                    }
                }
                case USAM -> {
                    if (norm == 0) {
                        return new Perturbation(null, norm, true);
                    }
                    for (NDArray gi : g) {
                        eps.add(attach(gi.mul(rho), scope));
                    }
                }
                case ASAM -> {
                    // Kwon et al. 2021, Eq. 9: ε = ρ T²g/‖Tg‖, T = |w| + η element-wise
                    NDList t = new NDList(g.size());
                    NDList tg = new NDList(g.size());
                    for (int i = 0; i < g.size(); i++) {
                        NDArray ti = attach(w.get(i).abs(), scope).addi(settings.asamEta());
                        t.add(ti);
                        tg.add(attach(ti.mul(g.get(i)), scope));
                    }
                    double tNorm = Math.sqrt(sumOfSquares(tg, scope));
                    if (tNorm == 0) {
                        return new Perturbation(null, norm, true);
                    }
                    double scale = rho / tNorm;
                    for (int i = 0; i < g.size(); i++) {
                        eps.add(attach(t.get(i).mul(tg.get(i)), scope).muli(scale));
                    }
                }
                default -> throw new IllegalStateException("unknown variant " + settings.variant());
            }
            return new Perturbation(eps, norm, false);
        }
    }

    /**
     * @param arrays arrays of any shapes
     * @param scope the manager of the intermediates
     * @return Σ ‖a‖² in double precision (NaN or infinite if any entry is)
     */
    static double sumOfSquares(NDList arrays, NDManager scope) {
        NDArray total = null;
        for (NDArray a : arrays) {
            NDArray flat = attach(a.reshape(-1), scope);
            NDArray sq = attach(flat.dot(flat), scope);
            total = total == null ? sq : total.addi(sq);
        }
        return total == null ? 0 : Vectors.scalar(total);
    }

    static NDArray attach(NDArray a, NDManager scope) {
        a.attach(scope);
        return a;
    }
}
