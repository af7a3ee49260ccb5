package io.handoff.serde;

import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

import java.util.Locale;

/**
 * How a subject name is derived, as Confluent's strategies of the same names do. Configured with
 * {@code key.subject.name.strategy} / {@code value.subject.name.strategy}; Confluent's class names
 * ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}, …) and the short names are accepted.
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value}: the default. */
    TOPIC_NAME("TopicNameStrategy"),
    /** The record's full name, e.g. {@code io.handoff.avro.Incident}: one subject per type, many types per topic. */
    RECORD_NAME("RecordNameStrategy"),
    /** {@code <topic>-<full name>}. */
    TOPIC_RECORD_NAME("TopicRecordNameStrategy");

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String simpleName;

    SubjectNameStrategy(String simpleName) {
        this.simpleName = simpleName;
    }

    /** The subject for a record of {@code schema} on {@code topic}. */
    public String subject(String topic, boolean isKey, Schema schema) {
        switch (this) {
            case TOPIC_NAME:
                return topic + (isKey ? "-key" : "-value");
            case RECORD_NAME:
                return schema.getFullName();
            case TOPIC_RECORD_NAME:
                return topic + "-" + schema.getFullName();
            default:
                throw new IllegalStateException(name());
        }
    }

    /** Confluent's class name for this strategy. */
    public String confluentClassName() {
        return CONFLUENT_PACKAGE + simpleName;
    }

    /** Parses a configured value: a Confluent class name, a short name, a {@link Class} or null (default). */
    public static SubjectNameStrategy parse(String key, Object value) {
        if (value == null) {
            return TOPIC_NAME;
        }
        String s = value instanceof Class ? ((Class<?>) value).getName() : value.toString().trim();
        String simple = s.substring(s.lastIndexOf('.') + 1);
        for (SubjectNameStrategy st : values()) {
            if (st.simpleName.equals(simple) || st.name().equals(s.toUpperCase(Locale.ROOT))) {
                return st;
            }
        }
        throw new ConfigException(key, value, "expected TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy"
                + " (short or io.confluent.kafka.serializers.subject.* class name)");
    }
}
