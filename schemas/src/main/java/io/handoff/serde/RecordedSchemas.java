package io.handoff.serde;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The released versions of handoff's contracts as the build packaged them: the resources
 * {@code avro-history/<Name>/<n>.avsc} (the same files {@code schemas/src/main/avro-history} holds,
 * each self-contained, named types expanded). Readers of data handoff keeps itself (state stores)
 * resolve a version number written with the data against these.
 */
public final class RecordedSchemas {
    private RecordedSchemas() {}

    private static final Map<String, Map<Integer, Schema>> CACHE = new ConcurrentHashMap<>();

    /** Version number → schema of the contract named {@code name} (simple name), oldest first; empty when none. */
    public static Map<Integer, Schema> versions(String name) {
        return CACHE.computeIfAbsent(name, RecordedSchemas::load);
    }

    /**
     * The newest recorded version whose schema is {@code schema} (by parsing canonical form: docs and
     * Java-specific properties aside), or -1 when the schema was never recorded.
     */
    public static int versionOf(Schema schema) {
        return newestMatching(versions(schema.getName()), schema);
    }

    /** The newest version of {@code history} whose schema is {@code schema} (parsing canonical form), or -1. */
    public static int newestMatching(Map<Integer, Schema> history, Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        int found = -1;
        for (Map.Entry<Integer, Schema> v : history.entrySet()) {
            if (SchemaNormalization.parsingFingerprint64(v.getValue()) == fingerprint) {
                found = Math.max(found, v.getKey());
            }
        }
        return found;
    }

    private static Map<Integer, Schema> load(String name) {
        Map<Integer, Schema> out = new TreeMap<>();
        ClassLoader loader = RecordedSchemas.class.getClassLoader();
        for (int n = 1; ; n++) {
            String resource = "avro-history/" + name + "/" + n + ".avsc";
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    break;
                }
                out.put(n, new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + resource, e);
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
