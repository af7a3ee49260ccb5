package io.handoff.serde;

import io.handoff.registry.SchemaRegistryClient;
import io.handoff.registry.SchemaRegistryClients;
import io.handoff.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads Confluent's wire format (0x00, 4-byte big-endian schema id, Avro binary), as written by
 * {@link AvroSerializer} or Confluent's {@code KafkaAvroSerializer}. {@code null} reads as
 * {@code null}. The writer schema is fetched by id (and cached); the datum is resolved from it into
 * the reader schema, so records written with an older or newer compatible schema read fine:
 * <ul>
 *   <li>with a target class: that generated class's schema is the reader schema (fields the writer
 *       lacked get their defaults);
 *   <li>without one and {@code specific.avro.reader=true}: the generated class named like the writer
 *       schema, when it is on the class path; otherwise the writer schema;
 *   <li>without one and {@code specific.avro.reader=false} (default): {@code GenericRecord}s.
 * </ul>
 * If the record carries Confluent 8.x's schema id header ({@code __value_schema_id} /
 * {@code __key_schema_id}) holding 0x00 and a 4-byte id, the id is taken from it and the whole value is
 * Avro binary. Schema GUIDs (magic byte 0x01, in the header or the value) are not supported: they fail
 * with a {@link SerializationException} saying "schema GUIDs are not supported".
 *
 * <p>Errors: a first byte other than 0x00 fails with "Unknown magic byte!" and the topic and byte; an
 * id the registry does not know fails naming the id, the topic and the registry.
 */
public class AvroDeserializer<T> implements Deserializer<T> {

    private final Class<? extends T> type;
    private final SchemaRegistryClient injected;
    private SchemaRegistryClient client;
    private AvroSerdeConfig config;
    private boolean isKey;
    private final Map<Integer, DatumReader<?>> readers = new ConcurrentHashMap<>();

    /** For Kafka's reflective construction: the reader is chosen by {@code specific.avro.reader}. */
    public AvroDeserializer() {
        this(null, null);
    }

    /** Reads into the generated class {@code type} (schema evolution resolves into its schema). */
    public AvroDeserializer(Class<? extends T> type) {
        this(type, null);
    }

    /** With a given registry client (tests, or sharing one client); {@link #configure} is then optional. */
    public AvroDeserializer(Class<? extends T> type, SchemaRegistryClient client) {
        if (type != null && !SpecificRecord.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + " is not a generated Avro record (SpecificRecord)");
        }
        this.type = type;
        this.injected = client;
        this.client = client;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        configure(configs, isKey, null);
    }

    void configure(Map<String, ?> configs, boolean isKey, SchemaRegistryClient shared) {
        AvroSerdeConfig cfg = new AvroSerdeConfig(configs, isKey);
        SchemaRegistryClient c = injected != null ? injected : shared != null ? shared
                : SchemaRegistryClients.forUrl(cfg.url, configs);
        this.config = cfg;
        this.isKey = isKey;
        this.client = c;
        readers.clear();
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) {
            return null;
        }
        AvroSerdeConfig cfg = ready();
        String headerName = WireFormat.header(isKey);
        Header header = headers == null ? null : headers.lastHeader(headerName);
        int id;
        int offset;
        if (header != null && header.value() != null) {
            id = WireFormat.readId(header.value(), "header " + headerName + " of topic " + topic);
            if (header.value().length != WireFormat.PREFIX_LENGTH) {
                throw new SerializationException("header " + headerName + " of topic " + topic + ": " + header.value().length
                        + " bytes, expected 5 (0x00 and a 4-byte schema id)");
            }
            offset = 0;
        } else {
            id = WireFormat.readId(data, "topic " + topic);
            offset = WireFormat.PREFIX_LENGTH;
        }
        DatumReader<?> reader = readers.get(id);
        if (reader == null) {
            reader = readers.computeIfAbsent(id, i -> reader(writerSchema(topic, cfg, i)));
        }
        try {
            @SuppressWarnings("unchecked")
            T value = (T) reader.read(null, DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null));
            return value;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Error deserializing Avro " + (isKey ? "key" : "value") + " of topic " + topic
                    + " with schema id " + id + (type == null ? "" : " into " + type.getName()) + ": " + e, e);
        }
    }

    private Schema writerSchema(String topic, AvroSerdeConfig cfg, int id) {
        // the subject is only a hint for the registry; with record-name strategies it is unknown before the schema
        String subject = cfg.strategy == SubjectNameStrategy.TOPIC_NAME ? topic + (isKey ? "-key" : "-value") : null;
        try {
            return client.byId(id, subject);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Error retrieving Avro schema id " + id + " for topic " + topic + " from Schema Registry "
                    + client.describe() + (e.isNotFound() ? ": no schema with id " + id + " (" + e.getMessage() + ")" : ": " + e.getMessage()), e);
        }
    }

    private DatumReader<?> reader(Schema writer) {
        Class<?> target = type;
        if (target == null && config.specificReader && (writer.getType() == Schema.Type.RECORD || writer.getType() == Schema.Type.ENUM)) {
            Class<?> found = SpecificData.get().getClass(writer);
            if (found != null && found != Object.class && SpecificRecord.class.isAssignableFrom(found)) {
                target = found;
            }
        }
        if (target != null) {
            SpecificData data = SpecificData.getForClass(target);
            return new SpecificDatumReader<>(writer, data.getSchema(target), data);
        }
        if (config.specificReader) {
            return new SpecificDatumReader<>(writer, writer, SpecificData.get());
        }
        return new GenericDatumReader<>(writer, writer, GenericData.get());
    }

    private AvroSerdeConfig ready() {
        if (config == null) {
            if (injected == null) {
                throw new IllegalStateException("AvroDeserializer is not configured: call configure(Map.of(\"schema.registry.url\", …), isKey) first");
            }
            config = new AvroSerdeConfig(Map.of(), false);
        }
        return config;
    }

    /** The registry client in use (null before {@link #configure} unless one was given). */
    public SchemaRegistryClient client() {
        return client;
    }

    @Override
    public void close() {
        readers.clear();
    }
}
