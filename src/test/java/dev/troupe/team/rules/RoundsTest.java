package dev.troupe.team.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.goal.AgentSettings;
import dev.troupe.goal.Goal;
import dev.troupe.journal.Json;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;

/**
 * Planning in rounds as the lead's rules decide it, without an actor, a process or a repository: when a round's
 * tasks are settled the planner is asked again, with the results, until it says the goal is met or the rounds run out.
 */
class RoundsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final ObjectId BASE = commit("base");
    private static final Tuning TUNING = new Tuning(Duration.ofSeconds(1), Duration.ofSeconds(1), 1 << 20,
            Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(30), 2, new Tuning.MergeRetries(0, Duration.ZERO), 1, 1, Duration.ofMinutes(1));
    private static final Path PLAN = Path.of("/repo/.troupe/runs/run-1/goal.yaml");

    @Test
    void whenARoundSettlesThePlannerReadsItsResultsAndPlansTheNextUntilItSaysTheGoalIsMet() {
        RunState state = state(3, spec("a"));
        assertEquals(List.of("a"), assigned(state.start(Optional.empty(), 1, T0)), "the goal's own tasks are round 1");
        state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0);

        ObjectId mergedA = commit("ma");
        List<Decision> settled = state.merged("a", mergedA, T0.plusSeconds(1));

        assertEquals(List.of(), of(settled, Decision.Finish.class), "a round is left: the run goes on");
        Decision.Assign planner = of(settled, Decision.Assign.class).get(0);
        Assignment asked = planner.assignment();
        assertEquals(Assignment.Role.PLANNER, asked.role());
        assertEquals(mergedA, asked.base(), "the planner reads the integration head");
        assertEquals(Optional.of(BASE), asked.changeFrom(), "and is shown what changed since the run began");
        assertTrue(asked.prompt().contains("this is round 2 of at most 3"), asked.prompt());
        assertTrue(asked.prompt().contains("- a: merged. done a"), "it reads what a reported: " + asked.prompt());
        assertTrue(asked.prompt().contains("results/a.md"), "and where its report is");
        assertEquals(2, event(settled, TeamEvent.PlanStarted.class).round());

        List<Decision> answered = state.attemptSucceeded(planner.worker(), "(planner)", asked.attempt(),
                Assignment.Role.PLANNER, answer(false, "a is done; b builds on it",
                        "{\"id\": \"b\", \"prompt\": \"do b\", \"after\": [\"a\"]}"), T0.plusSeconds(2));
        Decision.CheckPlan check = of(answered, Decision.CheckPlan.class).get(0);
        assertEquals(2, check.round());
        List<Decision> planned = state.planChecked(check.attempt(), check.answer(), List.of(spec("b", "a")), PLAN, null,
                T0.plusSeconds(3));

        TeamEvent.PlanMade made = durable(planned, TeamEvent.PlanMade.class);
        assertEquals(2, made.round());
        assertEquals(List.of("b"), made.tasks());
        assertEquals("a is done; b builds on it", made.summary());
        assertEquals(List.of("b"), assigned(planned), "b comes after a, which is merged already");

        state.attemptSucceeded("worker-1", "b", 1, Assignment.Role.WRITER, written("b"), T0.plusSeconds(4));
        List<Decision> second = state.merged("b", commit("mb"), T0.plusSeconds(5));
        Decision.Assign third = of(second, Decision.Assign.class).get(0);
        assertTrue(third.assignment().prompt().contains("this is round 3 of at most 3"));
        assertTrue(third.assignment().prompt().contains("This is the last round"));
        assertTrue(third.assignment().prompt().contains("Round 2 (planned as: a is done; b builds on it):"));
        assertEquals(asked.attempt() + 1, third.assignment().attempt(), "each planner run has a number of its own");

        List<Decision> met = state.attemptSucceeded(third.worker(), "(planner)", third.assignment().attempt(),
                Assignment.Role.PLANNER, answer(true, "a and b do it", null), T0.plusSeconds(6));

        TeamEvent.GoalMet goalMet = durable(met, TeamEvent.GoalMet.class);
        assertEquals(2, goalMet.round(), "met after two rounds of work");
        assertEquals(0, of(met, Decision.Finish.class).get(0).outcome().exitCode());
        assertEquals(Optional.of("a and b do it"), of(met, Decision.Finish.class).get(0).outcome().goalMet());
        assertEquals(List.of(), of(met, Decision.CheckPlan.class));
    }

    @Test
    void theLastRoundEndsTheRunWithoutAskingThePlannerAgain() {
        RunState state = state(1, spec("a"));
        state.start(Optional.empty(), 1, T0);
        state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0);

        List<Decision> merged = state.merged("a", commit("ma"), T0);

        assertEquals(List.of(), of(merged, Decision.Assign.class), "one round is all");
        assertEquals(0, of(merged, Decision.Finish.class).get(0).outcome().exitCode());
    }

    @Test
    void aSpentBudgetEndsTheRunAfterTheRoundWithoutAskingThePlanner() {
        RunState state = new RunState(context(3, Optional.of(0.01), spec("a")));
        state.start(Optional.empty(), 1, T0);
        state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0);

        List<Decision> merged = state.merged("a", commit("ma"), T0);

        assertEquals(List.of(), of(merged, Decision.Assign.class), "a round costs money: none is planned");
        assertEquals(0, of(merged, Decision.Finish.class).get(0).outcome().exitCode());
    }

    @Test
    void aFailedRoundIsPlannedAroundAndTwoRefusedPlansEndTheRunAsItStands() {
        RunState state = state(4, spec("a"));
        state.start(Optional.empty(), 1, T0);
        List<Decision> failed = state.attemptFailed("worker-1", "a", 1, Assignment.Role.WRITER, "exit 2", 0, Usage.NONE,
                false, -1, T0);
        Decision.Assign planner = of(failed, Decision.Assign.class).get(0);
        assertTrue(planner.assignment().prompt().contains("- a: failed. exit 2"), planner.assignment().prompt());

        AttemptResult plan = answer(false, "retry", "{\"id\": \"b\", \"prompt\": \"p\", \"after\": [\"nope\"]}");
        state.attemptSucceeded(planner.worker(), "(planner)", 1, Assignment.Role.PLANNER, plan, T0);
        List<Decision> refused = state.planChecked(1, plan, null, null, "task 'b' comes after unknown task 'nope'", T0);
        assertTrue(event(refused, TeamEvent.PlanRejected.class).retrying());
        Decision.Assign again = of(refused, Decision.Assign.class).get(0);
        assertTrue(again.assignment().prompt().contains("Your last plan could not be used: task 'b' comes after unknown"));
        List<Decision> refusedAgain = state.attemptSucceeded(again.worker(), "(planner)", 2, Assignment.Role.PLANNER,
                answer(false, "retry", "{\"id\": \"a\", \"prompt\": \"p\"}"), T0);

        assertFalse(event(refusedAgain, TeamEvent.PlanRejected.class).retrying());
        assertEquals(1, of(refusedAgain, Decision.Finish.class).get(0).outcome().exitCode(),
                "a failed and no round mended it: exit 1, not the exit 2 of a run that never had a plan");
    }

    @Test
    void aLaterRoundWithNoTasksThatDoesNotSayTheGoalIsMetIsRefused() {
        RunState state = state(3, spec("a"));
        state.start(Optional.empty(), 1, T0);
        state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0);
        state.merged("a", commit("ma"), T0);

        List<Decision> empty = state.attemptSucceeded("worker-1", "(planner)", 1, Assignment.Role.PLANNER,
                answer(false, "hmm", null), T0);

        assertEquals(List.of(), of(empty, Decision.CheckPlan.class));
        assertTrue(event(empty, TeamEvent.PlanRejected.class).problem().contains("answer met: true"));
        assertEquals(1, of(empty, Decision.Assign.class).size(), "asked once more");
    }

    @Test
    void aPlannedIdThatAnEarlierTaskHasIsRefusedThoughTheGoalFileCannotSeeIt() {
        RunState state = state(3, spec("src/a.js"));
        state.start(Optional.empty(), 1, T0);
        state.attemptSucceeded("worker-1", "src/a.js", 1, Assignment.Role.WRITER, written("a"), T0);
        state.merged("src/a.js", commit("ma"), T0);
        AttemptResult plan = answer(false, "again", "{\"id\": \"src/a.js\", \"prompt\": \"p\"}");

        List<Decision> refused = state.attemptSucceeded("worker-1", "(planner)", 1, Assignment.Role.PLANNER, plan, T0);

        assertTrue(event(refused, TeamEvent.PlanRejected.class).problem().contains("task ids taken by earlier tasks: src/a.js"));
        assertEquals(List.of(), of(refused, Decision.CheckPlan.class), "not written into the run's goal file");
        assertEquals(List.of(), assigned(refused));
    }

    @Test
    void aPlanAfterAFailedTaskIsSkippedAtOnce() {
        RunState state = state(3, spec("a"));
        state.start(Optional.empty(), 1, T0);
        state.attemptFailed("worker-1", "a", 1, Assignment.Role.WRITER, "exit 2", 0, Usage.NONE, false, -1, T0);
        AttemptResult plan = answer(false, "s", "{\"id\": \"b\", \"prompt\": \"p\"}");
        state.attemptSucceeded("worker-1", "(planner)", 1, Assignment.Role.PLANNER, plan, T0);

        List<Decision> planned = state.planChecked(1, plan, List.of(spec("b", "a"), spec("c")), PLAN, null, T0);

        assertEquals("b", event(planned, TeamEvent.TaskSkipped.class).task());
        assertEquals(List.of("c"), assigned(planned));
    }

    @Test
    void aResumeBetweenRoundsAsksThePlannerForTheNextRoundCountingItsRefusals() {
        RunHistory history = RunHistory.of(List.of(
                new TeamEvent.RunStarted(T0, "run-1", "/repo/goal.yaml", "/repo", "main", BASE.name(), "troupe/run-1", 1,
                        List.of("a"), Map.of(), false),
                new TeamEvent.TaskQueued(T0, "a"),
                new TeamEvent.TaskAssigned(T0, "a", 1, "worker-1", "troupe/tasks/run-1/a", BASE.name()),
                new TeamEvent.MergeDone(T0, "a", commit("ma").name(), "troupe/run-1"),
                new TeamEvent.PlanStarted(T0, 1, "worker-1", 2),
                new TeamEvent.PlanMade(T0, 1, List.of("b"), Map.of(), PLAN.toString(), 0, Usage.NONE, 2, "then b"),
                new TeamEvent.TaskQueued(T0, "b"),
                new TeamEvent.TaskAssigned(T0, "b", 1, "worker-1", "troupe/tasks/run-1/b", BASE.name()),
                new TeamEvent.MergeDone(T0, "b", commit("mb").name(), "troupe/run-1"),
                new TeamEvent.PlanStarted(T0, 2, "worker-1", 3),
                new TeamEvent.PlanRejected(T0, 2, "no tasks", 0, Usage.NONE, true, 3),
                new TeamEvent.PlanStarted(T0, 3, "worker-1", 3))).orElseThrow();
        assertEquals(2, history.lastRound());
        assertEquals(List.of(new RunHistory.Round(1, List.of("a"), ""), new RunHistory.Round(2, List.of("b"), "then b")),
                history.rounds());
        RunState state = state(4, spec("a"), spec("b"));

        List<Decision> resumed = state.start(Optional.of(new ResumeFrom(history, Map.of("a", commit("ma"), "b",
                commit("mb")), 0, Set.of())), 42, T0.plusSeconds(60));

        assertEquals(List.of(), of(resumed, Decision.Finish.class));
        Decision.Assign planner = of(resumed, Decision.Assign.class).get(0);
        assertEquals(3, event(resumed, TeamEvent.PlanStarted.class).round());
        assertEquals(3, planner.assignment().attempt(), "the attempt the stop cut short is made again");
        assertTrue(planner.assignment().prompt().contains("Your last plan could not be used: no tasks"),
                "the refusal before the stop counts");
        assertTrue(planner.assignment().prompt().contains("Round 2 (planned as: then b):\n- b: merged."),
                planner.assignment().prompt());
        assertEquals(Optional.of(BASE), planner.assignment().changeFrom(), "the diff starts where the run began");
    }

    @Test
    void aResumeAfterTheNextRoundWasRefusedTwiceEndsTheRunAsItStands() {
        RunHistory history = RunHistory.of(List.of(
                new TeamEvent.RunStarted(T0, "run-1", "/repo/goal.yaml", "/repo", "main", BASE.name(), "troupe/run-1", 1,
                        List.of("a"), Map.of(), false),
                new TeamEvent.MergeDone(T0, "a", commit("ma").name(), "troupe/run-1"),
                new TeamEvent.PlanStarted(T0, 1, "worker-1", 2),
                new TeamEvent.PlanRejected(T0, 1, "no tasks", 0, Usage.NONE, true, 2),
                new TeamEvent.PlanStarted(T0, 2, "worker-1", 2),
                new TeamEvent.PlanRejected(T0, 2, "no tasks", 0, Usage.NONE, false, 2))).orElseThrow();
        RunState state = state(4, spec("a"));

        List<Decision> resumed = state.start(Optional.of(new ResumeFrom(history, Map.of("a", commit("ma")), 0, Set.of())),
                42, T0.plusSeconds(60));

        assertEquals(List.of(), of(resumed, Decision.Assign.class), "two refusals: round 2 is given up");
        assertEquals(0, of(resumed, Decision.Finish.class).get(0).outcome().exitCode(), "a merged");
    }

    @Test
    void aStopBetweenRoundsEndsTheRunForResumeWithoutAskingThePlanner() {
        RunState state = state(3, spec("a"));
        state.start(Optional.empty(), 1, T0);
        state.stop(T0);
        state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0);

        List<Decision> merged = state.merged("a", commit("ma"), T0);

        assertEquals(List.of(), of(merged, Decision.Assign.class));
        Decision.Finish finish = of(merged, Decision.Finish.class).get(0);
        assertTrue(finish.last() instanceof TeamEvent.RunStopped, "resumable: " + finish.last());
        assertEquals(130, finish.outcome().exitCode());
    }

    // ---- helpers ----

    private static RunState state(int rounds, Goal.TaskSpec... tasks) {
        return new RunState(context(rounds, Optional.empty(), tasks));
    }

    private static RunContext context(int rounds, Optional<Double> budget, Goal.TaskSpec... tasks) {
        Goal goal = new Goal(Path.of("/repo/goal.yaml"), "the goal", Path.of("/repo"), Optional.of("main"),
                new Goal.Team(1, Duration.ZERO),
                new AgentSettings(List.of("agent"), Optional.empty(), "acceptEdits", List.of("Write"),
                        Optional.empty(), true, Map.of()),
                new Goal.Limits(Duration.ofMinutes(1), Duration.ofMinutes(1), 0, Duration.ofMinutes(1), 1, budget),
                new Goal.Sync(Goal.ZonePolicy.WARN, Optional.empty()), Optional.empty(), List.of(tasks), Goal.Notify.NONE)
                .withPlan(new Goal.Plan(rounds));
        return new RunContext("run-1", goal, Path.of("/repo"), "main", Path.of("/repo/.troupe/runs/run-1"),
                Path.of("/worktrees"), "troupe/run-1", BASE, null, null,
                dev.troupe.agent.Secrets.of(Map.of("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")), null, TUNING, false,
                null);
    }

    private static Goal.TaskSpec spec(String id, String... after) {
        return new Goal.TaskSpec(id, id, "do " + id, List.of(after), Optional.empty());
    }

    private static ObjectId commit(String name) {
        return ObjectId.fromString(String.format("%040x", name.hashCode() & 0xffffffffL));
    }

    private static AttemptResult written(String id) {
        return new AttemptResult("troupe/tasks/run-1/" + id, commit("c-" + id), 0.01, Usage.NONE, 1, 100,
                List.of(id + ".txt"), List.of(), "done " + id, 0, Optional.empty());
    }

    /** A planner's answer in rounds; {@code tasks}: the task objects of the list, or null for none. */
    private static AttemptResult answer(boolean met, String summary, String tasks) {
        JsonNode answer = read("{\"met\": " + met + ", \"summary\": \"" + summary + "\", \"tasks\": ["
                + (tasks == null ? "" : tasks) + "]}");
        return new AttemptResult("", commit("none"), 0.01, Usage.NONE, 1, 100, List.of(), List.of(), "", 0,
                Optional.of(answer));
    }

    private static JsonNode read(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static <T extends Decision> List<T> of(List<Decision> decisions, Class<T> type) {
        return decisions.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static List<String> assigned(List<Decision> decisions) {
        return of(decisions, Decision.AssignOnceJournaled.class).stream().map(a -> a.assignment().task().id()).toList();
    }

    private static <E extends TeamEvent> E event(List<Decision> decisions, Class<E> type) {
        List<E> found = of(decisions, Decision.Journal.class).stream().map(Decision.Journal::event)
                .filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), "one " + type.getSimpleName() + " in " + decisions);
        return found.get(0);
    }

    private static <E extends TeamEvent> E durable(List<Decision> decisions, Class<E> type) {
        List<E> found = of(decisions, Decision.JournalDurably.class).stream().map(Decision.JournalDurably::event)
                .filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), "one durable " + type.getSimpleName() + " in " + decisions);
        return found.get(0);
    }
}
