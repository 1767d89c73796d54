package dev.minima.sam;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.minima.autograd.GradMode;

/**
 * Turns a gradient into the perturbation ε of one sharpness-aware step, in place and on the parameters'
 * device: the only host read is ‖g‖², needed anyway for the finiteness check and the ‖g‖ = 0 guard; ρ/‖g‖ is
 * formed on the device from a cached ρ, so no Java number enters an array operation.
 *
 * @param gradientNorm ‖g‖ over the perturbed parameters (NaN or infinite if g is not finite)
 * @param applied true if g now holds ε; false when there is nothing to perturb along (ρ = 0, a zero direction
 *     or a non-finite gradient) and g is unchanged (up to the positive scaling T for ASAM)
 * @param zeroDirection true if ρ &gt; 0 but the direction's norm (‖g‖, or ‖Tg‖ for ASAM) was 0
 */
record Perturbation(double gradientNorm, boolean applied, boolean zeroDirection) {

    /**
     * @param settings the variant and ASAM's η
     * @param rho the radius ρ
     * @param g the gradient, one array per perturbed parameter; overwritten with ε when applied
     * @param binding the perturbed parameters' live arrays and cached constants
     * @param scope the manager every new array is attached to
     * @return ‖g‖ and whether g now holds ε
     */
    static Perturbation toEpsilon(SharpnessAware settings, double rho, NDList g, TrainerBinding binding,
            NDManager scope) {
        try (GradMode off = GradMode.disabled()) {
            NDArray normT = norm(g, scope);
            double norm = read(normT);
            if (!Double.isFinite(norm) || rho == 0) {
                return new Perturbation(norm, false, false);
            }
            if (norm == 0) {
                return new Perturbation(norm, false, true);
            }
            NDArray rhoT = binding.constant(rho);
            switch (settings.variant()) {
                case SAM -> {
                    // Foret et al. 2021, Eq. 2: ε = ρ g/‖g‖
                    NDArray scale = attach(rhoT.div(normT), scope);
                    for (NDArray gi : g) {
                        gi.muli(scale);
                    }
                }
                case USAM -> {
                    for (NDArray gi : g) {
                        gi.muli(rhoT);
                    }
                }
                case ASAM -> {
                    // Kwon et al. 2021, Eq. 9: ε = ρ T²g/‖Tg‖, T = |w| + η element-wise
                    NDArray eta = binding.constant(settings.asamEta());
                    NDList t = new NDList(g.size());
                    for (int i = 0; i < g.size(); i++) {
                        NDArray ti = attach(binding.perturbed.get(i).abs(), scope).addi(eta);
                        t.add(ti);
                        g.get(i).muli(ti); // Tg
                    }
                    NDArray tNormT = norm(g, scope);
                    double tNorm = read(tNormT);
                    if (!Double.isFinite(tNorm)) {
                        return new Perturbation(tNorm, false, false);
                    }
                    if (tNorm == 0) {
                        return new Perturbation(norm, false, true); // Tg = 0 with T > 0: g was 0
                    }
                    NDArray scale = attach(rhoT.div(tNormT), scope);
                    for (int i = 0; i < g.size(); i++) {
                        g.get(i).muli(t.get(i)).muli(scale);
                    }
                }
                default -> throw new IllegalStateException("unknown variant " + settings.variant());
            }
            return new Perturbation(norm, true, false);
        }
    }

    /**
     * @param arrays arrays of any shapes
     * @param scope the manager of the intermediates
     * @return ‖[a₁, a₂, …]‖₂ over every element, as a scalar array on the arrays' device (NaN or infinite if any
     *     entry is); dot products of flat views (measured cheaper than torch's norm here)
     */
    static NDArray norm(NDList arrays, NDManager scope) {
        NDArray total = null;
        for (NDArray a : arrays) {
            NDArray flat = attach(a.reshape(-1), scope);
            NDArray sq = attach(flat.dot(flat), scope);
            total = total == null ? sq : total.addi(sq);
        }
        return attach(total.sqrt(), scope);
    }

    /**
     * @param scalar a scalar array
     * @return its value (one host read, no conversion op for float32/float64)
     */
    static double read(NDArray scalar) {
        DataType t = scalar.getDataType();
        if (t == DataType.FLOAT32) {
            return scalar.getFloat();
        }
        if (t == DataType.FLOAT64) {
            return scalar.getDouble();
        }
        try (NDArray d = scalar.toType(DataType.FLOAT64, true)) {
            return d.getDouble();
        }
    }

    static NDArray attach(NDArray a, NDManager scope) {
        a.attach(scope);
        return a;
    }
}
