package dev.troupe.team;

import dev.troupe.journal.TeamEvent;
import java.util.ArrayList;
import java.util.List;

/** The decisions one event led to, in the order the rules made them; the parts of the {@link RunState} share one. */
final class Decisions {

    private final List<Decision> made = new ArrayList<>();

    void add(Decision decision) {
        made.add(decision);
    }

    void journal(TeamEvent event) {
        made.add(new Decision.Journal(event));
    }

    /** Everything decided since the last call, and a clean slate for the next event. */
    List<Decision> drain() {
        List<Decision> all = List.copyOf(made);
        made.clear();
        return all;
    }
}
