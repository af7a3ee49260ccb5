package io.handoff.app;

import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.classify.Sign;
import io.handoff.classify.Taxonomy;
import io.handoff.config.Command;
import io.handoff.config.Key;
import io.handoff.config.Keys;
import io.handoff.topics.Sources;
import io.handoff.topics.TopicNames;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README is what users read first: its taxonomy table is the code's table, and the names it
 * promises (topics, keys, labels) exist. Regenerate the table with {@link #taxonomyTable()}.
 */
class ReadmeTest {
    private static final Path README = Path.of("..", "README.md");

    /** The README's "Root causes" table, rendered from {@link Taxonomy}. */
    static String taxonomyTable() {
        StringBuilder b = new StringBuilder();
        b.append("| label | what the logs show | chain steps | can cause | early warning | remedy |\n|---|---|---|---|---|---|\n");
        for (Taxonomy t : Taxonomy.values()) {
            b.append("| `").append(t.label().name()).append("` | ")
                    .append(t.signature().replace("|", "\\|")).append(" | ")
                    .append(signs(t.shownBy(), t.triggers())).append(" | ")
                    .append(signs(t.canCause(), Set.of())).append(" | ")
                    .append(t.warning() == null ? "—" : t.warning().name() + (t.warnAt() > 1 ? " (" + t.warnAt() + ")" : ""))
                    .append(" | ")
                    .append(t.remediation().replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }

    /** `A`, `B` (routine): a trigger is marked. */
    private static String signs(Set<Sign> signs, Set<Sign> triggers) {
        if (signs.isEmpty()) {
            return "—";
        }
        List<String> out = new ArrayList<>();
        for (Sign s : signs) {
            out.add("`" + s.name() + "`" + (triggers.contains(s) ? " (routine)" : ""));
        }
        return String.join(", ", out);
    }

    /** The README's configuration table, rendered from {@link Keys}. */
    static String configurationTable() {
        StringBuilder b = new StringBuilder("| key | environment | default | read by | meaning |\n|---|---|---|---|---|\n");
        for (Key<?> k : Keys.ALL) {
            b.append("| `").append(k.name()).append("` | `").append(k.env()).append("` | ")
                    .append(k.defaultText() == null ? "—" : "`" + k.defaultText() + "`").append(" | ")
                    .append(k.commands().stream().sorted().map(Command::cliName).collect(Collectors.joining(", ")))
                    .append(" | ").append(k.help().replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }

    @Test
    void configurationTableIsTheTableOfKeys() throws Exception {
        assertTrue(Files.readString(README).contains(configurationTable()),
                "README.md's configuration table differs from io.handoff.config.Keys; replace it with:\n" + configurationTable());
    }

    @Test
    void taxonomyTableIsTheCodesTable() throws Exception {
        String readme = Files.readString(README);
        assertTrue(readme.contains(taxonomyTable()),
                "README.md's taxonomy table differs from io.handoff.classify.Taxonomy; replace it with:\n" + taxonomyTable());
        for (RootCause c : RootCause.values()) {
            assertTrue(readme.contains("`" + c.name() + "`"), c.name());
        }
    }

    @Test
    void topicsAndConfigKeysNamedInTheReadmeExist() throws Exception {
        String readme = Files.readString(README);
        TopicNames t = TopicNames.defaults();
        for (String topic : Topics.all(t)) {
            String shown = topic.startsWith("handoff.raw.") ? "handoff.raw.<source>" : topic;
            assertTrue(readme.contains(shown), topic);
        }
        for (SourceKind k : SourceKind.values()) {
            assertTrue(readme.contains("`" + Sources.name(k) + "`"), Sources.name(k));
        }
        for (Key<?> key : Keys.ALL) {
            assertTrue(readme.contains("`" + key.name() + "`"), key.name());
        }
    }
}
