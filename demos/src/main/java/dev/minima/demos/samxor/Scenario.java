package dev.minima.demos.samxor;

import java.util.Locale;

/**
 * Wen, Ma &amp; Li (2023)'s three scenarios on P_xor, each one of {@link ReluMlp}'s two-layer networks.
 *
 * <ul>
 *   <li>I: 2-MLP-No-Bias (the network of Wen, Ma &amp; Li (2023), Figure 1): every flattest interpolator generalises;
 *   <li>II: 2-MLP-Bias (Figure 4): a flattest interpolator may memorise, and 1-SAM drifts towards it;
 *   <li>III: 2-MLP-Sim-LN (Figure 6): flattest memorisers exist, yet 1-SAM generalises.
 * </ul>
 */
public enum Scenario {
    /** No bias: Tr ≥ 4√d at interpolation. */
    I(ReluMlp.Variant.NO_BIAS, "2-MLP-No-Bias"),
    /** First-layer bias: Tr ≥ 4√(d+1) at interpolation, attained by both a generaliser and a memoriser. */
    II(ReluMlp.Variant.BIAS, "2-MLP-Bias"),
    /** Simplified LayerNorm: Tr ≥ 2 at interpolation (Wen, Ma &amp; Li (2023), Lemma A.12), attained by both kinds. */
    III(ReluMlp.Variant.SIM_LN, "2-MLP-Sim-LN");

    private final ReluMlp.Variant variant;
    private final String architecture;

    Scenario(ReluMlp.Variant variant, String architecture) {
        this.variant = variant;
        this.architecture = architecture;
    }

    /** @return the network variant */
    public ReluMlp.Variant variant() {
        return variant;
    }

    /** @return the paper's name of the architecture */
    public String architecture() {
        return architecture;
    }

    /** @return whether the first layer has a bias */
    public boolean hiddenBias() {
        return variant != ReluMlp.Variant.NO_BIAS;
    }

    /** @return whether the network has the simplified LayerNorm */
    public boolean layerNorm() {
        return variant == ReluMlp.Variant.SIM_LN;
    }

    /**
     * Parses a scenario name.
     *
     * @param text I, II or III (also 1, 2, 3; case-insensitive)
     * @return the scenario
     * @throws IllegalArgumentException naming the accepted spellings
     */
    public static Scenario parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        return switch (t) {
            case "I", "1" -> I;
            case "II", "2" -> II;
            case "III", "3" -> III;
            default -> throw new IllegalArgumentException(
                    "unknown scenario '" + text + "': use I, II or III (or 1, 2, 3), comma-separated");
        };
    }
}
