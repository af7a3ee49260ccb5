package io.handoff.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.AvroRuntimeException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The released versions of each contract, kept as {@code avro-history/<Name>/<n>.avsc}, and the
 * BACKWARD check over them: today's schema (reader) must read every released version (writer), so a
 * consumer upgraded first still reads what older producers wrote and what is already on the topics.
 *
 * <p>Each history file is self-contained: the full schema as it was released, named types expanded,
 * so a later change of a shared type (say RootCause) cannot silently rewrite an older version.
 */
final class SchemaHistory {
    private SchemaHistory() {}

    static final String HISTORY_PATH = "schemas/src/main/avro-history";

    /** Every type defined in the {@code .avsc} files of {@code dir}, by simple name, in any file order. */
    static Map<String, Schema> parseContracts(Path dir) {
        List<Path> pending;
        try (Stream<Path> files = Files.list(dir)) {
            pending = files.filter(p -> p.toString().endsWith(".avsc")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Schema> known = new LinkedHashMap<>();
        Map<Path, String> errors = new LinkedHashMap<>();
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            errors.clear();
            for (Path file : List.copyOf(pending)) {
                try {
                    Schema s = new Schema.Parser().addTypes(known.values()).parse(file.toFile());
                    known.put(s.getFullName(), s);
                    pending.remove(file);
                    progress = true;
                } catch (AvroRuntimeException e) {
                    errors.put(file, e.getMessage()); // may name a type of a file not parsed yet: retried next round
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        if (!pending.isEmpty()) {
            throw new IllegalStateException("cannot parse " + errors);
        }
        Map<String, Schema> byName = new TreeMap<>();
        known.values().forEach(s -> byName.put(s.getName(), s));
        return byName;
    }

    /** Version number → file of {@code history/<name>/}. */
    static TreeMap<Integer, Path> versions(Path history, String name) {
        TreeMap<Integer, Path> versions = new TreeMap<>();
        Path dir = history.resolve(name);
        if (!Files.isDirectory(dir)) {
            return versions;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (!file.matches("[1-9][0-9]*\\.avsc")) {
                    throw new IllegalStateException(f + ": expected <n>.avsc, n = 1, 2, …");
                }
                versions.put(Integer.parseInt(file.substring(0, file.length() - 5)), f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return versions;
    }

    static Schema parseVersion(Path file) {
        try {
            return new Schema.Parser().parse(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Everything wrong with {@code current} against the history: missing or gapped histories, released
     * versions today's schema cannot read, and schemas changed since their newest version. Empty when fine.
     */
    static List<String> problems(Map<String, Schema> current, Path history) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Schema> e : current.entrySet()) {
            String name = e.getKey();
            Schema now = e.getValue();
            TreeMap<Integer, Path> versions = versions(history, name);
            if (versions.isEmpty()) {
                problems.add("schema " + name + " has no history: add it as version 1 under " + HISTORY_PATH + "/" + name + "/");
                continue;
            }
            if (versions.lastKey() != versions.size()) {
                problems.add("schema " + name + ": history versions " + versions.keySet() + " have a gap; expected 1.." + versions.size());
            }
            for (Map.Entry<Integer, Path> v : versions.entrySet()) {
                Schema old = parseVersion(v.getValue());
                SchemaCompatibility.SchemaPairCompatibility c = SchemaCompatibility.checkReaderWriterCompatibility(now, old);
                if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    problems.add("schema " + name + " cannot read version " + v.getKey() + " (" + HISTORY_PATH + "/" + name + "/"
                            + v.getKey() + ".avsc): " + describe(c.getResult().getIncompatibilities()));
                }
            }
            Schema newest = parseVersion(versions.lastEntry().getValue());
            if (!newest.toString().equals(now.toString())) {
                problems.add("schema " + name + " changed: add it as version " + (versions.lastKey() + 1) + " under "
                        + HISTORY_PATH + "/" + name + "/ after checking compatibility");
            }
        }
        return problems;
    }

    private static String describe(List<Incompatibility> incompatibilities) {
        return incompatibilities.stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .collect(Collectors.joining("; "));
    }
}
