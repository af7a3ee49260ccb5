package io.handoff.fleet;

import io.handoff.avro.CorrelateInput;
import io.handoff.avro.HostTick;
import io.handoff.avro.LogEvent;
import io.handoff.classify.Lines;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The active-fleet signal, taken where every line already passes: a second child of the correlator's
 * source ({@code handoff.correlate-input}, keyed and partitioned by host: a line with signal whole, a tick
 * for each line without). For each host it remembers the
 * latest event time it has seen and forwards a {@link Heartbeat} when that time enters a new
 * {@link #PERIOD} (and on a host's first line, or when its fleet label changes). So the fleet stage
 * receives at most one tiny record per host per minute of the host's event time instead of every
 * line — 10,000 hosts make about 170 heartbeats a second, whatever their traffic.
 *
 * <p>State: in memory only, one entry per host of this task, bounded by {@link #MAX_HOSTS} (least
 * recently seen evicted). Losing it (restart, eviction) costs one extra heartbeat per host, never a
 * missed one, so it needs no store and no changelog.
 */
final class ActivityTap implements Processor<String, CorrelateInput, String, Heartbeat> {
    /** At most one heartbeat per host per this much of the host's event time. */
    static final Duration PERIOD = Duration.ofMinutes(1);
    static final int MAX_HOSTS = 200_000;

    private ProcessorContext<String, Heartbeat> context;
    private final Map<String, Seen> seen = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > MAX_HOSTS;
        }
    };

    private record Seen(long time, String fleet) {}

    @Override
    public void init(ProcessorContext<String, Heartbeat> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, CorrelateInput> record) {
        Object line = record.value() == null ? null : record.value().getLine();
        String host;
        String fleet;
        long t;
        if (line instanceof LogEvent e && e.getHost() != null && e.getTimestamp() != null) {
            host = e.getHost();
            fleet = e.getFleet();
            t = Lines.writtenAt(e);
        } else if (line instanceof HostTick tick && tick.getHost() != null) {
            host = tick.getHost();
            fleet = tick.getFleet();
            t = tick.getWritten();
        } else {
            return; // the correlator dead-letters these
        }
        Seen before = seen.get(host);
        if (before != null && t <= before.time && Objects.equals(before.fleet, fleet)) {
            return; // an older line than one already seen: nothing new about activity
        }
        long period = PERIOD.toMillis();
        boolean due = before == null || !Objects.equals(before.fleet, fleet)
                || Math.floorDiv(t, period) != Math.floorDiv(before.time, period);
        long latest = before == null ? t : Math.max(t, before.time);
        seen.put(host, new Seen(latest, fleet));
        if (due) {
            context.forward(new Record<>(host, new Heartbeat(fleet, latest), latest));
        }
    }
}
