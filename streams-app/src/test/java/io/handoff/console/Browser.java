package io.handoff.console;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A real Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven by Selenium, headless,
 * with a fresh profile and no background traffic. Tests that need it skip with a message when either
 * program is absent ({@code apt-get install chromium chromium-driver}).
 *
 * <p>{@link #screenshot} writes into {@code target/console-screenshots/}; with
 * {@code -Dhandoff.screenshots=DIR} (the README's pictures: {@code -Dhandoff.screenshots=../docs/img})
 * also into DIR.
 */
public final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts Chromium, or skips the test when it is not installed. */
    public static Browser start() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "no browser: " + CHROMIUM + " and " + DRIVER + " are needed (apt-get install chromium chromium-driver)");
        Path profile = Files.createTempDirectory("handoff-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement find(String testId) {
        return driver.findElement(By.cssSelector("[data-testid='" + testId + "']"));
    }

    public List<WebElement> all(String testId) {
        return driver.findElements(By.cssSelector("[data-testid='" + testId + "']"));
    }

    /**
     * Waits (bounded) until the page shows what {@code condition} looks for. The page redraws when the feed
     * changes, so an element found a moment ago can be gone: that is tried again, not a failure.
     */
    public <T> T await(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(30)).withMessage(what)
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    /** A picture of the whole page (the window grows to the page's height, up to 4000 px). */
    public Path screenshot(String name) throws IOException {
        Object h = driver.executeScript("return document.documentElement.scrollHeight");
        int height = Math.min(4000, Math.max(800, ((Number) h).intValue() + 20));
        driver.manage().window().setSize(new Dimension(1400, height));
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Path dir = Path.of("target", "console-screenshots");
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        String extra = System.getProperty("handoff.screenshots");
        if (extra != null && !extra.isBlank()) {
            Path d = Path.of(extra);
            Files.createDirectories(d);
            Files.copy(shot.toPath(), d.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        }
        driver.manage().window().setSize(new Dimension(1400, 1000));
        return file;
    }

    @Override
    public void close() {
        driver.quit();
        try (Stream<Path> s = Files.walk(profile)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
