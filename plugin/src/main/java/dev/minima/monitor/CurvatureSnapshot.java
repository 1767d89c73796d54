package dev.minima.monitor;

import java.util.Arrays;

/**
 * Curvature of an objective at one point in parameter space, as measured by a {@link SharpnessProbe}.
 * Quantities that were not requested are {@code NaN}.
 *
 * @param loss the objective's value (the probe-set loss)
 * @param gradientNorm ‖∇L‖₂ on the probe set
 * @param lambdaMax the largest Hessian eigenvalue (Lanczos Ritz value)
 * @param lambdaMaxResidual ‖Hv − λv‖ of that Ritz pair: a true eigenvalue lies within it
 * @param topEigenvalues the k largest eigenvalues, largest first (length 1 unless top-k was asked)
 * @param lambdaMin the smallest Hessian eigenvalue, or NaN
 * @param trace the Hessian trace estimate, or NaN
 * @param traceStandardError the standard error of the trace estimate, or NaN
 * @param preconditionedLambdaMax λ_max(P⁻¹H) for an adaptive optimiser's preconditioner P, or NaN
 * @param products Hessian-vector products spent on this snapshot
 * @param converged whether every Lanczos run met its tolerance
 */
public record CurvatureSnapshot(
        double loss,
        double gradientNorm,
        double lambdaMax,
        double lambdaMaxResidual,
        double[] topEigenvalues,
        double lambdaMin,
        double trace,
        double traceStandardError,
        double preconditionedLambdaMax,
        long products,
        boolean converged) {

    /**
     * Creates a snapshot, keeping a defensive copy of the eigenvalue array.
     *
     * @param loss the objective's value (the probe-set loss)
     * @param gradientNorm ‖∇L‖₂ on the probe set
     * @param lambdaMax the largest Hessian eigenvalue (Lanczos Ritz value)
     * @param lambdaMaxResidual ‖Hv − λv‖ of that Ritz pair
     * @param topEigenvalues the k largest eigenvalues, largest first
     * @param lambdaMin the smallest Hessian eigenvalue, or NaN
     * @param trace the Hessian trace estimate, or NaN
     * @param traceStandardError the standard error of the trace estimate, or NaN
     * @param preconditionedLambdaMax λ_max(P⁻¹H), or NaN
     * @param products Hessian-vector products spent on this snapshot
     * @param converged whether every Lanczos run met its tolerance
     */
    public CurvatureSnapshot {
        topEigenvalues = topEigenvalues.clone();
    }

    /** @return a copy of the k largest eigenvalues, largest first */
    @Override
    public double[] topEigenvalues() {
        return topEigenvalues.clone();
    }

    @Override
    public String toString() {
        return "CurvatureSnapshot[loss=" + loss + ", |g|=" + gradientNorm + ", lambdaMax=" + lambdaMax + " ± "
                + lambdaMaxResidual + ", top=" + Arrays.toString(topEigenvalues) + ", lambdaMin=" + lambdaMin
                + ", trace=" + trace + " ± " + traceStandardError + ", precond=" + preconditionedLambdaMax
                + ", products=" + products + (converged ? "" : " (not converged)") + "]";
    }
}
