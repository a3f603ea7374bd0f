package dev.troupe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * What troupe understands of one agent process's JSON lines, in its CLI's own format: each line as an
 * {@link AgentMessage}. One reader a process, so it may keep what earlier lines said (a session id printed once, the
 * cost of the steps so far). Unknown types are never an error: the CLIs add new ones freely.
 */
public interface AgentReader {

    /**
     * The {@code type}s of the lines {@link #read} may make more of than {@link AgentMessage.Other}: only these are
     * parsed into a tree; the rest are journaled as printed.
     */
    Set<String> steeringTypes();

    /** One JSON object line of the agent's stdout. */
    AgentMessage read(JsonNode line);
}
