package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.TestRepo;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run with --cluster that cannot be one is refused before anything of it is made: exit 2, one line. */
class ClusterRefusalTest {

    @TempDir
    Path tmp;

    private Path goal(TestRepo repo, String agentExtra) throws Exception {
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\nagent:\n  command: " + FakeAgent.yamlCommand() + "\n"
                + agentExtra + "tasks:\n  - id: a\n    prompt: write a.txt 1\n");
        return file;
    }

    @Test
    void aPortInUseIsRefusedAndNothingOfTheRunIsMade() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));

            Invocation run = Invocation.troupe("run", goal(repo, "").toString(), "--cluster",
                    "127.0.0.1:" + taken.getLocalPort());

            assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.err());
            assertTrue(run.err().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), run.err());
            assertFalse(Files.exists(repo.dir().resolve(".troupe/runs")), "no run folder");
            assertEquals(List.of(), repo.branches("troupe/*"), "no integration branch");
        }
    }

    @Test
    void aGoalThatSetsAnApiCredentialIsNotSentToNodes() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));

        Invocation run = Invocation.troupe("run", goal(repo, "  env: {ANTHROPIC_AUTH_TOKEN: sk-gateway-123456}\n")
                .toString(), "--cluster", "127.0.0.1:0");

        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.err());
        assertTrue(run.err().contains("agent.env sets ANTHROPIC_AUTH_TOKEN"), run.err());
        assertFalse(run.err().contains("sk-gateway-123456"), "the credential itself is never printed");
        assertFalse(Files.exists(repo.dir().resolve(".troupe/runs")), "no run folder");
    }
}
