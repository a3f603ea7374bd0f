package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.Await;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live page in a real browser (Debian's Chromium, driven through its chromedriver): a person opens the URL
 * {@code troupe run --web} printed, watches a task go from running to merged without reloading, reads its
 * transcript and its diff, tells the other task's agent something, adds a task (refused first, then taken) and
 * cancels the other task from the page, and the run does each. The page's screenshot is kept for the README.
 */
class LivePageBrowserTest {

    private static final Path CHROMEDRIVER = Path.of(System.getProperty("troupe.chromedriver", "/usr/bin/chromedriver"));
    /** The browser itself, not Debian's wrapper script around it. */
    private static final Path CHROMIUM = Path.of(System.getProperty("troupe.chromium.binary", "/usr/lib/chromium/chromium"));
    private static final Pattern URL = Pattern.compile("watch and steer this run at (http://\\S+)");

    @TempDir
    Path tmp;

    private Process troupe;
    private ChromeDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (troupe != null) {
            troupe.destroyForcibly();
        }
    }

    @Test
    void aPersonWatchesATaskMergeReadsItsChangeAndTellsAddsAndCancelsFromThePage() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        troupe = startRun(repo);
        String url = printedUrl();
        browser = browser();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.ignoring(StaleElementReferenceException.class);

        browser.get(url);

        String run = url.replaceAll(".*/runs/([^?]+)\\?.*", "$1");
        assertEquals("http://127.0.0.1:" + port(url) + "/runs/" + run, browser.getCurrentUrl(), "the token left the address");
        wait.until(ExpectedConditions.attributeToBe(By.cssSelector("tr[data-task='one']"), "data-state", "running"));
        ((JavascriptExecutor) browser).executeScript("window.troupeMarker = 'the same page';");
        Invocation status = Invocation.troupe("status", "-C", repo.dir().toString(), run);
        assertTrue(status.out().contains(": live (troupe pid"), "the page's looks left the run its lock: " + status.out());
        wait.until(ExpectedConditions.attributeToBe(By.cssSelector("tr[data-task='one']"), "data-state", "merged"));
        Files.createDirectories(Path.of("target", "screenshots"));
        Files.write(Path.of("target", "screenshots", "live-page.png"), browser.getScreenshotAs(OutputType.BYTES));
        assertEquals("the same page", ((JavascriptExecutor) browser).executeScript("return window.troupeMarker;"),
                "the page followed the run without reloading");
        assertTrue(browser.findElement(By.id("workers")).getText().contains("worker-2"));

        click(wait, By.cssSelector("tr[data-task='one'] a"));
        wait.until(ExpectedConditions.textToBe(By.id("task-state"), "merged"));
        assertTrue(browser.findElement(By.id("attempts")).getText().contains("notes/one.txt"),
                "the transcript names the file its agent wrote: " + browser.findElement(By.id("attempts")).getText());
        click(wait, By.id("change-link"));
        String diff = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("pre.diff"))).getText();
        assertTrue(diff.contains("notes/one.txt") && diff.contains("+Un."), diff);

        browser.get("http://127.0.0.1:" + port(url) + "/runs/" + run);
        click(wait, By.cssSelector("tr[data-task='two'] a"));
        browser.findElement(By.cssSelector("section.tell textarea")).sendKeys("Say hello to the page, \"twice\".");
        click(wait, By.cssSelector("section.tell button"));
        wait.until(ExpectedConditions.textMatches(By.id("notice"), Pattern.compile("task 'two': delivered to its agent")));
        Path events = repo.dir().resolve(".troupe/runs/" + run + "/events.jsonl");
        assertEquals(List.of("Say hello to the page, \"twice\"."), Journals.ofType(Journals.read(events), "task-told")
                .stream().map(told -> told.path("message").asText()).toList());

        browser.get("http://127.0.0.1:" + port(url) + "/runs/" + run);
        click(wait, By.cssSelector("details.add summary"));
        browser.findElement(By.cssSelector("details.add textarea")).sendKeys(
                "- id: three\n  prompt: Write \"Trois.\" to notes/three.txt.\n  after: [nope]\n");
        click(wait, By.cssSelector("details.add button"));
        wait.until(ExpectedConditions.textMatches(By.id("notice"), Pattern.compile("the run refuses these tasks: task"
                + " 'three' comes after unknown task 'nope'")));
        browser.findElement(By.cssSelector("details.add textarea")).clear();
        browser.findElement(By.cssSelector("details.add textarea")).sendKeys(
                "- id: three\n  prompt: Write \"Trois.\" to notes/three.txt.\n");
        click(wait, By.cssSelector("details.add button"));
        wait.until(ExpectedConditions.textMatches(By.id("notice"), Pattern.compile("added to run " + run + ": three")));
        wait.until(ExpectedConditions.attributeToBe(By.cssSelector("tr[data-task='three']"), "data-state", "merged"));

        click(wait, By.cssSelector("tr[data-task='two'] button"));
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textMatches(By.id("notice"), Pattern.compile("task 'two' is cancelled")));
        wait.until(ExpectedConditions.attributeToBe(By.cssSelector("tr[data-task='two']"), "data-state", "cancelled"));
        assertTrue(troupe.waitFor(60, TimeUnit.SECONDS), "the run ends once two's agent has stopped");
        List<JsonNode> journal = Journals.read(events);
        assertEquals(List.of("two"), Journals.ofType(journal, "task-cancelled").stream()
                .map(e -> e.path("task").asText()).toList());
        assertEquals(List.of("one", "three"), repo.mergedTasks("troupe/" + run).stream().sorted().toList());
    }

    /** {@code troupe run --web} in a JVM of its own: the demo agent, one quick task and one that takes long. */
    private Process startRun(TestRepo repo) throws IOException {
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "goal: test\nrepo: " + repo.dir() + "\nteam: {size: 2, stagger: 0ms}\n"
                + "agent: {command: [demo]}\ntasks:\n"
                + "  - id: one\n    prompt: Write \"Un.\" to notes/one.txt (takes 5s).\n"
                + "  - id: two\n    prompt: Write \"Deux.\" to notes/two.txt (takes 300s).\n");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder run = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", goal.toString(), "--web")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("run.out").toFile());
        run.environment().put("TROUPE_DEMO_PACE_MS", "50");
        return run.start();
    }

    private String printedUrl() throws InterruptedException, IOException {
        Path out = tmp.resolve("run.out");
        Await.until(() -> {
            try {
                return URL.matcher(Files.readString(out)).find();
            } catch (IOException e) {
                return false;
            }
        }, "troupe prints the page's URL");
        Matcher found = URL.matcher(Files.readString(out));
        assertTrue(found.find());
        return found.group(1);
    }

    private static int port(String url) {
        return Integer.parseInt(url.replaceAll("http://127\\.0\\.0\\.1:(\\d+)/.*", "$1"));
    }

    /** Clicks what {@code where} finds, again if the page redrew it meanwhile. */
    private static void click(WebDriverWait wait, By where) {
        wait.until(driver -> {
            driver.findElement(where).click();
            return true;
        });
    }

    private ChromeDriver browser() throws IOException {
        assertTrue(Files.isExecutable(CHROMEDRIVER), CHROMEDRIVER + " is missing: install Debian's chromium-driver"
                + " (bin/test does)");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium"));
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 1280, "height", 900,
                "deviceScaleFactor", 1, "mobile", false));
        return driver;
    }
}
