package dev.troupe.team.rules;

import dev.troupe.goal.AgentProfile;
import dev.troupe.goal.AgentSettings;
import dev.troupe.goal.Goal;
import dev.troupe.journal.TeamEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which account each agent runs on, and which accounts are paused where. An account is an agent profile of the
 * goal's ({@code agents:}), or the goal's own {@code agent:} ({@link #DEFAULT}). A rate limit or an overload that one
 * account's agent meets pauses the launches on that account only, and only at its place (this machine, or the node
 * it ran on, which uses a key of its own: {@link Roster#placeOf}); the others go on. A profile with a {@code share}
 * runs at most that many agents at once, and takes tasks that name no profile; the goal's {@code agent:} takes
 * them on the rest of the team.
 */
final class Accounts {

    /** The goal's {@code agent:}, as an account. */
    static final String DEFAULT = "";

    private final Goal goal;
    private final Roster roster;
    private final Tuning tuning;
    private final Decisions out;
    /** Until when each account is paused at each place, by {@link #key}. */
    private final Map<String, Instant> pausedUntil = new HashMap<>();
    /** Where each worker ran its last agent: a report may come after its node has left the roster. */
    private final Map<String, String> placeOf = new HashMap<>();
    /** The account of the agent each worker last started. */
    private final Map<String, String> accountOf = new HashMap<>();
    /** How many of the team's workers run tasks that name no profile on the goal's {@code agent:}. */
    private final int defaultShare;

    Accounts(Goal goal, Roster roster, Tuning tuning, Decisions out) {
        this.goal = goal;
        this.roster = roster;
        this.tuning = tuning;
        this.out = out;
        int shared = goal.profiles().stream().mapToInt(p -> p.share().orElse(0)).sum();
        this.defaultShare = goal.profiles().stream().anyMatch(p -> p.share().isPresent())
                ? Math.max(0, goal.team().size() - shared) : Integer.MAX_VALUE;
    }

    /**
     * The task as it may start now: on the profile it names, if that is not paused and has room; with none named, on
     * the first profile with a share that has room, else the goal's {@code agent:} if the team has room for it. Empty
     * when it must wait ({@link #nextChange} says how long a pause holds it).
     *
     * A task that names no profile goes only to a profile that runs it with the same CLI as {@code agent:} would (its
     * {@code cli:} and {@code model:} are for that CLI), and preferably to the account its session is on.
     *
     * @param session what the task's session ran with ({@link #agentOf}), which a task that continues its session
     *     prefers; null for none
     */
    Optional<Goal.TaskSpec> startable(Goal.TaskSpec task, String session, Instant now) {
        if (task.agent().isPresent()) {
            return hasRoom(task.agent().get(), now) ? Optional.of(task) : Optional.empty();
        }
        String cli = goal.agentFor(task).cli();
        List<Goal.TaskSpec> candidates = new ArrayList<>();
        for (AgentProfile profile : goal.profiles()) {
            if (profile.share().isPresent() && profile.agent().cli().equals(cli)) {
                candidates.add(task.withAgent(profile.name()));
            }
        }
        candidates.add(task);
        // Stable: the session's account first, then the profiles in file order, then agent:.
        candidates.sort(Comparator.comparing(spec -> !agentOf(spec).equals(session)));
        return candidates.stream().filter(spec -> hasRoom(spec.agent().orElse(DEFAULT), now)).findFirst();
    }

    /**
     * Whether the task's account holds back an agent that answers for it (a reviewer, a judge): paused, or a profile
     * at its share. {@code agent:}'s share bounds only writers, so that the reviews of its tasks always get to run.
     */
    boolean holdsBack(Goal.TaskSpec task, Instant now) {
        String account = task.agent().orElse(DEFAULT);
        return account.equals(DEFAULT) ? pausedEverywhere(DEFAULT, now) : !hasRoom(account, now);
    }

    /** The places where the task's account is not paused now: where a worker may take it. */
    Predicate<String> openFor(Goal.TaskSpec task, Instant now) {
        String account = task.agent().orElse(DEFAULT);
        return place -> !pausedAt(account, place, now);
    }

    /** When the earliest pause still running ends; null if none runs. */
    Instant nextChange(Instant now) {
        return pausedUntil.values().stream().filter(now::isBefore).min(Instant::compareTo).orElse(null);
    }

    /** Whether every account a task could start on is paused: nothing waiting can start before {@link #nextChange}. */
    boolean allPaused(Instant now) {
        return pausedEverywhere(DEFAULT, now) && goal.profiles().stream()
                .allMatch(p -> pausedEverywhere(p.name(), now));
    }

    /**
     * What the task runs with, for the journal and the summary: its CLI, the model asked for and the profile, as in
     * {@code codex gpt-5.5 @fast}.
     */
    String agentOf(Goal.TaskSpec task) {
        AgentSettings agent = goal.agentFor(task);
        return agent.cli() + task.model().or(agent::model).map(model -> " " + model).orElse("")
                + task.agent().map(profile -> " @" + profile).orElse("");
    }

    /** The worker started an agent of {@code task}: its account, and where it runs, for a pause it may meet. */
    void launched(String worker, Goal.TaskSpec task) {
        accountOf.put(worker, task.agent().orElse(DEFAULT));
        placeOf.put(worker, roster.placeOf(worker));
    }

    /** After an attempt of the worker's ended on a rate limit: as long as the agent said, else {@code retry.rate-limit-pause}. */
    void pauseForRateLimit(String worker, long retryAfterMs, Instant now) {
        Duration wait = retryAfterMs >= 0 ? Duration.ofMillis(retryAfterMs) : tuning.rateLimitPause();
        pause(accountOf.getOrDefault(worker, DEFAULT), placeOf.getOrDefault(worker, roster.placeOf(worker)),
                now.plus(wait), "an attempt ended on a rate limit or overload", now);
    }

    /**
     * The worker's agent is waiting {@code delayMs} on a rate limit or overload: its account's launches wait too. A
     * negative delay is one the CLI did not say (Codex honours Retry-After without printing it): then, as after an
     * attempt, {@code retry.rate-limit-pause}, rather than a pause that ended before it began.
     */
    void apiPressure(String worker, String error, long delayMs, Instant now) {
        Duration wait = delayMs >= 0 ? Duration.ofMillis(delayMs) : tuning.rateLimitPause();
        pause(accountOf.getOrDefault(worker, DEFAULT), placeOf.getOrDefault(worker, roster.placeOf(worker)),
                now.plus(wait), "the API answered " + error, now);
    }

    /**
     * Holds every launch on {@code account} at {@code place} until {@code until}; a shorter pause than the one
     * running changes nothing. A node's pause says so in its reason.
     */
    private void pause(String account, String place, Instant until, String reason, Instant now) {
        if (until.isAfter(pausedUntil.getOrDefault(key(account, place), Instant.MIN))) {
            pausedUntil.put(key(account, place), until);
            out.journal(new TeamEvent.TeamPaused(now, until, place.equals(Roster.HERE) ? reason
                    : reason + " on " + place + " (its workers wait; the others go on)",
                    goal.profiles().isEmpty() ? null : account.equals(DEFAULT) ? "agent" : account,
                    place.equals(Roster.HERE) ? null : place));
        }
    }

    private static String key(String account, String place) {
        return place.equals(Roster.HERE) ? account : account + "@" + place;
    }

    private boolean pausedAt(String account, String place, Instant now) {
        return now.isBefore(pausedUntil.getOrDefault(key(account, place), Instant.MIN));
    }

    /** Paused at every place where a worker could take its task now. */
    private boolean pausedEverywhere(String account, Instant now) {
        return roster.idlePlaces().stream().allMatch(place -> pausedAt(account, place, now));
    }

    private boolean hasRoom(String account, Instant now) {
        if (pausedEverywhere(account, now)) {
            return false;
        }
        Optional<Integer> share = account.equals(DEFAULT) ? Optional.of(defaultShare)
                : goal.profile(account).flatMap(AgentProfile::share);
        return share.isEmpty() || busy(account) < share.get();
    }

    private long busy(String account) {
        return accountOf.entrySet().stream().filter(e -> e.getValue().equals(account) && roster.isBusy(e.getKey())).count();
    }
}
