package dev.minima.sam;

/**
 * What a run of sharpness-aware steps ({@link SamStep#steps}) saw.
 *
 * @param steps the number of steps taken
 * @param fusedSteps how many of them ran inside one native call (the rest were taken one by one)
 * @param losses the loss at the current weights w before each step
 */
public record SamStepsResult(int steps, int fusedSteps, double[] losses) {}
