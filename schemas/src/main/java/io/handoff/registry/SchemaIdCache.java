package io.handoff.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The schema ids an application has used, kept in a file so that it can write and read its topics while
 * the registry is away: subject + schema → id (what registering or looking up answered) and id → schema
 * (what reading needs). Ids are immutable in a registry, so what is in the file stays true as long as
 * the registry keeps its data; the file names the registry it came from and is ignored for another one.
 *
 * <p>One instance per file in a JVM ({@link #forFile}), shared by every serde configured with it. Each new
 * entry rewrites the file atomically (temporary file, fsync, rename); a handful of schemas are written in
 * an application's life, so this is rare. A file that cannot be read is logged by the caller and treated
 * as empty: it is a cache.
 */
public final class SchemaIdCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, SchemaIdCache> FILES = new ConcurrentHashMap<>();

    private final Path file;
    private final String registry;
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Integer, String> schemas = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> parsed = new ConcurrentHashMap<>();
    private String loadProblem;

    private SchemaIdCache(Path file, String registry) {
        this.file = file;
        this.registry = registry;
        load();
    }

    /**
     * The cache kept in {@code file} for the registry {@code registry} (its base URLs, as
     * {@link SchemaRegistryClient#describe()} gives them): one instance per file and JVM.
     */
    public static SchemaIdCache forFile(Path file, String registry) {
        SchemaIdCache c = FILES.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new SchemaIdCache(f, registry));
        if (!c.registry.equals(registry)) {
            throw new IllegalStateException("schema id cache " + file + " is in use for registry " + c.registry
                    + " in this process; expected one file per registry, got " + registry);
        }
        return c;
    }

    /** Forgets the instances (tests that restart an "application" in the same JVM). */
    static void forgetAll() {
        FILES.clear();
    }

    private static String key(String subject, String schemaText) {
        return subject + '\u0000' + schemaText;
    }

    public Integer id(String subject, Schema schema) {
        return ids.get(key(subject, schema.toString()));
    }

    public Schema schema(int id) {
        Schema s = parsed.get(id);
        if (s == null) {
            String text = schemas.get(id);
            if (text != null) {
                s = new Schema.Parser().parse(text);
                parsed.put(id, s);
            }
        }
        return s;
    }

    /** Entries in the cache: subject+schema → id pairs and id → schema entries. */
    public int size() {
        return ids.size() + schemas.size();
    }

    /** Why the file was not read (it is then ignored), or null. */
    public String loadProblem() {
        return loadProblem;
    }

    public Path file() {
        return file;
    }

    public void put(String subject, Schema schema, int id) {
        String text = schema.toString();
        boolean changed = ids.put(key(subject, text), id) == null;
        changed |= schemas.putIfAbsent(id, text) == null;
        parsed.putIfAbsent(id, schema);
        if (changed) {
            save();
        }
    }

    public void put(int id, Schema schema) {
        if (schemas.putIfAbsent(id, schema.toString()) == null) {
            parsed.putIfAbsent(id, schema);
            save();
        }
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (!registry.equals(root.path("registry").asText())) {
                loadProblem = file + " holds the ids of registry " + root.path("registry").asText() + ", not of " + registry;
                return;
            }
            for (JsonNode s : root.path("schemas")) {
                schemas.put(s.path("id").asInt(), s.path("schema").asText());
            }
            for (JsonNode v : root.path("subjects")) {
                ids.put(key(v.path("subject").asText(), v.path("schema").asText()), v.path("id").asInt());
            }
        } catch (IOException | RuntimeException e) {
            ids.clear();
            schemas.clear();
            loadProblem = file + " cannot be read (" + e.getMessage() + ")";
        }
    }

    private synchronized void save() {
        ObjectNode root = JSON.createObjectNode();
        root.put("registry", registry);
        ArrayNode subjects = root.putArray("subjects");
        new TreeMap<>(ids).forEach((k, id) -> {
            int cut = k.indexOf('\u0000');
            subjects.addObject().put("subject", k.substring(0, cut)).put("id", id).put("schema", k.substring(cut + 1));
        });
        ArrayNode all = root.putArray("schemas");
        new TreeMap<>(schemas).forEach((id, text) -> all.addObject().put("id", id).put("schema", text));
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root), StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the schema id cache " + file, e);
        }
    }
}
