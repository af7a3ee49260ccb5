package io.handoff.fleet;

import org.apache.kafka.common.serialization.Serde;

/**
 * "This host shipped a line at {@code lastSeen} (event time)": the active-fleet signal, at most one
 * per host per {@link ActivityTap#PERIOD} of the host's event time. Key: the host.
 *
 * @param fleet    fleet label from the shipper ({@code fields.fleet}); null for the default fleet
 * @param lastSeen event time of the host's latest line when the heartbeat was sent, epoch ms
 */
record Heartbeat(String fleet, long lastSeen) {
    static final Serde<Heartbeat> SERDE = Codec.serde("fleet heartbeat", 1,
            (h, out) -> {
                Codec.writeNullable(out, h.fleet);
                out.writeLong(h.lastSeen);
            },
            in -> new Heartbeat(Codec.readNullable(in), in.readLong()));
}
