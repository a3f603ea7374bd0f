package dev.troupe.goal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which zones may overlap, under git's glob rules, and which globs are refused before git sees them. */
class ZonesTest {

    @Test
    void aZoneWhoseDoubleStarMatchesNoDirectoryStillOverlapsTheFilesItHolds() {
        assertTrue(Zones.overlap(List.of("src/**/*.js"), List.of("src/a.js")), "src/**/*.js holds src/a.js");
        assertTrue(Zones.overlap(List.of("src/**/*.js"), List.of("src/x/y/b.js")));
        assertTrue(Zones.overlap(List.of("src"), List.of("src/ui/**")), "a directory holds what is under it");
        assertTrue(Zones.overlap(List.of("**/*.md"), List.of("docs/x.md")));
    }

    @Test
    void zonesWithDifferentLiteralStartsDoNotOverlap() {
        assertFalse(Zones.overlap(List.of("ui/**"), List.of("api/**")));
        assertFalse(Zones.overlap(List.of("src/**/*.js"), List.of("lib/c.js")));
        assertFalse(Zones.overlap(List.of(), List.of("src/**")), "an empty zone claims nothing");
    }

    @Test
    void globsThatGitWouldMatchToNothingOrThatAreAbsoluteAreRefused() {
        assertTrue(Zones.problem("/src/**").isPresent());
        assertTrue(Zones.problem("../elsewhere/**").isPresent(), "git refuses a path outside the repository");
        assertTrue(Zones.problem("src/../../x").isPresent());
        assertEquals(Optional.empty(), Zones.problem("src/..x/**"));
        assertEquals(Optional.of("the '[' at 5 is never closed by a ']'"), Zones.problem("src/[a"));
        assertTrue(Zones.problem("src\\").isPresent());
        assertEquals(Optional.empty(), Zones.problem("src/[]a].js"));
        assertEquals(Optional.empty(), Zones.problem("src/\\[a"));
        assertEquals(Optional.empty(), Zones.problem("src/**/*.{js,ts}"), "braces are plain characters to git");
    }
}
