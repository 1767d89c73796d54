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
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: a parallel, exact path for
 * small shallow networks. The data are an {@code InputSample} (inputs only: the weight functions do not depend
 * on labels), the "operator" is the n×n Gram matrix of the tangent features ({@code GramSharpness}), whose
 * top eigenvalue is the sharpness at an interpolating minimum (docs/theory.md §0), and the results are
 * records ({@code StabilityReport}, {@code SharpnessChain}, {@code StabilityVerdict}). The Gram sharpness is
 * checked against the Hessian operator of {@code dev.minima.curvature} on the same weights in a DJL block.
 * The formulas are in docs/theory.md §1 (univariate), §2 (multivariate) and §4 (trace constructions).
 *
 * <p><b>Reuses</b> {@code dev.minima.curvature} for the dense eigenproblems ({@code SymmetricEigen}, on EJML) and
 * Lanczos, DJL's {@code Linear} blocks as the
 * source of the weights, and Gson to read and write the {@code norms} command's files.
 *
 * <p><b>Conventions.</b> Sharpness values are Hessian eigenvalues of the training loss under a {@link
 * dev.minima.stability.LossConvention} (½-MSE: constant C = 1, the papers' convention; plain MSE: C = 2).
 * At an interpolating minimum the Hessian is C·ΦΦᵀ/n with Φ the tangent features; away from
 * interpolation the same numbers are the Gauss–Newton part. Stability norms are function-space quantities
 * and do not depend on C; their bounds use the effective step C·η.
 */
package dev.minima.stability;
