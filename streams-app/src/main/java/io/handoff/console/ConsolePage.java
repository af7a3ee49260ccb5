package io.handoff.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The console page: {@code console.html}, {@code console.css} and {@code console.js} in this
 * package's resources, nothing else (no CDN, no chart library: the page draws its heatmaps as SVG).
 * The HTML holds three markers: {@code <!--STYLE-->}, {@code <!--SCRIPT-->} and {@code <!--DATA-->}.
 * Served, they become links to {@code assets/}; in the offline report the CSS, the script and the data
 * are written into the file itself.
 */
final class ConsolePage {
    private ConsolePage() {}

    static String asset(String name) {
        try (InputStream in = ConsolePage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("console asset " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading console asset " + name, e);
        }
    }

    /** The page as {@code handoff run} serves it: it reads its data from {@code api/}. */
    static String served() {
        return asset("console.html")
                .replace("<!--STYLE-->", "<link rel=\"stylesheet\" href=\"assets/console.css\">")
                .replace("<!--SCRIPT-->", "<script src=\"assets/console.js\"></script>")
                .replace("<!--DATA-->", "");
    }

    /** One self-contained file: styles, script and {@code dataJson} inside. */
    static String selfContained(String title, String dataJson) {
        return asset("console.html")
                .replace("<title>handoff console</title>", "<title>" + escapeHtml(title) + "</title>")
                .replace("<!--STYLE-->", "<style>\n" + asset("console.css") + "</style>")
                .replace("<!--DATA-->", "<script type=\"application/json\" id=\"handoff-data\">" + jsonInScript(dataJson) + "</script>")
                .replace("<!--SCRIPT-->", "<script>\n" + asset("console.js") + "</script>");
    }

    /**
     * JSON that cannot end its script element early (a log line may hold {@code </script>}): every
     * {@code <} is written {@code \u003c}, which is the same string to a JSON reader ({@code <} only
     * occurs inside strings). The script itself holds no {@code </} (a test checks).
     */
    static String jsonInScript(String json) {
        return json.replace("<", "\\u003c");
    }

    static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
