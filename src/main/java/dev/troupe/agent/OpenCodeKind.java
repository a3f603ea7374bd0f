package dev.troupe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** OpenCode: not built yet (issue 24). */
final class OpenCodeKind implements AgentKind {

    @Override
    public String name() {
        return "opencode";
    }

    @Override
    public List<String> arguments(AgentCall call) {
        throw new UnsupportedOperationException("opencode is not built yet");
    }

    @Override
    public String keyVariable() {
        return "";
    }

    @Override
    public List<Path> stateDirs(Map<String, String> env) {
        return List.of();
    }

    @Override
    public AgentReader reader() {
        return new AgentReader() {
            @Override
            public Set<String> steeringTypes() {
                return Set.of();
            }

            @Override
            public AgentMessage read(JsonNode line) {
                return new AgentMessage.Other(line.path("type").asText(""));
            }
        };
    }
}
