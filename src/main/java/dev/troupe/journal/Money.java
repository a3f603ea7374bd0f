package dev.troupe.journal;

import java.util.Locale;

/** Dollar amounts as agents report them: small, so four decimals. */
public final class Money {

    private Money() {}

    /**
     * {@code $0.0123}: four decimals, half up. Not {@code String.format}, which parses its pattern on every call: a
     * view of 10,000 tasks formats an amount for each, several times a second.
     */
    public static String format(double usd) {
        if (usd == 0) {
            return "$0.0000";
        }
        if (!Double.isFinite(usd)) {
            return String.format(Locale.ROOT, "$%.4f", usd);
        }
        return "$" + java.math.BigDecimal.valueOf(usd).setScale(4, java.math.RoundingMode.HALF_UP).toPlainString();
    }
}
