package dev.troupe.report;

/** Text made ready for the page: safe for HTML and SVG, in text and in quoted attributes; cut to a line. */
public final class Html {

    private Html() {}

    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** The first line of {@code text}, at most 200 characters. */
    public static String firstLine(String text) {
        String first = text == null ? "" : text.strip().lines().findFirst().orElse("");
        return first.length() > 200 ? first.substring(0, 199) + "…" : first;
    }

    /** A card of the page's header: {@code value} over its {@code label} ({@code kind}: ok, bad, warn or none). */
    public static void card(StringBuilder html, String label, String value, String kind) {
        html.append("<div class=\"card ").append(kind).append("\"><div class=\"value\">").append(escape(value))
                .append("</div><div class=\"label\">").append(label).append("</div></div>\n");
    }
}
