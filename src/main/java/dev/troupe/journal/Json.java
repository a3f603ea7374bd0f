package dev.troupe.journal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON configuration of events, journals and agent lines (thread-safe once built). Its two mappers differ
 * only in how deep they let JSON nest: an agent's line nests one level deeper inside its {@code agent-output}
 * event, so whatever line troupe takes from an agent as JSON, it can write into its journal and read back.
 */
public final class Json {

    /**
     * How deep an agent's JSON line may nest ({@code {}} is depth 1): Jackson's default limit. A deeper line is
     * not taken as JSON, and is journaled as text.
     */
    public static final int AGENT_LINE_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH;

    /** Events and journals: an agent line of {@link #AGENT_LINE_DEPTH} inside its event, read and written. */
    public static final ObjectMapper MAPPER = mapper(AGENT_LINE_DEPTH + 1);

    /** One line an agent printed, held to {@link #AGENT_LINE_DEPTH}. */
    public static final ObjectMapper AGENT_LINES = mapper(AGENT_LINE_DEPTH);

    private Json() {}

    private static ObjectMapper mapper(int depth) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(depth).build())
                .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(depth).build())
                .build();
        return JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .serializationInclusion(JsonInclude.Include.NON_ABSENT)
                .build();
    }
}
