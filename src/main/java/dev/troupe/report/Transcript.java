package dev.troupe.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.AgentKind;
import dev.troupe.agent.AgentMessage;
import dev.troupe.agent.AgentReader;
import dev.troupe.agent.StreamJson;
import dev.troupe.journal.JournalReader;
import dev.troupe.journal.Usage;
import dev.troupe.journal.Json;
import dev.troupe.journal.Money;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One agent's stream-json output ({@code agents/<task>-<n>.jsonl}) made readable for the report: its messages,
 * tool calls and their results, and its end. A transcript can be huge, so only its first entries are shown and
 * its spend is read from its last lines.
 */
final class Transcript {

    /** Entries shown of one transcript; the rest is in the file. */
    static final int MOST_ENTRIES = 300;
    /** Characters shown of one message, tool input or tool result. */
    static final int MOST_CHARS = 2000;
    /** How far from its end a transcript followed live is read. */
    private static final long LATEST_BYTES = 4L << 20;
    /** How far from its end a transcript is searched for its result. */
    private static final int TAIL_BYTES = 256 * 1024;

    /** What one model cost in one agent run. */
    record ModelSpend(String model, long inputTokens, long outputTokens, double costUsd) {}

    private Transcript() {}

    /** The transcript as HTML: its first {@link #MOST_ENTRIES} entries, read no further. */
    static String html(Path file) throws IOException {
        return html(file, false);
    }

