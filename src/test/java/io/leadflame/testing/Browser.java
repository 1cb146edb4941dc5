package io.leadflame.testing;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven through Debian's
 * {@code chromedriver}: nothing is downloaded. Without them the browser tests are skipped
 * locally, with the command that installs them, and fail in CI ({@code CI=true}), where
 * {@code .ci/run} installs them.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Where screenshots go; {@code -Dleadflame.screenshots=docs/screenshots} also copies them there (README's). */
    private static final Path SHOTS = Path.of("target", "screenshots");

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Skips (locally) or fails (in CI) when Chromium or its driver is missing. */
    public static void assumeInstalled() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && "true".equals(System.getenv("CI"))) {
            fail("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing: .ci/run installs the Debian "
                    + "packages chromium and chromium-driver");
        }
        assumeTrue(installed, "Browser tests skipped: no " + CHROMIUM + " / " + CHROMEDRIVER
                + ". Enable them with: apt-get install chromium chromium-driver");
    }

    public static Browser start() {
        assumeInstalled();
        try {
            Path profile = Files.createTempDirectory("leadflame-chromium");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            // The flags this machine's closed network needs (no background connections to Google).
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    "--user-data-dir=" + profile);
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            return new Browser(new ChromeDriver(service, options), profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /**
     * The console's errors since the last call (reading the log empties it), except failed requests whose status is one of
     * {@code expectedStatuses} (the page asked on purpose: a 400 for a model the user is still
     * fixing shows as a failed resource, though the page handles it).
     */
    public List<String> consoleErrors(int... expectedStatuses) {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER).getAll()) {
            if (entry.getLevel().intValue() < Level.SEVERE.intValue()) {
                continue;
            }
            String message = entry.getMessage();
            boolean expected = false;
            for (int status : expectedStatuses) {
                expected |= message.contains("the server responded with a status of " + status);
            }
            if (!expected) {
                errors.add(message);
            }
        }
        return errors;
    }

    /**
     * Saves the viewport as {@code name}.png under target/screenshots (and the -D directory, if
     * given), the window made as tall as the page first (up to 2,000 pixels) so that it all shows.
     */
    public Path screenshot(String name) {
        Dimension before = driver.manage().window().getSize();
        try {
            Number height = (Number) driver.executeScript(
                    "return Math.min(2000, document.documentElement.scrollHeight);");
            if (height.intValue() > before.getHeight()) {
                size(before.getWidth(), height.intValue());
            }
            driver.executeScript("window.scrollTo(0, 0);");
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.createDirectories(SHOTS);
            Path saved = Files.copy(shot.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
            String also = System.getProperty("leadflame.screenshots");
            if (also != null && !also.isBlank()) {
                Path dir = Files.createDirectories(Path.of(also));
                Files.copy(saved, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
            }
            return saved;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            size(before.getWidth(), before.getHeight());
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary profile: the OS cleans up.
        }
    }
}
