/**
 * The {@code minima-demos.jar} command-line program (picocli): one subcommand per experiment, benchmark or
 * utility ({@code MinimaDemos} lists them). Each experiment reproduces a paper's setting, writes
 * {@code summary.json}, CSV files of every measured point, PNG charts and a {@code report.md} that sets the
 * paper's claims beside what the run measured.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: the demos are clients at both
 * ends. They supply the data (MNIST through {@code dev.minima.data}, synthetic sets) and the models, call the
 * library's objectives, operators and estimators (or the exact shallow-network path of
 * {@code dev.minima.stability}, the deep-linear operators of {@code dev.minima.linear}, sharpness-aware
 * training and the monitor), and turn the results into files.
 *
 * <p><b>Reuses</b> everything in the library; the subpackages hold what several commands share:
 * {@code support} (reports, CSV, charts, progress), {@code mnist} (MNIST training and measurement helpers),
 * {@code sweeps} (the step-size sweeps of shallow networks) and {@code samxor} (the xor experiments).
 * {@code DemoCommand} gives every subcommand its {@code --out} and {@code --seed} options and an atomic
 * writer.
 */
package dev.minima.demos;
