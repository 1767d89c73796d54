package dev.minima.demos.samxor;

/** The two training methods Wen, Ma &amp; Li (2023) compares. */
public enum Method {
    /** SAM with batch size 1 (one perturbed step per example), no weight decay. */
    ONE_SAM("1-SAM"),
    /** Full-batch gradient descent with weight decay (g + wd·θ), no perturbation. */
    GD_WD("GD+WD");

    private final String label;

    Method(String label) {
        this.label = label;
    }

    /** @return the paper's name, as written in the outputs */
    public String label() {
        return label;
    }
}
