package dev.tollgate.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's chromium and chromium-driver, headless, for the console's browser tests: one browser per
 * test class (started on first use, quit after the class), screenshots under target/console-screenshots
 * (and, with {@code -Dtollgate.console.screenshots=docs/console}, where docs/console.md shows them).
 *
 * <p>Without chromium installed the tests are skipped locally; {@code .ci/run} installs it and sets
 * {@code TOLLGATE_TEST_REQUIRE_BROWSER=1}, so there they fail instead.
 */
final class ConsoleBrowser {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private ChromeDriver driver;
    private Path profile;

    /** The browser, started the first time (no Selenium Manager: the installed driver and browser are named). */
    ChromeDriver driver() throws IOException {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!installed && "1".equals(System.getenv("TOLLGATE_TEST_REQUIRE_BROWSER"))) {
            throw new IllegalStateException("chromium and chromium-driver are required (apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(installed, "chromium and chromium-driver are not installed");
        if (driver == null) {
            profile = Files.createTempDirectory("tollgate-chromium");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--user-data-dir=" + profile, "--window-size=1200,900");
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                    .usingAnyFreePort().build();
            driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        }
        return driver;
    }

    boolean started() {
        return driver != null;
    }

    /** The errors in the browser's console since the last call (a CSP violation would be one), but the refusals a test provokes. */
    List<LogEntry> errors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                // the refusals the tests provoke on purpose are logged by the browser as failed loads
                .filter(e -> !e.getMessage().contains("the server responded with a status of 4"))
                .toList();
    }

    void shot(String name) {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        try {
            Path target = Path.of("target/console-screenshots");
            Files.createDirectories(target);
            Files.write(target.resolve(name + ".png"), png);
            String docs = System.getProperty("tollgate.console.screenshots");
            if (docs != null) {
                Files.createDirectories(Path.of(docs));
                Files.write(Path.of(docs, name + ".png"), png);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void quit() throws IOException {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            profile = null;
        }
    }
}
