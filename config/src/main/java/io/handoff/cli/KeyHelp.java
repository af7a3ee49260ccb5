package io.handoff.cli;

import io.handoff.config.Key;
import io.handoff.config.Keys;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.ResourceBundle;

/**
 * The table in {@code --help}: an option that sets a key names it as its {@code descriptionKey} and gets
 * the key's help, default and environment variable as its description; a command that {@link ReadsKeys}
 * ends its help with every key it reads. An option that is not the key but takes its default writes
 * {@code ${bundle:KEY.default}} (in {@code defaultValue} or its description): the table's default of KEY.
 */
public final class KeyHelp {
    private KeyHelp() {}

    static void apply(CommandLine cl) {
        apply(cl.getCommandSpec());
    }

    private static void apply(CommandSpec spec) {
        spec.resourceBundle(new Bundle());
        if (spec.userObject() instanceof ReadsKeys r) {
            List<String> lines = new ArrayList<>();
            spec.usageMessage().footerHeading("%n");
            lines.add("settings (--config FILE, then the environment, then the flags above; the last one wins):");
            for (Key<?> k : Keys.of(r.reads())) {
                lines.add("  " + k.name() + " (" + k.env() + (k.defaultText() == null ? "" : ", default " + k.defaultText())
                        + ")");
                lines.addAll(wrap(k.help(), "      ", WRAP));
            }
            String[] footer = spec.usageMessage().footer();
            List<String> all = new ArrayList<>(lines);
            if (footer.length > 0) {
                all.add("");
                all.addAll(List.of(footer));
            }
            spec.usageMessage().footer(all.stream().map(KeyHelp::literal).toArray(String[]::new));
        }
        spec.subcommands().values().forEach(sub -> apply(sub.getCommandSpec()));
    }

    /** Lines of the key list are cut at this column. */
    static final int WRAP = 110;

    /** {@code text} in lines of at most {@code width} columns, each behind {@code indent}. */
    static List<String> wrap(String text, String indent, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    /** The description of an option that sets {@code key}. */
    public static String describe(Key<?> key) {
        return key.help() + " (" + (key.defaultText() == null ? "" : "default " + key.defaultText() + "; ") + key.env() + ")";
    }

    /** Text that picocli prints as it is: it formats help with {@code String.format}. */
    static String literal(String text) {
        return text.replace("%", "%%");
    }

    /** What {@code ${bundle:KEY.default}} names: the key's default. */
    static final String DEFAULT = ".default";

    /** Option descriptions by key name and the keys' defaults by {@code KEY.default}, made from the table. */
    private static final class Bundle extends ResourceBundle {
        @Override
        protected Object handleGetObject(String name) {
            if (name.endsWith(DEFAULT)) {
                Key<?> k = Keys.named(name.substring(0, name.length() - DEFAULT.length()));
                return k == null ? null : k.defaultText();
            }
            Key<?> k = Keys.named(name);
            return k == null ? null : literal(describe(k));
        }

        @Override
        public Enumeration<String> getKeys() {
            return Collections.enumeration(Keys.ALL.stream().map(Key::name).toList());
        }
    }
}
