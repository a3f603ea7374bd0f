package dev.troupe.remote;

import akka.actor.typed.ActorSystem;
import dev.troupe.agent.LiveAgents;
import dev.troupe.agent.Secrets;
import dev.troupe.team.rules.Tuning;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * What a worker node shares between its runs.
 *
 * @param workDir the node's {@code --work-dir}
 * @param agents every agent the node started that may still be alive
 * @param secrets this node's own credentials, masked in what it writes (none of them is sent)
 */
public record NodeContext(ActorSystem<?> system, Path workDir, NodeRepository repository, LiveAgents agents,
        Secrets secrets, Executor blocking, Tuning tuning) {}
