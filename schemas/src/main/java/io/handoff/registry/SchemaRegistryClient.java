package io.handoff.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API the Avro serde needs. Two implementations:
 * {@link HttpSchemaRegistryClient} (a real registry: Confluent, or Apicurio's {@code /apis/ccompat/v7})
 * and {@link InMemorySchemaRegistryClient} ({@code mock://scope} URLs in tests). Pick one with
 * {@link SchemaRegistryClients#forUrl}.
 *
 * <p>Every failure is a {@link SchemaRegistryException} (a Kafka {@code SerializationException})
 * carrying the registry's HTTP status and {@code error_code}.
 */
public interface SchemaRegistryClient {

    /** Compatibility levels of the Confluent API. */
    enum Compatibility { NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE }

    /** One version of a subject. */
    record SubjectVersion(int id, int version, Schema schema) {}

    /**
     * Registers {@code schema} under {@code subject} (a no-op returning the existing id when that
     * exact schema is already a version of it) and returns its global id.
     * Confluent: {@code POST /subjects/{subject}/versions}.
     */
    int register(String subject, Schema schema);

    /**
     * The id of {@code schema} if it is a version of {@code subject}; error code 40401 (no such
     * subject) or 40403 (no such schema) otherwise. Confluent: {@code POST /subjects/{subject}}.
     */
    int lookupId(String subject, Schema schema);

    /** The newest version of {@code subject}. Confluent: {@code GET /subjects/{subject}/versions/latest}. */
    SubjectVersion latest(String subject);

    /** The schema with global id {@code id}. Confluent: {@code GET /schemas/ids/{id}}. */
    default Schema byId(int id) {
        return byId(id, null);
    }

    /**
     * The schema with global id {@code id}; {@code subject} (may be null) is passed as a hint as
     * Confluent's deserializer does ({@code ?subject=}), it does not restrict the lookup.
     */
    Schema byId(int id, String subject);

    /** Compatibility level of {@code subject}, or the global level when {@code subject} is null. */
    Compatibility getCompatibility(String subject);

    /** Sets the compatibility level of {@code subject}, or the global level when {@code subject} is null. */
    void setCompatibility(String subject, Compatibility level);

    /** What this client talks to, for error messages: base URLs without credentials, or {@code mock://scope}. */
    String describe();
}
