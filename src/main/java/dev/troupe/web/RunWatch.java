package dev.troupe.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.troupe.journal.FileTail;
import dev.troupe.journal.JournalReader;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import dev.troupe.report.ReportPage;
import dev.troupe.report.RunRecord;
import dev.troupe.view.TeamBoard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One run followed through its journal, as a page sees it: each new line read once and applied to a
 * {@link TeamBoard} (the live status's own fold of the events, agent output included) and kept, but the agents'
 * output, for the report's {@link RunRecord}. Owned by one page's feed at a time; not thread-safe.
 */
final class RunWatch {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /**
     * How long a look at the run's lock holds: it is taken for a moment to look, and a feed that looked at every
     * turn would keep another troupe from taking it (resume, cleanup) more often than need be.
     */
    static final Duration LIVENESS = Duration.ofSeconds(2);

    private final Path runDir;
    private final FileTail journal;
    private final TeamBoard board;
    private final List<TeamEvent> decisions = new ArrayList<>();
    private Optional<Instant> lastTime = Optional.empty();
    private long version;
    private boolean live;
    private Instant liveAt;

    RunWatch(Path runDir) {
        this.runDir = runDir;
        this.journal = new FileTail(runDir.resolve("events.jsonl"), 0);
        this.board = new TeamBoard(Optional.empty(), budgetOf(runDir));
    }

    Path runDir() {
        return runDir;
    }

    /** Reads what the journal gained since, all of it; true when it gained an event. */
    boolean refresh() throws IOException {
        boolean gained = false;
        for (List<String> lines = journal.newLines(); !lines.isEmpty(); lines = journal.newLines()) {
            for (String line : lines) {
                Optional<TeamEvent> event = JournalReader.parse(line);
                if (event.isEmpty()) {
                    continue;
                }
                board.apply(event.get());
                if (!(event.get() instanceof TeamEvent.AgentOutput)) {
                    decisions.add(event.get());
                }
                lastTime = Optional.of(event.get().time());
                gained = true;
            }
        }
        if (gained) {
            version++;
        }
        return gained;
    }

    /** Counts the refreshes that gained something: equal versions, the same events. */
    long version() {
        return version;
    }

    TeamBoard board() {
        return board;
    }

    /**
     * Whether the run goes on: a troupe holds its lock and the journal has not ended it (a run's last event is
     * journaled before its troupe lets go of the lock, and the page says so at once).
     */
    boolean live(RunControls controls) {
        if (history().map(RunHistory::over).orElse(false)) {
            return false;
        }
        Instant now = Instant.now();
        if (liveAt == null || Duration.between(liveAt, now).compareTo(LIVENESS) >= 0) {
            live = controls.isLive(runDir);
            liveAt = now;
        }
        return live;
    }

    /** The run as the journal tells it so far; empty before its first event. */
    Optional<RunHistory> history() {
        return board.started() ? Optional.of(board.history()) : Optional.empty();
    }

    /** The run as the report tells it, from the events read so far. */
    Optional<RunRecord> record(boolean live) {
        return ReportPage.of(List.copyOf(decisions), lastTime, runDir, live);
    }

    /** The run's budget, from the copy of its goal in the run directory; none when it sets none or is unreadable. */
    static Optional<Double> budgetOf(Path runDir) {
        for (String name : List.of("goal.yaml", "goal.json")) {
            Path goal = runDir.resolve(name);
            if (Files.exists(goal)) {
                try {
                    JsonNode budget = YAML.readTree(goal.toFile()).at("/limits/budget-usd");
                    return budget.isNumber() ? Optional.of(budget.asDouble()) : Optional.empty();
                } catch (IOException unreadable) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
