package io.handoff.serde;

import io.handoff.registry.SchemaRegistryClient;
import io.handoff.registry.SchemaRegistryClient.SubjectVersion;
import io.handoff.registry.SchemaRegistryClients;
import io.handoff.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes generated Avro records in Confluent's wire format (0x00, 4-byte big-endian schema id, Avro
 * binary), byte for byte what Confluent's {@code KafkaAvroSerializer} writes. {@code null} becomes
 * {@code null} (a tombstone) without a registry call.
 *
 * <p>Which schema and id (see {@link AvroSerdeConfig} for the keys):
 * <ul>
 *   <li>{@code auto.register.schemas=true} (default): the record's schema, registered under the subject;
 *   <li>else {@code use.latest.version=true}: the subject's latest schema and id; the record is written
 *       with that schema (its fields are resolved into it, defaults filled). With
 *       {@code latest.compatibility.strict=true} (default) the latest schema must be able to read the
 *       record's schema, else the record is refused;
 *   <li>else: the id the subject already has for the record's schema; none is an error.
 * </ul>
 * The subject comes from {@code key.subject.name.strategy} / {@code value.subject.name.strategy}
 * (default {@code <topic>-key} / {@code <topic>-value}). A stale {@code __key_schema_id} /
 * {@code __value_schema_id} header (copied forward from an input record) is removed, so no reader
 * takes it for this record's schema id.
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private final SchemaRegistryClient injected;
    private SchemaRegistryClient client;
    private AvroSerdeConfig config;
    private boolean isKey;
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final Map<String, Latest> latestBySubject = new ConcurrentHashMap<>();
    private final Map<ConversionKey, Conversion> conversions = new ConcurrentHashMap<>();

    private record Latest(SubjectVersion version, long fetchedAtNanos) {}

    private record ConversionKey(Schema from, int toId) {}

    /** A subject's id for a schema; generated classes hand out one Schema instance, so lookups hit by identity. */
    private record IdKey(String subject, Schema schema) {}

    /**
     * Ids of (subject, schema) already registered or looked up. Without it every record paid the
     * client's cache key (the schema's JSON text): 60% of the pipeline's CPU in the benchmark.
     */
    private final Map<IdKey, Integer> ids = new ConcurrentHashMap<>();

    /** Rewrites a datum's bytes from the record's schema into the latest schema of the subject. */
    private record Conversion(GenericDatumReader<Object> reader, GenericDatumWriter<Object> writer, boolean sameEncoding) {}

    /** For Kafka's reflective construction: the client comes from {@code schema.registry.url} in {@link #configure}. */
    public AvroSerializer() {
        this(null);
    }

    /** With a given registry client (tests, or sharing one client); {@link #configure} is then optional. */
    public AvroSerializer(SchemaRegistryClient client) {
        this.injected = client;
        this.client = client;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        configure(configs, isKey, null);
    }

    /** {@code shared}: a client made by the enclosing serde, used when none was injected. */
    void configure(Map<String, ?> configs, boolean isKey, SchemaRegistryClient shared) {
        AvroSerdeConfig cfg = new AvroSerdeConfig(configs, isKey);
        SchemaRegistryClient c = injected != null ? injected : shared != null ? shared
                : SchemaRegistryClients.forUrl(cfg.url, configs);
        this.config = cfg;
        this.isKey = isKey;
        this.client = c;
        writers.clear();
        ids.clear();
        latestBySubject.clear();
        conversions.clear();
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return serialize(topic, null, data);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, T data) {
        if (data == null) {
            return null;
        }
        AvroSerdeConfig cfg = ready();
        Schema schema = data.getSchema();
        String subject = cfg.strategy.subject(topic, isKey, schema);
        if (headers != null && headers.lastHeader(WireFormat.header(isKey)) != null) {
            headers.remove(WireFormat.header(isKey));
        }
        int id;
        Conversion conversion = null;
        try {
            if (cfg.autoRegister) {
                id = cachedId(subject, schema, true);
            } else if (cfg.useLatestVersion) {
                SubjectVersion latest = latest(subject);
                id = latest.id();
                conversion = conversions.computeIfAbsent(new ConversionKey(schema, id), k -> conversion(topic, subject, schema, latest));
            } else {
                id = cachedId(subject, schema, false);
            }
        } catch (SchemaRegistryException e) {
            String what = cfg.autoRegister ? "registering" : "retrieving";
            String hint = !cfg.autoRegister && e.isNotFound()
                    ? " (auto.register.schemas=false: register the schema first, or set use.latest.version=true)" : "";
            throw new SerializationException("Error " + what + " Avro " + (isKey ? "key" : "value") + " schema of "
                    + schema.getFullName() + " for topic " + topic + ", subject " + subject + ": " + e.getMessage() + hint, e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        byte[] prefix = new byte[WireFormat.PREFIX_LENGTH];
        WireFormat.writePrefix(prefix, id);
        out.writeBytes(prefix);
        try {
            if (conversion == null || conversion.sameEncoding()) {
                write(writer(schema, data), data, out);
            } else {
                ByteArrayOutputStream own = new ByteArrayOutputStream(128);
                write(writer(schema, data), data, own);
                Object resolved = conversion.reader().read(null, DecoderFactory.get().binaryDecoder(own.toByteArray(), null));
                write(conversion.writer(), resolved, out);
            }
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Error serializing Avro " + schema.getFullName() + " for topic " + topic
                    + " with schema id " + id + ": " + e, e);
        }
        return out.toByteArray();
    }

    /**
     * The schema id records of {@code schema} get on {@code topic}, found as {@link #serialize} finds it
     * (registered, looked up, or the subject's latest, by the configuration) and kept for it: asking up
     * front, before any record is written, is how an application learns at start whether the registry can
     * give it what it needs.
     *
     * @throws SerializationException as {@link #serialize} would
     */
    public int schemaId(String topic, Schema schema) {
        AvroSerdeConfig cfg = ready();
        String subject = cfg.strategy.subject(topic, isKey, schema);
        try {
            if (cfg.autoRegister) {
                return cachedId(subject, schema, true);
            }
            if (cfg.useLatestVersion) {
                return latest(subject).id();
            }
            return cachedId(subject, schema, false);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Error " + (cfg.autoRegister ? "registering" : "retrieving") + " Avro "
                    + (isKey ? "key" : "value") + " schema of " + schema.getFullName() + " for topic " + topic + ", subject "
                    + subject + ": " + e.getMessage(), e);
        }
    }

    private int cachedId(String subject, Schema schema, boolean register) {
        IdKey key = new IdKey(subject, schema);
        Integer id = ids.get(key);
        if (id == null) {
            id = register ? client.register(subject, schema) : client.lookupId(subject, schema);
            ids.put(key, id);
        }
        return id;
    }

    private static void write(DatumWriter<Object> writer, Object datum, ByteArrayOutputStream out) throws IOException {
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(datum, encoder);
        encoder.flush();
    }

    private DatumWriter<Object> writer(Schema schema, T data) {
        return writers.computeIfAbsent(schema, s -> new SpecificDatumWriter<>(s, SpecificData.getForClass(data.getClass())));
    }

    private SubjectVersion latest(String subject) {
        long ttl = config.latestCacheTtlSec;
        Latest cached = latestBySubject.get(subject);
        long now = System.nanoTime();
        if (cached != null && (ttl < 0 || now - cached.fetchedAtNanos() < ttl * 1_000_000_000L)) {
            return cached.version();
        }
        SubjectVersion v = client.latest(subject);
        if (ttl != 0) {
            latestBySubject.put(subject, new Latest(v, now));
        }
        return v;
    }

    private Conversion conversion(String topic, String subject, Schema own, SubjectVersion latest) {
        Schema target = latest.schema();
        if (config.latestCompatibilityStrict) {
            SchemaCompatibility.SchemaPairCompatibility check = SchemaCompatibility.checkReaderWriterCompatibility(target, own);
            if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new SerializationException("Latest schema of subject " + subject + " (id " + latest.id() + ", version "
                        + latest.version() + ") cannot read records of " + own.getFullName() + " written for topic " + topic
                        + " (latest.compatibility.strict=true): " + check.getResult().getIncompatibilities());
            }
        }
        boolean same = SchemaNormalization.toParsingForm(own).equals(SchemaNormalization.toParsingForm(target));
        return new Conversion(new GenericDatumReader<>(own, target, GenericData.get()),
                new GenericDatumWriter<>(target, GenericData.get()), same);
    }

    private AvroSerdeConfig ready() {
        if (config == null) {
            if (injected == null) {
                throw new IllegalStateException("AvroSerializer is not configured: call configure(Map.of(\"schema.registry.url\", …), isKey) first");
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
        writers.clear();
        ids.clear();
        latestBySubject.clear();
        conversions.clear();
    }
}
