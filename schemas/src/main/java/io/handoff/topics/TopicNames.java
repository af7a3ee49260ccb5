package io.handoff.topics;

import io.handoff.avro.SourceKind;

/**
 * Topic names are a contract: shippers, the platform team's consumers and the SIEM script against
 * them. Every name handoff reads or writes is derived here from one prefix (default {@code handoff}).
 *
 * <pre>
 *   handoff.raw.&lt;source&gt;       shipper events (Filebeat-shaped JSON or plain text), key = host
 *   handoff.events               {@link io.handoff.avro.LogEvent} (Avro), key = host, timestamp = event time;
 *                                written only when handoff.events.enabled=true
 *   handoff.correlate-input      {@link io.handoff.avro.CorrelateInput} (Avro): the correlator's input, key = host
 *   handoff.incidents            {@link io.handoff.avro.Incident} (Avro, Confluent wire format), key = host
 *   handoff.incident-updates     {@link io.handoff.avro.Incident} with status OPEN/CLOSED, key = incident id, compacted
 *   handoff.warnings             {@link io.handoff.avro.Warning} (Avro), key = host
 *   handoff.fleet-incidents      {@link io.handoff.avro.FleetIncident} (Avro), key = fleet|root cause
 *   handoff.dead-letter          {@link io.handoff.avro.DeadLetter} (Avro), key = original key
 *   handoff.incidents-ecs        ECS-mapped JSON mirror of incidents and fleet incidents for a SIEM
 * </pre>
 */
public final class TopicNames {
    public static final String DEFAULT_PREFIX = "handoff";

    private final String prefix;

    public TopicNames(String prefix) {
        if (prefix == null || prefix.isBlank() || !prefix.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("topic prefix '" + prefix
                    + "': expected letters, digits, '.', '_' or '-' (default '" + DEFAULT_PREFIX + "')");
        }
        this.prefix = prefix;
    }

    public static TopicNames defaults() {
        return new TopicNames(DEFAULT_PREFIX);
    }

    public String prefix() {
        return prefix;
    }

    public String raw(SourceKind kind) {
        return prefix + ".raw." + Sources.name(kind);
    }

    /** Every parsed line as a whole {@code LogEvent}, keyed by host: an opt-in for other consumers. */
    public String events() {
        return prefix + ".events";
    }

    /**
     * The correlator's input, keyed by host: lines with signal whole, a tick for each line without
     * (internal to handoff: its shape may change between versions).
     */
    public String correlateInput() {
        return prefix + ".correlate-input";
    }

    public String incidents() {
        return prefix + ".incidents";
    }

    /**
     * Provisional incidents while a burst is in progress (status OPEN, an update each time the
     * verdict changes) and the final record (status CLOSED), keyed by incident id; compacted, so a
     * consumer that starts late reads each incident's latest state.
     */
    public String incidentUpdates() {
        return prefix + ".incident-updates";
    }

    public String warnings() {
        return prefix + ".warnings";
    }

    public String fleetIncidents() {
        return prefix + ".fleet-incidents";
    }

    public String deadLetter() {
        return prefix + ".dead-letter";
    }

    public String incidentsEcs() {
        return prefix + ".incidents-ecs";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicNames t && t.prefix.equals(prefix);
    }

    @Override
    public int hashCode() {
        return prefix.hashCode();
    }

    @Override
    public String toString() {
        return "TopicNames[" + prefix + "]";
    }
}
