package dev.troupe.goal;

import com.fasterxml.jackson.core.JsonLocation;
import java.nio.file.Path;

/** A goal file that cannot be used, with the place in the file where the problem is, when there is one. */
public final class GoalException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Path file;
    private final int line;
    private final int column;
    private final String problem;

    public GoalException(Path file, String problem) {
        this(file, -1, -1, problem);
    }

    public GoalException(Path file, JsonLocation location, String problem) {
        this(file, location == null ? -1 : location.getLineNr(), location == null ? -1 : location.getColumnNr(), problem);
    }

    private GoalException(Path file, int line, int column, String problem) {
        super(format(file, line, column, problem));
        this.file = file;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    private static String format(Path file, int line, int column, String problem) {
        StringBuilder where = new StringBuilder(file.toString());
        if (line > 0) {
            where.append(':').append(line);
            if (column > 0) {
                where.append(':').append(column);
            }
        }
        return where + ": " + problem;
    }

    public Path file() {
        return file;
    }

    /** 1-based line, or -1 when the problem is not at one place in the file. */
    public int line() {
        return line;
    }

    /** 1-based column, or -1. */
    public int column() {
        return column;
    }

    public String problem() {
        return problem;
    }
}
