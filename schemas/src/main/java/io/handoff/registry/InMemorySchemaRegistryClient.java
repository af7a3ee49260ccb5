package io.handoff.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry in memory, for {@code mock://<scope>} URLs: every serde configured with the same
 * scope shares one instance ({@link #forScope}), like Confluent's {@code MockSchemaRegistry}.
 * Ids start at 1 in each scope; a distinct schema text gets one global id whatever the subject;
 * each subject keeps its list of versions. The global compatibility level is BACKWARD, as on a
 * Confluent registry, and is enforced on {@link #register}: an incompatible schema fails with
 * error code 409 and Avro's description of the incompatibility.
 *
 * <p>Tests that reuse a scope name should {@link #dropScope} it afterwards.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private static final Map<String, InMemorySchemaRegistryClient> SCOPES = new ConcurrentHashMap<>();

    private final String scope;
    private final Map<String, Integer> idsBySchemaText = new HashMap<>();
    private final List<Schema> schemasById = new ArrayList<>();
    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();
    private final Map<String, Compatibility> compatibilityBySubject = new HashMap<>();
    private Compatibility globalCompatibility = Compatibility.BACKWARD;

    /** A private registry, not reachable through a {@code mock://} URL. */
    public InMemorySchemaRegistryClient() {
        this("(private)");
    }

    private InMemorySchemaRegistryClient(String scope) {
        this.scope = scope;
    }

    /** The registry shared by every {@code mock://<scope>} URL with this scope. */
    public static InMemorySchemaRegistryClient forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, InMemorySchemaRegistryClient::new);
    }

    /** Forgets the scope; the next {@link #forScope} call with it starts from an empty registry. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        String text = schema.toString();
        List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer known = idsBySchemaText.get(text);
        if (known != null && versions.contains(known)) {
            return known;
        }
        checkCompatible(subject, schema, versions);
        int id = known != null ? known : nextId(text, schema);
        versions.add(id);
        return id;
    }

    private int nextId(String text, Schema schema) {
        schemasById.add(schema);
        int id = schemasById.size();
        idsBySchemaText.put(text, id);
        return id;
    }

    private void checkCompatible(String subject, Schema candidate, List<Integer> versions) {
        if (versions.isEmpty()) {
            return;
        }
        Compatibility level = compatibilityBySubject.getOrDefault(subject, globalCompatibility);
        if (level == Compatibility.NONE) {
            return;
        }
        boolean transitive = level.name().endsWith("_TRANSITIVE");
        boolean backward = level.name().startsWith("BACKWARD") || level.name().startsWith("FULL");
        boolean forward = level.name().startsWith("FORWARD") || level.name().startsWith("FULL");
        List<Integer> against = transitive ? versions : versions.subList(versions.size() - 1, versions.size());
        for (int id : against) {
            Schema existing = schemasById.get(id - 1);
            List<String> problems = new ArrayList<>();
            if (backward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing), "new schema cannot read", problems);
            }
            if (forward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(existing, candidate), "old schema cannot read", problems);
            }
            if (!problems.isEmpty()) {
                throw error(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                + "\" (" + level + ", version " + (versions.indexOf(id) + 1) + ", id " + id + "): "
                                + String.join("; ", problems));
            }
        }
    }

    private static void describe(SchemaPairCompatibility result, String what, List<String> problems) {
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            problems.add(what + " data written with the other: " + result.getResult().getIncompatibilities());
        }
    }

    @Override
    public synchronized int lookupId(String subject, Schema schema) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw error(404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        Integer id = idsBySchemaText.get(schema.toString());
        if (id == null || !versions.contains(id)) {
            throw error(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
        }
        return id;
    }

    @Override
    public synchronized SubjectVersion latest(String subject) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw error(404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        int id = versions.get(versions.size() - 1);
        return new SubjectVersion(id, versions.size(), schemasById.get(id - 1));
    }

    @Override
    public synchronized Schema byId(int id, String subject) {
        if (id < 1 || id > schemasById.size()) {
            throw error(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schemasById.get(id - 1);
    }

    @Override
    public synchronized Compatibility getCompatibility(String subject) {
        return subject == null ? globalCompatibility : compatibilityBySubject.getOrDefault(subject, globalCompatibility);
    }

    @Override
    public synchronized void setCompatibility(String subject, Compatibility level) {
        if (subject == null) {
            globalCompatibility = level;
        } else {
            compatibilityBySubject.put(subject, level);
        }
    }

    @Override
    public String describe() {
        return "mock://" + scope;
    }

    private SchemaRegistryException error(int status, int code, String message) {
        return new SchemaRegistryException("Schema Registry " + describe() + ": " + status + " error " + code + ": " + message,
                status, code);
    }
}
