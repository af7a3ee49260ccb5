package io.handoff.serde;

import org.apache.kafka.common.config.ConfigException;

import java.util.Locale;
import java.util.Map;

/**
 * The configuration keys of {@link AvroSerializer}, {@link AvroDeserializer} and
 * {@link SpecificAvroSerde}: Confluent's names and defaults, so a configuration written for
 * Confluent's {@code KafkaAvroSerializer} works unchanged. Registry client keys
 * ({@code basic.auth.*}, {@code http.*.timeout.ms}) are read by
 * {@link io.handoff.registry.HttpSchemaRegistryClient}.
 */
public final class AvroSerdeConfig {

    /** Required. {@code http(s)://host:port[/path]}, several comma separated, or {@code mock://<scope>}. */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /** Default true: register the record's schema under the subject before writing. */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    /** Default false; only with auto-register off: write with the subject's latest schema and its id. */
    public static final String USE_LATEST_VERSION = "use.latest.version";
    /** Default true: with {@link #USE_LATEST_VERSION}, the latest schema must be able to read the record's schema. */
    public static final String LATEST_COMPATIBILITY_STRICT = "latest.compatibility.strict";
    /** Default -1 (forever): how long the serializer keeps the latest version of a subject. */
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";
    /** Default false: without a target class, return {@code GenericRecord}s; true: the generated classes. */
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";

    final String url;
    final boolean autoRegister;
    final boolean useLatestVersion;
    final boolean latestCompatibilityStrict;
    final long latestCacheTtlSec;
    final boolean specificReader;
    final SubjectNameStrategy strategy;

    AvroSerdeConfig(Map<String, ?> config, boolean isKey) {
        Map<String, ?> c = config == null ? Map.of() : config;
        Object u = c.get(SCHEMA_REGISTRY_URL);
        this.url = u == null ? null : u.toString();
        this.autoRegister = bool(c, AUTO_REGISTER_SCHEMAS, true);
        this.useLatestVersion = bool(c, USE_LATEST_VERSION, false);
        this.latestCompatibilityStrict = bool(c, LATEST_COMPATIBILITY_STRICT, true);
        this.latestCacheTtlSec = number(c, LATEST_CACHE_TTL_SEC, -1);
        this.specificReader = bool(c, SPECIFIC_AVRO_READER, false);
        String key = isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY;
        this.strategy = SubjectNameStrategy.parse(key, c.get(key));
    }

    static boolean bool(Map<String, ?> c, String key, boolean dflt) {
        Object v = c.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new ConfigException(key, v, "expected true or false");
    }

    static long number(Map<String, ?> c, String key, long dflt) {
        Object v = c.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number) {
            return ((Number) v).longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "expected a whole number");
        }
    }
}
