package dev.troupe.view;

import dev.troupe.journal.Journal;
import dev.troupe.journal.TeamEvent;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The live status on a terminal: the team's decisions scroll by as timestamped lines, and below them a block
 * (see {@link StatusBlock}) is redrawn in place, at most four times a second and at least once a second (its
 * clocks move). Events only update the board, under a lock, on the journal's writer thread; drawing happens on
 * a thread of its own, so the agents never wait for the terminal.
 */
public final class LiveStatus implements Journal.Listener, AutoCloseable {

    private static final long FRAME_MS = 250;
    private static final long MOST_FRAMES_UNCHANGED = 4;

    /** Decision lines kept while the terminal does not take them; older ones are counted, not kept. */
    private static final int MOST_WAITING_LINES = 1000;
    /** How often the terminal's width is asked again (the window may have been resized). */
    private static final long WIDTH_CHECK_MS = 5000;

    private final PrintStream out;
    private final TeamBoard board;
    private final IntSupplier widthNow;
    private final Clock clock;
    private final ScheduledExecutorService drawer;
    private final Deque<String> decisions = new ArrayDeque<>();
    private int decisionsDropped;
    private boolean changed;
    private int framesUnchanged;
    // Only the drawing thread touches these.
    private int blockHeight;
    private int width;
    private long widthCheckedAt;

    private LiveStatus(PrintStream out, TeamBoard board, IntSupplier width, Clock clock) {
        this.out = out;
        this.board = board;
        this.widthNow = width;
        this.clock = clock;
        this.drawer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "troupe-status");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts drawing on {@code out}, a terminal as wide as {@code width} says (asked again now and then). */
    public static LiveStatus start(PrintStream out, TeamBoard board, IntSupplier width) {
        LiveStatus status = new LiveStatus(out, board, width, Clock.systemUTC());
        status.drawer.scheduleWithFixedDelay(status::tick, FRAME_MS, FRAME_MS, TimeUnit.MILLISECONDS);
        return status;
    }

    @Override
    public void written(TeamEvent event, String json) {
        synchronized (this) {
            board.apply(event);
            String line = ConsoleView.timestamped(event);
            if (line != null) {
                if (decisions.size() == MOST_WAITING_LINES) {
                    decisions.removeFirst();
                    decisionsDropped++;
                }
                decisions.addLast(line);
            }
            changed = true;
        }
    }

    private void tick() {
        try {
            String frame;
            synchronized (this) {
                if (!changed && ++framesUnchanged < MOST_FRAMES_UNCHANGED) {
                    return;
                }
                frame = frame(true);
            }
            // Written outside the lock: a terminal that stops reading (Ctrl-S, a slow link) holds up this thread
            // only, never the journal's.
            out.print(frame);
            out.flush();
        } catch (RuntimeException e) {
            // A frame that cannot be drawn is skipped; the next one tries again (an exception would end the timer).
        }
    }

    /**
     * Clears the last frame and gives what is waiting, and (when {@code block}) the block anew, as one write. The
     * block is drawn with the terminal's line wrap off, so that a line too wide for it (the window was made
     * narrower) is cut, not wrapped, and the next frame still knows how many lines to take back.
     */
    private String frame(boolean block) {
        long now = System.nanoTime();
        if (width == 0 || now - widthCheckedAt > WIDTH_CHECK_MS * 1_000_000) {
            width = widthNow.getAsInt();
            widthCheckedAt = now;
        }
        StringBuilder frame = new StringBuilder();
        if (blockHeight > 0) {
            frame.append("\r\033[").append(blockHeight).append("A\033[J");
        }
        if (decisionsDropped > 0) {
            frame.append("(").append(decisionsDropped).append(" lines not shown: the terminal was not reading)\n");
            decisionsDropped = 0;
        }
        decisions.forEach(line -> frame.append(line).append('\n'));
        decisions.clear();
        List<String> lines = block ? StatusBlock.render(board, clock.instant(), width, true) : List.of();
        if (!lines.isEmpty()) {
            frame.append("\033[?7l");
            lines.forEach(line -> frame.append(line).append('\n'));
            frame.append("\033[?7h");
        }
        blockHeight = lines.size();
        changed = false;
        framesUnchanged = 0;
        return frame.toString();
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
        String last;
        synchronized (this) {
            last = frame(false);
        }
        out.print(last);
        out.flush();
    }
}
