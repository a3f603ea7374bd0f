package dev.troupe.cli;

import dev.troupe.web.RunControls;
import java.nio.file.Path;

/**
 * The live page's way to a run: a {@link LiveRun} asked exactly as {@code troupe stop}, {@code cancel}, {@code tell}
 * and {@code add} ask it, its refusals (and a run that is not live) said in the same words.
 */
final class PageControls implements RunControls {

    @Override
    public boolean isLive(Path runDir) {
        return RunLock.isLive(runDir);
    }

    @Override
    public String ask(Path runDir, String command, String task, String message) throws Refused {
        try {
            String answer = LiveRun.at(runDir, switch (command) {
                case "add" -> "add to";
                case "redirect" -> "tell";
                default -> command;
            }).ask(command, task, message);
            return command.equals("stop") ? answer + ". Finish it later with: troupe resume " + runDir.getFileName()
                    : answer;
        } catch (TroupeException e) {
            throw new Refused(e.getMessage());
        }
    }
}
