package dev.troupe.team.rules;

import java.nio.file.Path;

/**
 * A Claude Code session an attempt's agent worked in, as its output named it, and the workspace it ran in: the CLI
 * keeps a session under its working directory's path, so it can be resumed only from that directory.
 */
public record AgentSession(String id, Path cwd) {}
