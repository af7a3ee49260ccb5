package io.handoff.ship;

import io.handoff.avro.SourceKind;

import java.time.Duration;
import java.util.Map;

/**
 * What a {@link Shipper#ship} run delivered (acknowledged by the broker).
 *
 * @param entries      entries delivered
 * @param bytes        value bytes delivered (the JSON events)
 * @param perTopic     entries and bytes per topic
 * @param perHost      entries per host and source
 * @param elapsed      wall time of the run
 */
public record ShipSummary(long entries, long bytes, Map<String, Count> perTopic,
                          Map<String, Map<SourceKind, Long>> perHost, Duration elapsed) {

    /** Entries and value bytes. */
    public record Count(long entries, long bytes) {
        Count plus(long valueBytes) {
            return new Count(entries + 1, bytes + valueBytes);
        }
    }

    /** One line per topic, for the CLI. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(entries).append(" entries, ").append(bytes).append(" bytes in ").append(elapsed.toMillis()).append(" ms");
        perTopic.forEach((t, c) -> sb.append("\n  ").append(t).append(": ").append(c.entries()).append(" entries, ")
                .append(c.bytes()).append(" bytes"));
        return sb.toString();
    }
}
