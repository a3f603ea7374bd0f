package dev.troupe.view;

import dev.troupe.journal.Journal;
import dev.troupe.journal.TeamEvent;
import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The live status on a terminal: the team's decisions scroll by as timestamped lines, and below them a block
 * (see {@link StatusBlock}) is redrawn in place, at most four times a second and at least once a second (its
 * clocks move). Events only update the board, under a lock, on the journal's writer thread; drawing happens on
 * a thread of its own, so the agents never wait for the terminal.
 */
public final class LiveStatus implements Journal.Listener, AutoCloseable {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final long FRAME_MS = 250;
    private static final long MOST_FRAMES_UNCHANGED = 4;

    private final PrintStream out;
    private final TeamBoard board;
    private final int width;
    private final Clock clock;
    private final ScheduledExecutorService drawer;
    private final List<String> decisions = new ArrayList<>();
    private boolean changed;
    private int framesUnchanged;
    private int blockHeight;

    private LiveStatus(PrintStream out, TeamBoard board, int width, Clock clock) {
        this.out = out;
        this.board = board;
        this.width = width;
        this.clock = clock;
        this.drawer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "troupe-status");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts drawing on {@code out}, a terminal {@code width} columns wide. */
    public static LiveStatus start(PrintStream out, TeamBoard board, int width) {
        LiveStatus status = new LiveStatus(out, board, width, Clock.systemUTC());
        status.drawer.scheduleWithFixedDelay(status::tick, FRAME_MS, FRAME_MS, TimeUnit.MILLISECONDS);
        return status;
    }

    @Override
    public void written(TeamEvent event, String json) {
        synchronized (this) {
            board.apply(event);
            String line = ConsoleView.describe(event);
            if (line != null) {
                decisions.add(CLOCK.format(event.time()) + "  " + line);
            }
            changed = true;
        }
    }

    private void tick() {
        synchronized (this) {
            if (!changed && ++framesUnchanged < MOST_FRAMES_UNCHANGED) {
                return;
            }
            draw(true);
        }
    }

    /** Clears the last frame, prints what is waiting, and (when {@code block}) the block anew, in one write. */
    private void draw(boolean block) {
        StringBuilder frame = new StringBuilder();
        if (blockHeight > 0) {
            frame.append("\r\033[").append(blockHeight).append("A\033[J");
        }
        decisions.forEach(line -> frame.append(line).append('\n'));
        decisions.clear();
        List<String> lines = block ? StatusBlock.render(board, clock.instant(), width, true) : List.of();
        lines.forEach(line -> frame.append(line).append('\n'));
        blockHeight = lines.size();
        out.print(frame);
        out.flush();
        changed = false;
        framesUnchanged = 0;
    }

    /** Stops drawing and takes the block away, leaving the decisions: the summary follows. */
    @Override
    public void close() {
        drawer.shutdownNow();
        try {
            drawer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            draw(false);
        }
    }
}
