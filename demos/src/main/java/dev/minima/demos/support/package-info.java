/**
 * What every demo writes: {@code Report} ({@code report.md}, each paper claim beside the measured value with a
 * verdict), {@code CsvTable} (CSV flushed row by row), {@code Charts} (XChart line charts written atomically
 * as PNG) and {@code Progress} (DJL progress bars for long loops).
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: after the result. It formats
 * and stores results; it computes nothing.
 *
 * <p><b>Reuses</b> XChart for charts and DJL's {@code ProgressBar}.
 */
package dev.minima.demos.support;
