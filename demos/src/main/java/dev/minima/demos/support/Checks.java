package dev.minima.demos.support;

import java.util.Collection;
import java.util.Locale;

/**
 * Validation of option values before a command does any work. Each check throws a {@link UsageException}
 * naming the option, the value and what would be accepted, so a mistake costs the user one line, not a
 * training run.
 *
 * <p>Values the demos hand to libtorch in float32 must also be finite as floats: {@code 1e308} is a finite
 * double but becomes infinity in float, so {@link #positiveFloat} and {@link #finiteFloat} reject it.
 */
public final class Checks {

    private Checks() {}

    /**
     * Requires an integer of at least a minimum.
     *
     * @param option the option's name, as the user typed it (say "--dim")
     * @param value its value
     * @param min the smallest value accepted
     * @throws UsageException if {@code value < min}
     */
    public static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new UsageException(option + " must be at least " + min + ", got " + value);
        }
    }

    /**
     * Requires an integer within a range.
     *
     * @param option the option's name
     * @param value its value
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @param why what the upper limit is, for the message (say "the MNIST test set has 10,000 images")
     * @throws UsageException if the value lies outside [min, max]
     */
    public static void between(String option, long value, long min, long max, String why) {
        atLeast(option, value, min);
        if (value > max) {
            throw new UsageException(option + " must be at most " + max + (why == null ? "" : " (" + why + ")")
                    + ", got " + value);
        }
    }

    /**
     * Requires a number that is finite as a float32 (not NaN, not infinite, not beyond ±3.4e38).
     *
     * @param option the option's name
     * @param value its value
     * @throws UsageException otherwise
     */
    public static void finiteFloat(String option, double value) {
        if (!Double.isFinite(value)) {
            throw new UsageException(option + " must be a finite number, got " + value);
        }
        if (!Float.isFinite((float) value)) {
            throw new UsageException(option + " = " + value + " overflows float32 (largest " + Float.MAX_VALUE
                    + "); give a smaller value");
        }
    }

    /**
     * Requires a positive number that stays positive and finite in float32.
     *
     * @param option the option's name
     * @param value its value
     * @throws UsageException otherwise
     */
    public static void positiveFloat(String option, double value) {
        finiteFloat(option, value);
        if (!(value > 0) || (float) value == 0f) {
            throw new UsageException(option + " must be positive" + (value > 0 ? " and at least "
                    + Float.MIN_VALUE + " (float32)" : "") + ", got " + value);
        }
    }

    /**
     * Requires a finite number that is zero or positive (and finite in float32).
     *
     * @param option the option's name
     * @param value its value
     * @throws UsageException otherwise
     */
    public static void nonNegativeFloat(String option, double value) {
        finiteFloat(option, value);
        if (value < 0) {
            throw new UsageException(option + " must be zero or positive, got " + value);
        }
    }

    /**
     * Requires a number in a half-open or closed interval (finite in float32).
     *
     * @param option the option's name
     * @param value its value
     * @param lo lower end
     * @param loIncluded whether {@code lo} itself is accepted
     * @param hi upper end
     * @param hiIncluded whether {@code hi} itself is accepted
     * @throws UsageException otherwise
     */
    public static void inRange(String option, double value, double lo, boolean loIncluded, double hi,
            boolean hiIncluded) {
        finiteFloat(option, value);
        boolean ok = (loIncluded ? value >= lo : value > lo) && (hiIncluded ? value <= hi : value < hi);
        if (!ok) {
            throw new UsageException(String.format(Locale.ROOT, "%s must lie in %s%s, %s%s, got %s", option,
                    loIncluded ? "[" : "(", num(lo), num(hi), hiIncluded ? "]" : ")", num(value)));
        }
    }

    /**
     * Requires every value of a list option to be positive and finite in float32, and the list to be non-empty.
     *
     * @param option the option's name
     * @param values its values
     * @throws UsageException otherwise
     */
    public static void positiveFloats(String option, Collection<? extends Number> values) {
        if (values == null || values.isEmpty()) {
            throw new UsageException(option + " needs at least one value");
        }
        for (Number v : values) {
            positiveFloat(option, v.doubleValue());
        }
    }

    /**
     * Requires every value of an array option to be positive and finite in float32, and the array non-empty.
     *
     * @param option the option's name
     * @param values its values
     * @throws UsageException otherwise
     */
    public static void positiveFloats(String option, double[] values) {
        if (values == null || values.length == 0) {
            throw new UsageException(option + " needs at least one value");
        }
        for (double v : values) {
            positiveFloat(option, v);
        }
    }

    /**
     * Requires a condition that involves several options.
     *
     * @param condition the condition
     * @param message what is wrong and how to fix it, if the condition fails
     * @throws UsageException if the condition is false
     */
    public static void require(boolean condition, String message) {
        if (!condition) {
            throw new UsageException(message);
        }
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
