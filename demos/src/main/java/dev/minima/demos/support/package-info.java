/**
 * What every demo writes: {@code Report} ({@code report.md}, each paper claim beside the measured value with a
 * verdict), {@code CsvTable} (CSV flushed row by row), {@code Charts} (XChart line charts written atomically
 * as PNG), {@code Progress} (DJL progress bars for long loops) and {@code Sharpness}, the one
 * way the demos measure λ_max of a trained block on a probe batch (through {@code dev.minima.curvature.Curvature}).
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: after the result. It formats
 * and stores results; {@code Sharpness} is the demos' shortcut to the estimator step.
 *
 * <p><b>Reuses</b> XChart for charts and DJL's {@code ProgressBar}.
 */
package dev.minima.demos.support;
