package dev.troupe.web;

import dev.troupe.report.Html;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * What every page of troupe's has: its head (the report's styles, the page's own, its one script, the token its
 * actions send), the trail back to the runs, the line where the answers to actions show, and its live sections.
 */
final class Pages {

    static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    private Pages() {}

    /**
     * A whole page: {@code trail} (already HTML) above {@code body}; {@code liveFrom}, when not null, is where its
     * script follows the sections (ids of {@code sections}) that change as the run goes.
     */
    static String page(String title, String trail, String token, String liveFrom, Map<String, String> sections,
            String body) {
        StringBuilder html = new StringBuilder(16 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta name=\"troupe-token\" content=\"").append(Html.escape(token)).append("\">\n")
                .append("<title>").append(Html.escape(title)).append("</title>\n")
                .append("<link rel=\"stylesheet\" href=\"/static/report.css\">\n")
                .append("<link rel=\"stylesheet\" href=\"/static/page.css\">\n")
                .append("<script src=\"/static/page.js\" defer></script>\n</head>\n<body")
                .append(liveFrom == null ? "" : " data-live=\"" + Html.escape(liveFrom) + "\"").append(">\n")
                .append("<nav class=\"trail\"><a href=\"/\">troupe</a>").append(trail)
                .append("<span id=\"connection\"></span></nav>\n")
                .append("<p id=\"notice\" role=\"status\"></p>\n");
        sections.forEach((id, section) -> html.append("<div id=\"").append(id).append("\" data-hash=\"")
                .append(hash(section)).append("\">").append(section).append("</div>\n"));
        html.append(body).append("</body>\n</html>\n");
        return html.toString();
    }

    /**
     * What a section's HTML is known by: the page's script replaces a section only when what comes has another (so
     * the first event of a feed, which repeats what the page was drawn with, leaves it, and what is typed in it, be).
     */
    static String hash(String section) {
        return Integer.toHexString(section.hashCode());
    }

    /** A value for a URL's query. */
    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The page of {@code task} of run {@code run}. */
    static String taskHref(String run, String task) {
        return "/runs/" + run + "/task?id=" + query(task);
    }

    /** A form whose submission the page's script posts as JSON to {@code action}, asking first when {@code confirm}. */
    static String form(String action, String confirm, String fields, String button) {
        return "<form class=\"action\" data-post=\"" + Html.escape(action) + "\""
                + (confirm == null ? "" : " data-confirm=\"" + Html.escape(confirm) + "\"") + ">" + fields
                + "<button type=\"submit\">" + Html.escape(button) + "</button></form>";
    }

    /** A commit's short id, when it is one. */
    static String shortId(String commit) {
        return commit != null && commit.matches("[0-9a-f]{7,40}") ? commit.substring(0, 7) : "?";
    }

    static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + Html.escape(value) + "\">";
    }
}
