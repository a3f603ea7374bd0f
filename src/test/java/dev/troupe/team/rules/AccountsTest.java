package dev.troupe.team.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.troupe.goal.AgentProfile;
import dev.troupe.goal.AgentSettings;
import dev.troupe.goal.Goal;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;

/**
 * Several accounts ({@code agents:} profiles) in the lead's rules: a rate limit on one pauses the launches on that
 * one only, shares bound each account's agents, and a task that names a profile waits for it.
 */
class AccountsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Tuning TUNING = new Tuning(Duration.ofSeconds(1), Duration.ofSeconds(1), 1 << 20,
            Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(30), 2, new Tuning.MergeRetries(0, Duration.ZERO), 1, 1,
            Duration.ofSeconds(30));
    private static final AgentSettings AGENT = new AgentSettings(List.of("agent"), Optional.empty(),
            "acceptEdits", List.of("Write"), Optional.empty(), false, Map.of());

    @Test
    void aRateLimitOnOneAccountPausesOnlyItsLaunchesAndTheWorkGoesOnOnTheOther() {
        RunState state = state(2, List.of(profile("first", 1), profile("second", 1)), spec("a"), spec("b"), spec("c"));

        List<Decision> started = state.start(Optional.empty(), 1, T0);
        assertEquals(Map.of("a", "first", "b", "second"), accounts(started), "each profile takes its share");

        List<Decision> limited = state.attemptFailed("worker-1", "a", 1, Assignment.Role.WRITER, "429", 0, Usage.NONE,
                true, 60_000, T0.plusSeconds(1));
        TeamEvent.TeamPaused paused = of(limited, TeamEvent.TeamPaused.class).get(0);
        assertEquals("first", paused.account());
        assertEquals(T0.plusSeconds(61), paused.until());
        assertEquals(Map.of(), accounts(state.tick(T0.plusSeconds(2))), "first is paused and second is busy");

        List<Decision> done = state.attemptSucceeded("worker-2", "b", 1, Assignment.Role.WRITER, written("b"),
                T0.plusSeconds(3));
        state.merged("b", commit("mb"), T0.plusSeconds(3));
        assertEquals(Map.of("c", "second"), accounts(done), "the next task goes to the account that is not paused");
        assertEquals(Map.of("a", "first"), accounts(state.tick(T0.plusSeconds(61))), "first takes work again after its pause");
    }

    @Test
    void aTaskThatNamesAPausedProfileWaitsForItWhileOthersStart() {
        Goal.TaskSpec pinned = spec("pinned").withAgent("first");
        RunState state = state(3, List.of(profile("first", 1), profile("second", 2)), spec("a"), pinned, spec("b"));

        assertEquals(Map.of("a", "first", "b", "second"), accounts(state.start(Optional.empty(), 1, T0)),
                "pinned waits: first's one share is taken");
        List<Decision> limited = state.attemptFailed("worker-1", "a", 1, Assignment.Role.WRITER, "429", 0, Usage.NONE,
                true, 60_000, T0.plusSeconds(1));
        assertEquals(Map.of("a", "second"), accounts(limited), "a is tried again at once on the account with room");
        assertEquals(Map.of("pinned", "first"), accounts(state.tick(T0.plusSeconds(61))));
    }

    @Test
    void withoutSharesTheGoalsAgentRunsWhatNamesNoProfileAndAProfileOnlyWhatNamesIt() {
        RunState state = state(2, List.of(new AgentProfile("codex", AGENT, Optional.empty(), Optional.empty())),
                spec("a"), spec("b").withAgent("codex"));

        assertEquals(Map.of("a", "agent", "b", "codex"), accounts(state.start(Optional.empty(), 1, T0)));
    }

    @Test
    void aRetryWhoseCliSaysNoDelayHoldsItsAccountForTheRateLimitPause() {
        RunState state = state(2, List.of(profile("first", 1), profile("second", 1)), spec("a"), spec("b"));
        state.start(Optional.empty(), 1, T0);

        // Codex honours the API's Retry-After without printing it: its retry comes with no delay (-1).
        List<TeamEvent.TeamPaused> paused = of(state.apiPressure("worker-1", "rate_limit", -1, T0.plusSeconds(1)),
                TeamEvent.TeamPaused.class);

        assertEquals(1, paused.size());
        assertEquals("first", paused.get(0).account());
        assertEquals(T0.plusSeconds(31), paused.get(0).until(), "retry.rate-limit-pause, not a pause over before it began");
    }

    @Test
    void aTaskThatNamesACliGoesOnlyToAProfileOfThatCliAndASessionPrefersItsOwnAccount() {
        AgentSettings codex = AGENT.withCli("codex");
        Goal goal = goal(3, List.of(profile("claude-b", 1), new AgentProfile("codex-a", codex, Optional.empty(),
                Optional.of(1))));
        Accounts accounts = new Accounts(goal, new Roster(3, new Decisions(event -> { })), TUNING,
                new Decisions(event -> { }));

        Goal.TaskSpec onGemini = spec("g").withCli("gemini");
        assertEquals(Optional.empty(), accounts.startable(onGemini, null, T0).orElseThrow().agent(),
                "gemini is neither profile's CLI: it runs with agent:'s settings");
        Goal.TaskSpec onCodex = spec("c").withCli("codex");
        assertEquals(Optional.of("codex-a"), accounts.startable(onCodex, null, T0).orElseThrow().agent());

        Goal.TaskSpec plain = spec("p");
        assertEquals(Optional.of("claude-b"), accounts.startable(plain, null, T0).orElseThrow().agent(),
                "the first profile of agent:'s CLI with room");
        assertEquals(Optional.empty(), accounts.startable(plain, accounts.agentOf(plain), T0).orElseThrow().agent(),
                "a session made on agent: is resumed there");
    }

    /** The account each assigned task runs on: its profile, or "agent" for the goal's. */
    private static Map<String, String> accounts(List<Decision> decisions) {
        Map<String, String> accounts = new java.util.TreeMap<>();
        of(decisions, Decision.AssignOnceJournaled.class).forEach(d -> accounts.put(d.assignment().task().id(),
                d.assignment().task().agent().orElse("agent")));
        return accounts;
    }

    private static AgentProfile profile(String name, int share) {
        return new AgentProfile(name, AGENT, Optional.empty(), Optional.of(share));
    }

    private static RunState state(int size, List<AgentProfile> profiles, Goal.TaskSpec... tasks) {
        return new RunState(new RunContext("run-1", goal(size, profiles, tasks), Path.of("/repo"), "main",
                Path.of("/repo/.troupe/runs/run-1"), Path.of("/worktrees"), "troupe/run-1", commit("base"), null, null,
                dev.troupe.agent.Secrets.of(Map.of()), null, TUNING, false, null));
    }

    private static Goal goal(int size, List<AgentProfile> profiles, Goal.TaskSpec... tasks) {
        return new Goal(Path.of("/repo/goal.yaml"), "the goal", Path.of("/repo"), Optional.of("main"),
                new Goal.Team(size, Duration.ZERO), AGENT,
                new Goal.Limits(Duration.ofMinutes(1), Duration.ofMinutes(1), 0, Duration.ofMinutes(1), 3, Optional.empty()),
                new Goal.Sync(Goal.ZonePolicy.WARN, Optional.empty()), Optional.empty(), List.of(tasks), Goal.Notify.NONE,
                Goal.Workspace.NONE, dev.troupe.goal.GoalPlaces.none(Path.of("/repo/goal.yaml")), Goal.Plan.ONCE, profiles);
    }

    private static Goal.TaskSpec spec(String id) {
        return new Goal.TaskSpec(id, id, "do " + id, List.of(), Optional.empty());
    }

    private static AttemptResult written(String id) {
        return new AttemptResult("troupe/tasks/run-1/" + id, commit("c-" + id), 0.01, Usage.NONE, 1, 100,
                List.of(id + ".txt"), List.of(), "done " + id, 0, Optional.empty());
    }

    private static <T> List<T> of(List<Decision> decisions, Class<T> type) {
        List<T> found = new java.util.ArrayList<>();
        for (Decision decision : decisions) {
            if (type.isInstance(decision)) {
                found.add(type.cast(decision));
            } else if (decision instanceof Decision.Journal journal && type.isInstance(journal.event())) {
                found.add(type.cast(journal.event()));
            }
        }
        return found;
    }

    private static ObjectId commit(String name) {
        return ObjectId.fromString(String.format("%040x", name.hashCode() & 0xffffffffL));
    }
}
