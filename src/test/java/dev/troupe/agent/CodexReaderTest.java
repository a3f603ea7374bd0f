package dev.troupe.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import java.util.ArrayList;
import java.util.List;

class CodexReaderTest {

    /** The lines through the reader as troupe reads them: only a steering type is handed to it. */
    static List<AgentMessage> read(AgentReader reader, List<String> lines) {
        List<AgentMessage> messages = new ArrayList<>();
        for (String line : lines) {
            try {
                JsonNode json = Json.AGENT_LINES.readTree(line);
                String type = json.path("type").asText("");
                messages.add(reader.steeringTypes().contains(type) ? reader.read(json) : new AgentMessage.Other(type));
            } catch (JsonProcessingException notJson) {
                messages.add(new AgentMessage.NotJson());
            }
        }
        return messages;
    }
}
