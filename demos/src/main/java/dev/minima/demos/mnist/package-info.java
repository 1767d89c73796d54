/**
 * The MNIST experiments of {@code mnist-classify} (Nacson et al. 2023, docs/theory.md §2), its 10-class SGD
 * against SAM part (Foret et al. 2021; Cohen et al. 2021) and {@code mnist-denoise} (Mulayoff &amp; Michaeli
 * 2020, docs/theory.md §3): the tasks, networks, initialisations, training loops, measurements, charts and
 * reports.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: the data and the trained
 * models come from here ({@code BinaryMnist}, {@code NoisyMnist}, {@code Networks}, {@code TrainingSession},
 * {@code ArrayTrainer}); sharpness and trace are measured through the library's front door
 * ({@code dev.minima.demos.support.Sharpness} opens a {@code Curvature} on the probe batch; λ_max by
 * {@code Lanczos}, the trace by {@code Hutchinson} on its operator), and the results become CSV rows, charts and report claims.
 *
 * <p><b>Reuses</b> {@code dev.minima.data} for MNIST, {@code dev.minima.curvature}, {@code dev.minima.sam},
 * {@code dev.minima.monitor} and {@code dev.minima.stability} from the library, DJL's {@code Trainer} and
 * optimisers, and {@code dev.minima.demos.support} for files and charts.
 */
package dev.minima.demos.mnist;
