package dev.troupe.goal;

import com.fasterxml.jackson.core.JsonLocation;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A goal file that cannot be used, with the place in the file where the problem is, when there is one. When the
 * file has several problems, this is the first, its message every one of them a line ({@link #problems()}).
 */
public final class GoalException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Path file;
    private final int line;
    private final int column;
    private final String problem;
    private final List<GoalException> all;

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
        this.all = List.of(this);
    }

    private GoalException(List<GoalException> all) {
        super(all.stream().map(GoalException::getMessage).collect(Collectors.joining("\n")));
        GoalException first = all.get(0);
        this.file = first.file;
        this.line = first.line;
        this.column = first.column;
        this.problem = first.problem;
        this.all = List.copyOf(all);
    }

    /** One exception for several problems, in the order they stand in the file (those of no place first). */
    static GoalException of(List<GoalException> problems) {
        List<GoalException> inOrder = problems.stream().flatMap(p -> p.problems().stream())
                .sorted(Comparator.comparingInt(GoalException::line).thenComparingInt(GoalException::column))
                .toList();
        return inOrder.size() == 1 ? inOrder.get(0) : new GoalException(inOrder);
    }

    /** Every problem found, this one first; just this one when there was one. */
    public List<GoalException> problems() {
        return all;
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