    /**
     * The transcript as HTML: its first {@link #MOST_ENTRIES} entries, or with {@code latest} its last ones (an
     * agent at work, followed live), read from no further back than {@link #LATEST_BYTES} from its end.
     */
    static String html(Path file, boolean latest) throws IOException {
        ArrayDeque<String> entries = new ArrayDeque<>();
        long from = latest ? Math.max(0, Files.size(file) - LATEST_BYTES) : 0;
        boolean more = from > 0;
        try (BufferedReader reader = JournalReader.lenientReader(file, from)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String entry = entry(line);
                if (entry.isEmpty()) {
                    continue;
                }
                if (entries.size() == MOST_ENTRIES) {
                    more = true;
                    if (!latest) {
                        break;
                    }
                    entries.removeFirst();
                }
                entries.addLast(entry);
            }
        }
        StringBuilder html = new StringBuilder();
        if (more && latest) {
            html.append("<p class=\"note\">The last ").append(MOST_ENTRIES).append(" entries; the whole output is in <code>")
                    .append(Html.escape(file.toString())).append("</code>.</p>\n");
        }
        html.append("<ol class=\"transcript\">\n");
        entries.forEach(html::append);
        html.append("</ol>\n");
        if (more && !latest) {
            html.append("<p class=\"note\">The first ").append(MOST_ENTRIES).append(" entries; the whole output is in <code>")
                    .append(Html.escape(file.toString())).append("</code>.</p>\n");
        }
        return html.toString();
    }

    /**
     * What troupe said to the agent besides its task: the session it continued ({@code retry: resume}) and the
     * messages of {@code troupe tell} it was given, or that came while it ran.
     */
    static String steering(RunRecord.Span span) {
        StringBuilder html = new StringBuilder();
        if (!span.resumed().isEmpty()) {
            html.append("<p class=\"note\">Continues the session <code>").append(Html.escape(span.resumed()))
                    .append("</code> of an earlier attempt (<code>retry: resume</code>), told why its work did not make"
                            + " it in.</p>\n");
        }
        if (!span.told().isEmpty() || !span.toldLater().isEmpty() || !span.heardLive().isEmpty()) {
            html.append("<ol class=\"transcript\">\n");
            span.told().forEach(message -> html.append(item("told", "told with troupe tell", Html.escape(message))));
            span.heardLive().forEach(message -> html.append(item("told",
                    "told while it ran, and taken in then", Html.escape(message))));
            span.toldLater().forEach(message -> html.append(item("told",
                    "told with troupe tell while it ran: only a later attempt hears it", Html.escape(message))));
            html.append("</ol>\n");
        }
        return html.toString();
    }

    private static String entry(String line) {
        JsonNode json = parse(line);
        if (json == null) {
            return line.isBlank() ? "" : item("raw", "output", Html.escape(cut(line)));
        }
        String type = json.path("type").asText();
        switch (type) {
            case "system" -> {
                String subtype = json.path("subtype").asText();
                if (subtype.equals("init")) {
                    return item("system", "started", "model <code>" + Html.escape(json.path("model").asText("?"))
                            + "</code>, permission mode <code>" + Html.escape(json.path("permissionMode").asText("?"))
                            + "</code>");
                }
                if (subtype.equals("api_retry")) {
                    return item("retry", "API retry", Html.escape(json.path("error").asText("error")) + " "
                            + Html.escape(json.path("error_status").asText("")) + ": retry " + json.path("attempt").asInt()
                            + " of " + json.path("max_retries").asInt() + " in " + json.path("retry_delay_ms").asLong() + " ms");
                }
                return "";
            }
            case "assistant" -> {
                StringBuilder out = new StringBuilder();
                for (JsonNode block : json.path("message").path("content")) {
                    String kind = block.path("type").asText();
                    if (kind.equals("text") && !block.path("text").asText().isBlank()) {
                        out.append(item("assistant", "assistant", "<div class=\"text\">"
                                + Html.escape(cut(block.path("text").asText())) + "</div>"));
                    } else if (kind.equals("tool_use")) {
                        out.append(item("tool", "tool call", "<b>" + Html.escape(block.path("name").asText()) + "</b> "
                                + "<pre>" + Html.escape(cut(pretty(block.path("input")))) + "</pre>"));
                    }
                }
                return out.toString();
            }
            case "user" -> {
                StringBuilder out = new StringBuilder();
                for (JsonNode block : json.path("message").path("content")) {
                    if (block.path("type").asText().equals("tool_result")) {
                        boolean error = block.path("is_error").asBoolean(false);
                        out.append(item(error ? "tool-error" : "tool-result", error ? "tool error" : "tool result",
                                "<pre>" + Html.escape(cut(text(block.path("content")))) + "</pre>"));
                    }
                }
                return out.toString();
            }
            case "result" -> {
                if (json.has("status")) {
                    return CliEntries.entry(json);
                }
                boolean error = json.path("is_error").asBoolean(true);
                String said = json.path("result").isTextual() ? json.path("result").asText()
                        : String.join("; ", json.path("errors").findValuesAsText(""));
                return item(error ? "result-error" : "result", error ? "ended with an error" : "finished",
                        "<div class=\"text\">" + Html.escape(cut(said)) + "</div><div class=\"meta\">"
                                + json.path("num_turns").asInt() + " turns, " + Money.format(json.path("total_cost_usd").asDouble())
                                + (json.path("permission_denials").size() > 0
                                        ? ", " + json.path("permission_denials").size() + " tool calls denied" : "")
                                + "</div>");
            }
            default -> {
                return CliEntries.entry(json);
            }
        }
    }

    /**
     * What an agent run of {@code cli} cost per model. Claude Code's last result says it by model; another CLI's
     * output is read through its reader, and its spend is put under the CLI and the model it was asked for (a CLI
     * this troupe does not know, from a newer one's journal, is read as Claude Code's).
     */
    static List<ModelSpend> spend(Path file, String cli, String model) throws IOException {
        Optional<AgentKind> kind = AgentKind.named(cli);
        if (cli.equals("claude") || kind.isEmpty() || !Files.exists(file)) {
            return spend(file);
        }
        AgentReader reader = kind.get().reader();
        AgentMessage.Result last = null;
        try (BufferedReader lines = JournalReader.lenientReader(file)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (StreamJson.decode(line, reader).message() instanceof AgentMessage.Result result) {
                    last = result;
                }
            }
        }
        if (last == null) {
            return List.of();
        }
        Usage usage = last.usage();
        return List.of(new ModelSpend(cli + " " + (model.isEmpty() ? "(its default model)" : model),
                usage.inputTokens() + usage.cacheReadInputTokens() + usage.cacheCreationInputTokens(),
                usage.outputTokens(), last.costUsd()));
    }

    /** What the agent run cost per model, from its last result (empty when it gave none). */
    static List<ModelSpend> spend(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        Optional<JsonNode> result = lastResult(file);
        if (result.isEmpty()) {
            return List.of();
        }
        JsonNode models = result.get().path("modelUsage");
        if (models.isObject() && models.size() > 0) {
            Map<String, ModelSpend> spend = new LinkedHashMap<>();
            models.fields().forEachRemaining(model -> spend.put(model.getKey(), new ModelSpend(model.getKey(),
                    model.getValue().path("inputTokens").asLong() + model.getValue().path("cacheReadInputTokens").asLong()
                            + model.getValue().path("cacheCreationInputTokens").asLong(),
                    model.getValue().path("outputTokens").asLong(), model.getValue().path("costUSD").asDouble())));
            return List.copyOf(spend.values());
        }
        JsonNode usage = result.get().path("usage");
        return List.of(new ModelSpend(firstModel(file).orElse("unknown"),
                usage.path("input_tokens").asLong() + usage.path("cache_read_input_tokens").asLong()
                        + usage.path("cache_creation_input_tokens").asLong(),
                usage.path("output_tokens").asLong(), result.get().path("total_cost_usd").asDouble()));
    }

    private static Optional<JsonNode> lastResult(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(0, raf.length() - TAIL_BYTES);
            byte[] tail = new byte[(int) (raf.length() - from)];
            raf.seek(from);
            raf.readFully(tail);
            List<String> lines = new String(tail, StandardCharsets.UTF_8).lines().toList();
            for (int i = lines.size() - 1; i >= 0; i--) {
                JsonNode json = parse(lines.get(i));
                if (json != null && "result".equals(json.path("type").asText())) {
                    return Optional.of(json);
                }
            }
            return Optional.empty();
        }
    }

    private static Optional<String> firstModel(Path file) throws IOException {
        try (BufferedReader reader = JournalReader.lenientReader(file)) {
            JsonNode first = parse(reader.readLine());
            return first == null || !first.path("model").isTextual() ? Optional.empty()
                    : Optional.of(first.path("model").asText());
        }
    }

    private static JsonNode parse(String line) {
        if (line == null || !line.startsWith("{")) {
            return null;
        }
        try {
            JsonNode json = Json.AGENT_LINES.readTree(line);
            return json.isObject() ? json : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String item(String kind, String label, String body) {
        return "<li class=\"" + kind + "\"><span class=\"label\">" + label + "</span>" + body + "</li>\n";
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : content) {
            text.append(block.path("text").asText(block.toString())).append('\n');
        }
        return text.toString().strip();
    }

    static String pretty(JsonNode input) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(input);
        } catch (IOException e) {
            return input.toString();
        }
    }

    static String cut(String text) {
        if (text.length() <= MOST_CHARS) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MOST_CHARS - 1)) ? MOST_CHARS - 1 : MOST_CHARS;
        return text.substring(0, end) + String.format(Locale.ROOT, "… (%d more characters)", text.length() - end);
    }
}
