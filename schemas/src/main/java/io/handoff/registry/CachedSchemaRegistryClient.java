package io.handoff.registry;

import org.apache.avro.Schema;

/**
 * A registry client that answers from a {@link SchemaIdCache} before it asks the registry, and records
 * every answer there: the ids an application has used survive its restarts, so it writes and reads its
 * topics while the registry cannot be reached (only a schema it has never used needs the registry).
 * {@link #latest} and the compatibility calls always go to the registry.
 *
 * <p>Configured by {@value #CACHE_FILE_CONFIG} (see {@link SchemaRegistryClients#forUrl}).
 */
public final class CachedSchemaRegistryClient implements SchemaRegistryClient {
    /** Serde property: the file of the id cache; without it the client keeps ids in memory only. */
    public static final String CACHE_FILE_CONFIG = "schema.registry.cache.file";

    private final SchemaRegistryClient registry;
    private final SchemaIdCache cache;

    public CachedSchemaRegistryClient(SchemaRegistryClient registry, SchemaIdCache cache) {
        this.registry = registry;
        this.cache = cache;
    }

    public SchemaIdCache cache() {
        return cache;
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer id = cache.id(subject, schema);
        if (id == null) {
            id = registry.register(subject, schema);
            cache.put(subject, schema, id);
        }
        return id;
    }

    @Override
    public int lookupId(String subject, Schema schema) {
        Integer id = cache.id(subject, schema);
        if (id == null) {
            id = registry.lookupId(subject, schema);
            cache.put(subject, schema, id);
        }
        return id;
    }

    @Override
    public SubjectVersion latest(String subject) {
        SubjectVersion v = registry.latest(subject);
        cache.put(v.id(), v.schema());
        return v;
    }

    @Override
    public Schema byId(int id, String subject) {
        Schema s = cache.schema(id);
        if (s == null) {
            s = registry.byId(id, subject);
            cache.put(id, s);
        }
        return s;
    }

    @Override
    public Compatibility getCompatibility(String subject) {
        return registry.getCompatibility(subject);
    }

    @Override
    public void setCompatibility(String subject, Compatibility level) {
        registry.setCompatibility(subject, level);
    }

    @Override
    public String describe() {
        return registry.describe();
    }
}
