/**
 * Small dense linear algebra in double precision on {@code double[][]} arrays: matrix products and helpers,
 * the symmetric eigendecomposition and the thin singular value decomposition.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: beside it, not on it. The
 * estimators use it for the small tridiagonal and Gram matrices they build (the Ritz values of Lanczos, the
 * n×n Gram matrix of a shallow network, docs/theory.md §0), and the deep-linear and stability code for
 * closed forms on matrices of a few hundred rows at most.
 *
 * <p><b>Reuses</b> nothing beyond the JDK; it has no DJL dependency and never touches native memory.
 */
package dev.minima.linalg;
