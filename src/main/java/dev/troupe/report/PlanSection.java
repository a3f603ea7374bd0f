package dev.troupe.report;

import dev.troupe.journal.TaskLife;
import dev.troupe.journal.RunHistory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report's plan, an inline SVG graph: a column per depth of dependency, a node per task coloured by its fate
 * and linked to its row, an edge from each task to those that come after it.
 */
final class PlanSection {

    /** Graph geometry. */
    private static final int NODE_W = 160;
    private static final int NODE_H = 28;
    private static final int COLUMN_GAP = 56;
    private static final int ROW_GAP = 12;
    /** Above this many tasks, the graph shows only tasks that depend or are depended on. */
    private static final int MOST_NODES = 200;

    private PlanSection() {}

    static void write(StringBuilder html, RunRecord record) {
        RunHistory history = record.history();
        List<String> ids = new ArrayList<>(history.tasks().keySet());
        html.append("<section id=\"plan\">\n<h2>Plan</h2>\n");
        boolean anyEdge = ids.stream().anyMatch(id -> !history.after(id).isEmpty());
        if (!anyEdge) {
            html.append("<p class=\"note\">No task comes after another: all ").append(ids.size())
                    .append(" could run side by side.</p>\n</section>\n");
            return;
        }
        if (ids.size() > MOST_NODES) {
            java.util.Set<String> linked = new java.util.HashSet<>();
            ids.forEach(id -> {
                if (!history.after(id).isEmpty()) {
                    linked.add(id);
                    linked.addAll(history.after(id));
                }
            });
            html.append("<p class=\"note\">").append(ids.size() - linked.size())
                    .append(" tasks that neither come after nor before another are left out.</p>\n");
            ids.retainAll(linked);
        }
        Map<String, Integer> depth = new HashMap<>();
        ids.forEach(id -> depthOf(id, history, depth));
        Map<Integer, List<String>> columns = new TreeMap<>();
        ids.forEach(id -> columns.computeIfAbsent(depth.get(id), k -> new ArrayList<>()).add(id));
        Map<String, int[]> at = new HashMap<>();
        int rows = columns.values().stream().mapToInt(List::size).max().orElse(1);
        columns.forEach((column, inColumn) -> {
            for (int row = 0; row < inColumn.size(); row++) {
                at.put(inColumn.get(row), new int[] {8 + column * (NODE_W + COLUMN_GAP), 8 + row * (NODE_H + ROW_GAP)});
            }
        });
        int width = 16 + columns.size() * (NODE_W + COLUMN_GAP) - COLUMN_GAP;
        int height = 16 + rows * (NODE_H + ROW_GAP) - ROW_GAP;
        html.append("<svg class=\"graph\" role=\"img\" aria-label=\"plan\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        for (String id : ids) {
            int[] to = at.get(id);
            for (String dependency : history.after(id)) {
                int[] from = at.get(dependency);
                if (from == null) {
                    continue;
                }
                int x1 = from[0] + NODE_W;
                int y1 = from[1] + NODE_H / 2;
                int x2 = to[0];
                int y2 = to[1] + NODE_H / 2;
                html.append(String.format(Locale.ROOT, "<path class=\"edge\" d=\"M%d %d C%d %d, %d %d, %d %d\"/>%n",
                        x1, y1, x1 + COLUMN_GAP / 2, y1, x2 - COLUMN_GAP / 2, y2, x2, y2));
            }
        }
        for (String id : ids) {
            int[] p = at.get(id);
            TaskLife task = history.tasks().get(id);
            String state = task.state().name().toLowerCase(Locale.ROOT);
            html.append("<a href=\"#task-").append(Html.escape(record.slugOf(id))).append("\"><rect class=\"node s-")
                    .append(state).append("\" x=\"").append(p[0]).append("\" y=\"").append(p[1]).append("\" width=\"")
                    .append(NODE_W).append("\" height=\"").append(NODE_H).append("\" rx=\"5\"><title>")
                    .append(Html.escape(id + ": " + state)).append("</title></rect><text class=\"node-label\" x=\"")
                    .append(p[0] + 8).append("\" y=\"").append(p[1] + NODE_H / 2 + 4).append("\">")
                    .append(Html.escape(id.length() > 22 ? id.substring(0, 21) + "…" : id)).append("</text></a>\n");
        }
        html.append("</svg>\n</section>\n");
    }

    private static int depthOf(String id, RunHistory history, Map<String, Integer> depth) {
        Integer known = depth.get(id);
        if (known != null) {
            return known;
        }
        depth.put(id, 0); // a goal's graph has no cycles (the loader refuses them); this only guards the walk
        int d = 0;
        for (String dependency : history.after(id)) {
            d = Math.max(d, 1 + depthOf(dependency, history, depth));
        }
        depth.put(id, d);
        return d;
    }
}
