package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.journal.JournalReader;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import dev.troupe.view.ConsoleView;
import dev.troupe.view.StatusBlock;
import dev.troupe.view.TeamBoard;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees of a team: the live status drawn from a recorded run, its plain lines, the summary, the
 * report in a real headless Chromium, and the status block on a real pseudo-terminal.
 */
class SeeingTheTeamTest {

    @TempDir
    static Path tmp;

    /** A run with every kind of attempt: merged, failed then merged, reviewed, dependent, failed for good. */
    static TestRepo repo;
    static Invocation recorded;
    static Path runDir;

    private static final Path CHROMIUM = Path.of(System.getProperty("troupe.chromium", "/usr/bin/chromium"));

    @BeforeAll
    static void recordARun() throws IOException {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, """
                goal: a recorded run
                repo: %s
                team: {size: 2, stagger: 0ms}
                agent:
                  command: %s
                  isolate-config: true
                limits: {attempts: 2}
                tasks:
                  - id: a
                    prompt: write a.txt alpha
                  - id: b
                    prompt: |
                      fail-first %s
                      write b.txt beta
                  - id: c
                    after: [a]
                    prompt: write c.txt gamma
                  - id: d
                    review: true
                    prompt: |
                      write d.txt delta
                      answer {"verdict": "approve", "comments": "fine"}
                  - id: e
                    prompt: error the model is unwell
                """.formatted(repo.dir(), FakeAgent.yamlCommand(), tmp.resolve("b-failed-once")));
        recorded = Invocation.troupe("run", goal.toString());
        assertEquals(1, recorded.exitCode(), "e fails, so the run exits 1: " + recorded.err());
        try (Stream<Path> runs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            runDir = runs.findFirst().orElseThrow();
        }
    }

    private static List<TeamEvent> journal() throws IOException {
        List<TeamEvent> events = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("events.jsonl"))) {
            events.add(JournalReader.parse(line).orElseThrow(() -> new AssertionError("unreadable: " + line)));
        }
        return events;
    }

    private static String plain(String line) {
        return line.replaceAll("\033\\[[0-9;]*m", "");
    }

    @Test
    void theStatusBlockFollowsTheRecordedRunFrameByFrame() throws IOException {
        TeamBoard board = new TeamBoard(Optional.empty(), Optional.empty());
        boolean sawTwoWorking = false;
        boolean sawInReview = false;
        for (TeamEvent event : journal()) {
            board.apply(event);
            List<String> frame = StatusBlock.render(board, event.time(), 100, true);
            assertEquals(4, frame.size(), "head, bar and two workers: " + frame);
            frame.forEach(line -> assertTrue(plain(line).length() < 100, line));
            List<TeamBoard.WorkerRow> busy = board.workers().stream()
                    .filter(w -> w.state() != TeamBoard.WorkerState.IDLE).toList();
            assertEquals(busy.size(), busy.stream().map(TeamBoard.WorkerRow::task).distinct().count(),
                    "no task on two workers at once");
            sawTwoWorking |= busy.stream().filter(w -> w.state() == TeamBoard.WorkerState.WORKING).count() == 2;
            sawInReview |= frame.stream().anyMatch(l -> plain(l).contains("d ") && plain(l).contains("in review"));
        }
        assertTrue(sawTwoWorking, "both workers were busy at some point");
        assertTrue(sawInReview, "d was shown in review");

        List<String> last = StatusBlock.render(board, board.history().lastEvent(), 100, false);
        assertTrue(last.get(0).contains("4 merged") && last.get(0).contains("1 failed"), last.get(0));
        assertTrue(last.get(1).contains("5/5 100%"), last.get(1));
        assertTrue(board.workers().stream().allMatch(w -> w.state() == TeamBoard.WorkerState.IDLE), "all idle at the end");
    }

    @Test
    void plainLinesModeGivesOneTimestampedLinePerDecision() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleView lines = ConsoleView.lines(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        for (TeamEvent event : journal()) {
            lines.written(event, null);
        }
        List<String> printed = bytes.toString(StandardCharsets.UTF_8).lines().toList();

        assertTrue(printed.stream().allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d  \\S.*")), String.join("\n", printed));
        assertTrue(printed.contains(printed.stream().filter(l -> l.endsWith("[e] FAILED after 2 attempts: agent reported an"
                + " error, API status 500: API Error: the model is unwell")).findFirst().orElse("missing: e failed")));
        assertTrue(printed.stream().anyMatch(l -> l.contains("[b] attempt 1 failed")), "b's failed attempt is told");
        assertTrue(printed.stream().anyMatch(l -> l.contains("[d] review: approved")), "the review is told");
        assertEquals(4, printed.stream().filter(l -> l.contains("] merged into troupe/")).count());
    }

    @Test
    void theSummaryTellsEveryTasksFateAndHowToLookAtAndLandTheWork() {
        String out = recorded.out();
        assertTrue(out.contains("4 of 5 tasks merged into troupe/") && out.contains(", 1 failed"), out);
        assertTrue(out.matches("(?s).*\\n  TASK +FATE +ATTEMPTS +TIME +COST +TOKENS +MERGE +NOTE\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  b +merged +2 .*"), "b took two attempts: " + out);
        assertTrue(out.matches("(?s).*\\n  e +failed +2 .*the model is unwell.*"), out);
        assertTrue(out.contains("Look at it:  git -C " + repo.dir() + " log --oneline --graph troupe/"), out);
        assertTrue(out.contains("Land it:     git -C " + repo.dir() + " merge troupe/"), out);
        String run = runDir.getFileName().toString();
        assertTrue(out.contains("Failures:    see why with: troupe results -C " + repo.dir() + " " + run
                + " --task 'e' --tail 50"), out);
        assertTrue(out.contains("each agent's output is in " + runDir.resolve("agents")), out);
        assertTrue(out.contains("Report:      troupe report -C " + repo.dir() + " " + run), out);
    }

    @Test
    void theReportIsOneSelfContainedPageWithEveryAttemptAndItsTranscript() throws IOException {
        Invocation report = Invocation.troupe("report", "-C", repo.dir().toString());

        assertEquals(0, report.exitCode(), report.err());
        Path page = runDir.resolve("report.html");
        assertEquals("Report: " + page, report.out().strip());
        String html = Files.readString(page);
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "nothing is fetched");
        assertFalse(html.contains("<script") || html.contains("<link"), "no script, no stylesheet to load");
        // b's two attempts, d's writer and reviewer, e's two failures: each a bar linking to its transcript.
        for (String anchor : List.of("a-a-1", "a-b-1", "a-b-2", "a-c-1", "a-d-1", "r-d-1", "a-e-1", "a-e-2")) {
            assertTrue(html.contains("<a href=\"#" + anchor + "\"><rect class=\"bar "), anchor);
            assertTrue(html.contains("<details id=\"" + anchor + "\">"), anchor);
        }
        assertTrue(html.contains("<rect class=\"bar o-failed\"") && html.contains("<rect class=\"bar o-merged\"")
                && html.contains("<rect class=\"bar o-approved reviewer\""), "bars are coloured by outcome");
        assertEquals(4, count(html, "<path class=\"merge\""), "one mark per merge");
        assertTrue(html.contains("<b>Write</b> <pre>{\n  &quot;file_path&quot; : &quot;"), "tool calls are readable");
        assertTrue(html.contains("<code>fake</code></td><td class=\"num\">"), "cost per model, from modelUsage");
        assertEquals(1, count(html, "<path class=\"edge\""), "the plan graph: c comes after a");
        assertTrue(html.contains("the model is unwell"), "why e failed");
    }

    @Test
    void theReportRendersInHeadlessChromiumWithTheTimelineDrawn() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: install Debian's chromium (bin/test does)");
        assertEquals(0, Invocation.troupe("report", "-C", repo.dir().toString()).exitCode());
        String html = Files.readString(runDir.resolve("report.html"));
        long spans = Journals.read(runDir.resolve("events.jsonl")).stream()
                .filter(e -> Stream.of("task-assigned", "review-started").anyMatch(e.path("type").asText()::equals)).count();

        // The page as a browser lays it out, measured by a probe added to a copy (the report has no script).
        Path probe = tmp.resolve("probe.html");
        Files.writeString(probe, html.replace("</body>", """
                <script>
                  const box = r => ({x: r.x, y: r.y, w: r.width, h: r.height});
                  const svg = document.querySelector('svg.timeline').getBoundingClientRect();
                  const bars = [...document.querySelectorAll('svg.timeline rect.bar')].map(b =>
                      Object.assign(box(b.getBoundingClientRect()), {cls: b.getAttribute('class')}));
                  const out = document.createElement('pre');
                  out.id = 'probe';
                  out.textContent = JSON.stringify({svg: box(svg), bars});
                  document.body.appendChild(out);
                </script>
                </body>"""));
        String dom = chromium("--dump-dom", WINDOW, probe.toUri().toString());
        Matcher measured = Pattern.compile("<pre id=\"probe\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(measured.find(), "the probe ran: " + dom.substring(0, Math.min(500, dom.length())));
        JsonNode layout = Json.MAPPER.readTree(measured.group(1).replace("&quot;", "\""));
        JsonNode svg = layout.path("svg");
        assertTrue(svg.path("w").asDouble() > 800 && svg.path("h").asDouble() > 60, "the timeline has its size: " + svg);
        assertEquals(spans, layout.path("bars").size(), "a bar per agent run");
        for (JsonNode bar : layout.path("bars")) {
            assertTrue(bar.path("w").asDouble() >= 2 && bar.path("h").asDouble() > 10, "drawn: " + bar);
            assertTrue(bar.path("x").asDouble() >= svg.path("x").asDouble()
                    && bar.path("x").asDouble() + bar.path("w").asDouble() <= svg.path("x").asDouble() + svg.path("w").asDouble() + 0.5
                    && bar.path("y").asDouble() >= svg.path("y").asDouble()
                    && bar.path("y").asDouble() + bar.path("h").asDouble() <= svg.path("y").asDouble() + svg.path("h").asDouble(),
                    "inside the timeline: " + bar + " in " + svg);
        }

        // And painted: the timeline's area of a screenshot holds the merged bars' green and the failed bars' red.
        Path png = tmp.resolve("report.png");
        chromium("--screenshot=" + png, WINDOW, "--hide-scrollbars", runDir.resolve("report.html").toUri().toString());
        BufferedImage shot = ImageIO.read(png.toFile());
        int x0 = (int) svg.path("x").asDouble();
        int y0 = (int) svg.path("y").asDouble();
        int green = 0;
        int red = 0;
        for (int y = y0; y < Math.min(shot.getHeight(), y0 + svg.path("h").asInt()); y++) {
            for (int x = x0; x < Math.min(shot.getWidth(), x0 + svg.path("w").asInt()); x++) {
                int rgb = shot.getRGB(x, y) & 0xffffff;
                green += rgb == 0x2f9e44 ? 1 : 0;
                red += rgb == 0xe03131 ? 1 : 0;
            }
        }
        assertTrue(green > 200, "merged bars painted: " + green + " px");
        assertTrue(red > 50, "failed bars painted: " + red + " px");
    }

    /** One window size for measuring and for the screenshot, so both see the same layout. */
    private static final String WINDOW = "--window-size=1280,1200";

    private static String chromium(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium")));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "chromium", ".out");
        Process chromium = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(chromium.waitFor(60, TimeUnit.SECONDS), "chromium ended");
        assertEquals(0, chromium.exitValue(), "chromium: " + Files.readString(out));
        return Files.readString(out);
    }

    private static long count(String text, String piece) {
        return Pattern.compile(Pattern.quote(piece)).matcher(text).results().count();
    }

    @Test
    void onATerminalTheBlockIsRedrawnInPlaceAndWithNoColorThereArePlainLines() throws Exception {
        String live = onTerminal("live", Map.of("TERM", "xterm-256color", "COLUMNS", "100"));
        assertTrue(live.contains("\033[32m"), "in colour");
        assertTrue(Pattern.compile("\r\033\\[4A\033\\[J").matcher(live).find(), "the 4-line block is redrawn in place");
        assertTrue(plain(live).contains("  worker-1  "), "a line per worker");
        assertTrue(plain(live).contains("[a] started on worker-"), "the decisions scroll above it");
        assertTrue(live.contains("2 of 2 tasks merged into"), "then the summary");

        String plainRun = onTerminal("plain", Map.of("TERM", "xterm-256color", "COLUMNS", "100", "NO_COLOR", "1"));
        assertFalse(plainRun.contains("\033"), "NO_COLOR: no escape codes at all");
        assertTrue(Pattern.compile("\\d\\d:\\d\\d:\\d\\d  \\[a] started on worker-").matcher(plainRun).find(), plainRun);
        assertTrue(plainRun.contains("2 of 2 tasks merged into"), plainRun);
    }

    /** {@code troupe run} in a fresh JVM on a pseudo-terminal (util-linux script); what the terminal got. */
    private static String onTerminal(String name, Map<String, String> env) throws IOException, InterruptedException {
        TestRepo own = TestRepo.create(tmp.resolve("tty-" + name), Map.of("README.md", "hello\n"));
        Path goal = tmp.resolve("tty-" + name + ".yaml");
        Files.writeString(goal, """
                repo: %s
                team: {size: 2, stagger: 0ms}
                agent: {command: %s, isolate-config: true}
                tasks:
                  - {id: a, prompt: "sleep 1\\nwrite a.txt alpha"}
                  - {id: b, prompt: "sleep 1\\nwrite b.txt beta"}
                """.formatted(own.dir(), FakeAgent.yamlCommand()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = String.join(" ", List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Dconfig.resource=application-test.conf", Main.class.getName(), "run", goal.toString()));
        Path out = tmp.resolve("tty-" + name + ".out");
        ProcessBuilder script = new ProcessBuilder("script", "-q", "-e", "-c", command, "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectErrorStream(true);
        script.environment().remove("NO_COLOR");
        script.environment().putAll(env);
        Process process = script.start();
        assertTrue(process.waitFor(90, TimeUnit.SECONDS), "the run ended");
        String got = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), got);
        return got;
    }
}
