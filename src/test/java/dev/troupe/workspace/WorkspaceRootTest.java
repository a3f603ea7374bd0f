package dev.troupe.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceRootTest {

    @TempDir
    Path tmp;

    @Test
    void byDefaultARepositorysWorkspacesAreBesideItWithNoFolderThatStartsWithADot() {
        WorkspaceRoot root = WorkspaceRoot.of(tmp.resolve("projects/app"), Optional.empty());

        assertEquals(tmp.resolve("projects/app.troupe"), root.dir());
        assertEquals(tmp.resolve("projects/app.troupe/worktrees/run-1"), root.runWorktrees("run-1"));
        assertEquals(tmp.resolve("projects/app.troupe/workspaces"), root.kept());
        Path relative = tmp.relativize(root.runWorktrees("run-1").resolve("worker-1"));
        for (Path segment : relative) {
            assertFalse(segment.toString().startsWith("."), relative.toString());
        }
    }

    @Test
    void twoRepositoriesOfOneNameShareNoFolderUnderAConfiguredRoot() {
        Path shared = tmp.resolve("cache");

        WorkspaceRoot one = WorkspaceRoot.of(tmp.resolve("a/app"), Optional.of(shared));
        WorkspaceRoot other = WorkspaceRoot.of(tmp.resolve("b/app"), Optional.of(shared));

        assertNotEquals(one.dir(), other.dir());
        assertEquals(shared, one.dir().getParent());
        assertTrue(one.dir().getFileName().toString().startsWith("app-"), one.dir().toString());
        assertEquals(one, WorkspaceRoot.of(tmp.resolve("a/./app"), Optional.of(shared)), "the same repository, the same root");
    }

    @Test
    void theRootsARepositorysRunsUsedAreKnownWithTheDefaultAndTheOldLayout() throws Exception {
        Path top = Files.createDirectories(tmp.resolve("app"));
        WorkspaceRoot configured = WorkspaceRoot.of(top, Optional.of(tmp.resolve("cache")));

        configured.remember(top);
        configured.remember(top);

        assertEquals(List.of(WorkspaceRoot.of(top, Optional.empty()), configured, WorkspaceRoot.legacy(top)),
                WorkspaceRoot.known(top));
        assertEquals(tmp.resolve("app/.troupe"), WorkspaceRoot.legacy(top).dir());
    }
}
