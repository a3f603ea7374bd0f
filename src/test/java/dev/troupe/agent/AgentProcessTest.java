package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentProcessTest {

    @TempDir
    Path tmp;

    /** Starts bash running {@code script}, which prints the pid of a grandchild it started in a session of its own. */
    private AgentProcess start(String script) throws Exception {
        return AgentProcess.start(List.of("bash", "-c", script), tmp, Map.of(), tmp.resolve("stderr.txt"), false);
    }

    @Test
    void whatTroupeStartsGetsTheUsersMallocArenasNotTheTwoBinTroupeGaveItsOwnJvm() {
        Map<String, String> fromTroupe = new java.util.HashMap<>(Map.of("MALLOC_ARENA_MAX", "2",
                AgentProcess.ARENAS_SET_BY_TROUPE, "1", "HOME", "/home/u"));
        AgentProcess.usersArenas(fromTroupe);
        assertEquals(Map.of("HOME", "/home/u"), fromTroupe);

        Map<String, String> usersOwn = new java.util.HashMap<>(Map.of("MALLOC_ARENA_MAX", "8"));
        AgentProcess.usersArenas(usersOwn);
        assertEquals(Map.of("MALLOC_ARENA_MAX", "8"), usersOwn);
    }

    private static long firstLineAsPid(AgentProcess process) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8));
        return Long.parseLong(out.readLine().strip());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void stopKillsDescendantsThatLeftTheProcessGroup() throws Exception {
        AgentProcess agent = start("setsid sleep 1000 & echo $!; wait");
        long grandchild = firstLineAsPid(agent);
        assertTrue(alive(grandchild));

        agent.stopNow(Duration.ofSeconds(2));

        assertFalse(agent.isAlive());
        assertFalse(alive(grandchild), "the setsid child is gone too");
    }

    @Test
    void anAgentThatExitedByItselfHasWhatItLeftRunningKilledAndItsExitCodeKept() throws Exception {
        AgentProcess agent = start("setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $!; exit 3");
        long orphan = firstLineAsPid(agent);
        assertEquals(3, agent.exit().get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(alive(orphan), "left running, its parent gone");

        assertEquals(3, agent.stopNow(Duration.ofSeconds(2)));

        assertFalse(alive(orphan), "found by the agent's marker and killed");
        AgentProcess clean = start("exit 4");
        assertEquals(4, clean.exit().get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(4, clean.stopNow(Duration.ofSeconds(2)), "nothing left: the exit code at once");
    }

    @Test
    void anAgentExitingAsItIsStoppedEndsByItselfUnsignalled() throws Exception {
        // As an agent does after its result: the last line, then a moment of its own (bash's builtins, no child to
        // kill) before it exits. A SIGTERM would end it at once with 143. The wait given is long, so that a loaded
        // machine cannot make the agent miss it; the stop returns as soon as the agent is gone.
        AgentProcess agent = start("trap 'exit 143' TERM; echo result; end=$(( ${EPOCHREALTIME/./} + 200000 ));"
                + " while (( ${EPOCHREALTIME/./} < end )); do :; done; exit 5");
        BufferedReader out = new BufferedReader(new InputStreamReader(agent.stdout(), StandardCharsets.UTF_8));
        assertEquals("result", out.readLine());
        long start = System.nanoTime();

        assertEquals(5, agent.stopNow(Duration.ofSeconds(2), Duration.ofSeconds(30)),
                "its own exit code: it was let end by itself");
        assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(20),
                "returned once the agent ended, not after the whole wait");
    }

    @Test
    void anAgentStillRunningAfterTheMomentIsSignalled() throws Exception {
        AgentProcess agent = start("trap 'exit 143' TERM; echo result; while true; do :; done");
        BufferedReader out = new BufferedReader(new InputStreamReader(agent.stdout(), StandardCharsets.UTF_8));
        assertEquals("result", out.readLine());

        assertEquals(143, agent.stopNow(Duration.ofSeconds(2), Duration.ofMillis(50)), "SIGTERM ended it");
    }

    @Test
    void whatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        AgentProcess agent = start("trap '' TERM; (trap '' TERM; setsid sleep 1000) & echo $!; while true; do sleep 0.1; done");
        long child = firstLineAsPid(agent);

        agent.stopNow(Duration.ofMillis(300));

        assertFalse(agent.isAlive(), "SIGKILL after the grace period");
        assertFalse(alive(child));
    }

    @Test
    void stdinIsClosed() throws Exception {
        AgentProcess agent = start("cat; echo eof-seen");
        BufferedReader out = new BufferedReader(new InputStreamReader(agent.stdout(), StandardCharsets.UTF_8));

        String line = out.readLine();

        assertTrue("eof-seen".equals(line), "cat ended at once: " + line);
        agent.stopNow(Duration.ofSeconds(1));
    }

    @Test
    void pwdNamesTheAgentsWorkingDirectoryNotTroupes() throws Exception {
        // printenv, not a shell: bash would mend a PWD that names another directory, OpenCode does not.
        AgentProcess agent = AgentProcess.start(List.of("printenv", "PWD"), tmp, Map.of(), tmp.resolve("stderr.txt"),
                false);
        BufferedReader out = new BufferedReader(new InputStreamReader(agent.stdout(), StandardCharsets.UTF_8));

        assertEquals(tmp.toAbsolutePath().toString(), out.readLine());
        agent.stopNow(Duration.ofSeconds(1));
    }
}
