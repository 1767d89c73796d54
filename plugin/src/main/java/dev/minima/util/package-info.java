/**
 * Process-level utilities shared by the library and the demos: {@code NativeMemory} reads the resident memory
 * of the process outside the Java heap (libtorch's and DJL's native allocations) on Linux.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: off the path. The benchmarks
 * and memory tests use it to check that products and training steps leave no native memory behind.
 *
 * <p><b>Reuses</b> only the JDK ({@code /proc/self/smaps}).
 */
package dev.minima.util;
