/**
 * Function-space stability norms of one-hidden-layer ReLU networks, after Mulayoff, Michaeli &amp;
 * Soudry (2021, "The implicit bias of minima stability: a view from function space", NeurIPS, with its
 * supplementary material), Nacson, Mulayoff, Ongie, Michaeli &amp; Soudry (2023, "The implicit bias of minima
 * stability in multivariate shallow ReLU networks", ICLR) and the Hessian-trace flatness constructions of
 * Wen, Ma &amp; Li (2023, "Sharpness minimization algorithms do not only minimize sharpness to achieve better
 * generalization", NeurIPS).
 *
 * <p>Everything here works in double precision on plain Java arrays: a network is read out of a DJL block
 * once ({@link dev.minima.stability.ShallowReluBlocks}) and then analysed exactly. The entry point for a
 * complete analysis is {@link dev.minima.stability.StabilityReport#of}.
 *
 * <p><b>Conventions.</b> Sharpness values are Hessian eigenvalues of the training loss under a {@link
 * dev.minima.stability.LossConvention} (½-MSE: constant C = 1, the papers' convention; plain MSE: C = 2).
 * At an interpolating minimum the Hessian is C·ΦΦᵀ/n with Φ the tangent features; away from
 * interpolation the same numbers are the Gauss–Newton part. Stability norms are function-space quantities
 * and do not depend on C; their bounds use the effective step C·η.
 */
package dev.minima.stability;
