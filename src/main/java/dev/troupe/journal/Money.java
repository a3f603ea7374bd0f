package dev.troupe.journal;

import java.util.Locale;

/** Dollar amounts as agents report them: small, so four decimals. */
public final class Money {

    private Money() {}

    public static String format(double usd) {
        return String.format(Locale.ROOT, "$%.4f", usd);
    }
}
