package io.handoff.serde;

import io.handoff.registry.SchemaRegistryClient;
import io.handoff.registry.SchemaRegistryClients;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

import java.util.HashMap;
import java.util.Map;

/**
 * Serde for generated Avro records in Confluent's wire format, for Kafka Streams: explicit
 * ({@code new SpecificAvroSerde<>(Incident.class)} then {@link #configure}) or as
 * {@code default.key.serde} / {@code default.value.serde} (the no-argument constructor; the class is then
 * found from the writer schema's full name). {@code specific.avro.reader} is forced to true. The
 * serializer and deserializer share one registry client. Keys: see {@link AvroSerdeConfig}.
 */
public class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final SchemaRegistryClient injected;
    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    /** For Kafka Streams' reflective construction as a default serde. */
    public SpecificAvroSerde() {
        this(null, null);
    }

    /** Reads into {@code type}; call {@link #configure} with at least {@code schema.registry.url}. */
    /** A record-value serde for {@code type}, configured with {@code config} ({@code schema.registry.url}, …). */
    public static <T extends SpecificRecord> SpecificAvroSerde<T> forValues(Class<T> type, Map<String, ?> config) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(config, false);
        return serde;
    }

    public SpecificAvroSerde(Class<T> type) {
        this(type, null);
    }

    /** With a given registry client (tests); {@link #configure} is then optional (value serde, defaults). */
    public SpecificAvroSerde(Class<T> type, SchemaRegistryClient client) {
        this.injected = client;
        this.serializer = new AvroSerializer<>(client);
        this.deserializer = new AvroDeserializer<>(type, client);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Map<String, Object> withSpecific = new HashMap<>(configs == null ? Map.of() : configs);
        withSpecific.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
        Object url = withSpecific.get(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        SchemaRegistryClient shared = injected != null ? injected
                : SchemaRegistryClients.forUrl(url == null ? null : url.toString(), withSpecific);
        serializer.configure(withSpecific, isKey, shared);
        deserializer.configure(withSpecific, isKey, shared);
    }

    @Override
    public AvroSerializer<T> serializer() {
        return serializer;
    }

    @Override
    public AvroDeserializer<T> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        serializer.close();
        deserializer.close();
    }
}
