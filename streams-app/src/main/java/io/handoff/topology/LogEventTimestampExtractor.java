package io.handoff.topology;

import io.handoff.avro.CorrelateInput;
import io.handoff.avro.HostTick;
import io.handoff.avro.LogEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of {@code handoff.correlate-input} (and {@code handoff.events}): the line's own time — a LogEvent's
 * timestamp (parse guarantees one) or a tick's event time. A value that is neither (a tombstone) keeps the record's timestamp, or the partition time
 * when that is missing too — never a negative time, which Streams would drop silently; the
 * correlator dead-letters such a record.
 */
public final class LogEventTimestampExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        Object v = record.value() instanceof CorrelateInput in ? in.getLine() : record.value();
        if (v instanceof LogEvent e && e.getTimestamp() != null) {
            return e.getTimestamp().toEpochMilli();
        }
        if (v instanceof HostTick t) {
            return t.getEventTime();
        }
        return record.timestamp() >= 0 ? record.timestamp() : Math.max(0, partitionTime);
    }
}
