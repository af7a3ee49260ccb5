package io.handoff.topology;

import io.handoff.avro.LogEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of {@code handoff.events}: the LogEvent's own timestamp (parse guarantees one). A
 * value that is not a LogEvent (a tombstone) keeps the record's timestamp, or the partition time
 * when that is missing too — never a negative time, which Streams would drop silently; the
 * correlator dead-letters such a record.
 */
public final class LogEventTimestampExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof LogEvent e && e.getTimestamp() != null) {
            return e.getTimestamp().toEpochMilli();
        }
        return record.timestamp() >= 0 ? record.timestamp() : Math.max(0, partitionTime);
    }
}
