package io.handoff.correlate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.HostClock;
import io.handoff.avro.KindTally;
import io.handoff.avro.LogEvent;
import io.handoff.avro.LookbackRing;
import io.handoff.avro.OpenIncident;
import io.handoff.avro.OpenPhase;
import io.handoff.avro.SecondCount;
import io.handoff.classify.Lines;
import org.apache.kafka.common.errors.SerializationException;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Readers of the state the correlator wrote before its stores held versioned Avro records, so that an
 * upgrade in the middle of an incident loses nothing:
 * <ul>
 *   <li>{@code correlate-host-clock}: the host's event time as an 8-byte big-endian long → {@link HostClock#getFloor()};</li>
 *   <li>{@code correlate-open-incidents} "format 1": byte 0x01, a length-prefixed JSON object (the counters,
 *       with the classifier's findings inside, or later its kind, status and errno counts beside them) and the
 *       kept lines ({@link Events}) → {@link OpenIncident} with
 *       the lines in {@code legacy_lines}, moved to their own keys when the host is next touched;</li>
 *   <li>{@code correlate-lookback}: the ring's lines ({@link Events}) → {@link LookbackRing#getLegacyLines()}.</li>
 * </ul>
 * The JSON is read as a tree and only the counters the incident reports are taken (the findings' own
 * fields belonged to the classifier of the time): times, requests, status and errno counts, and the
 * evidence total, spread over the kinds of the kept lines.
 */
final class LegacyState {
    private LegacyState() {}

    static final byte OPEN_FORMAT_1 = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    static HostClock clock(byte[] b) {
        if (b.length != 8) {
            throw new SerializationException("host clock: expected 8 bytes (an event time, the encoding before versioned"
                    + " state) or the 0xC5 header, got " + b.length + " bytes");
        }
        return HostClock.newBuilder().setWritten(new HashMap<>()).setFloor(ByteBuffer.wrap(b).getLong()).setClosedUntil(0)
                .setRecentAccessFrom(0).setRecentAccess(ByteBuffer.allocate(0)).build();
    }

    static LookbackRing ring(byte[] b) {
        List<LogEvent> lines = Events.fromBytes(b);
        long newest = lines.stream().mapToLong(e -> e.getTimestamp().toEpochMilli()).max().orElse(0);
        return LookbackRing.newBuilder().setKinds(new HashMap<>()).setNewest(newest).setLegacyLines(new ArrayList<>(lines)).build();
    }

    static OpenIncident open(byte[] b) {
        if (b.length == 0 || b[0] != OPEN_FORMAT_1) {
            throw new SerializationException("open incident: expected format 1 (the encoding before versioned state) or the"
                    + " 0xC5 header, got " + (b.length == 0 ? "no bytes" : "first byte " + b[0]));
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            in.readByte();
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            JsonNode meta = JSON.readTree(json);
            List<LogEvent> lines = Events.read(in);
            return open(meta, lines);
        } catch (IOException e) {
            throw new SerializationException("open incident (format 1) does not decode: " + e, e);
        }
    }

    private static OpenIncident open(JsonNode m, List<LogEvent> lines) {
        boolean incident = m.path("incident").asBoolean(true);
        JsonNode findings = m.path("findings");
        List<SecondCount> after = new ArrayList<>(); // the requests after the last error, by second
        for (Iterator<Map.Entry<String, JsonNode>> it = m.path("requestsAfterLast").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            after.add(new SecondCount(Long.parseLong(e.getKey()), e.getValue().asLong()));
        }
        return OpenIncident.newBuilder()
                .setPhase(incident ? OpenPhase.INCIDENT : OpenPhase.WARNING)
                .setFleet(m.path("fleet").isTextual() ? m.path("fleet").asText() : null)
                .setFirst(m.path("first").asLong())
                .setLast(m.path("last").asLong())
                .setFrom(0) // unknown: the processor puts the look-back before the first error
                .setKinds(incident ? kinds(lines, m.path("evidenceTotal").asLong(), m.path("kindCounts"), m.path("first").asLong()) : new HashMap<>())
                .setStatusCounts(counts(m.has("statusCounts") ? m.path("statusCounts") : findings.path("statusCounts")))
                .setErrnoCounts(counts(m.has("errnoCounts") ? m.path("errnoCounts") : findings.path("errnoCounts")))
                .setTotalRequests(m.path("totalRequests").asLong())
                .setRequestsOutside(after)
                .setRevision(-1)
                .setVerdict("")
                .setLegacyLines(new ArrayList<>(incident ? lines : List.of()))
                .build();
    }

    /**
     * Kinds of the kept lines, counted as the state counted them ({@code kindCounts}, in the later variant of
     * format 1); without that, the lines the old cap gave up (evidence total minus those kept) were repeats of
     * the commonest kind, so they are counted there.
     */
    private static Map<String, KindTally> kinds(List<LogEvent> lines, long evidenceTotal, JsonNode kindCounts, long first) {
        Map<String, KindTally> kinds = new HashMap<>();
        for (LogEvent e : lines) {
            long t = e.getTimestamp().toEpochMilli();
            KindTally k = kinds.computeIfAbsent(Lines.kindKey(e), x -> new KindTally(0L, t, t, 0, 0, 0L));
            k.setCount(k.getCount() + 1);
            k.setAfter(k.getAfter() + 1);
            k.setFirstAt(Math.min(k.getFirstAt(), t));
            k.setLastAt(Math.max(k.getLastAt(), t));
        }
        if (kindCounts.isObject() && kindCounts.size() > 0) {
            kindCounts.fields().forEachRemaining(e -> {
                KindTally k = kinds.computeIfAbsent(e.getKey(), x -> new KindTally(0L, first, 0L, 0, 0, 0L));
                k.setCount(e.getValue().asLong());
                k.setAfter(e.getValue().asLong());
            });
            return kinds;
        }
        long dropped = evidenceTotal - lines.size();
        if (dropped > 0 && !kinds.isEmpty()) {
            KindTally commonest = kinds.values().stream().max((a, b) -> Long.compare(a.getCount(), b.getCount())).orElseThrow();
            commonest.setCount(commonest.getCount() + dropped);
            commonest.setAfter(commonest.getAfter() + dropped);
        }
        return kinds;
    }

    private static Map<String, Long> counts(JsonNode node) {
        Map<String, Long> m = new TreeMap<>();
        node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asLong()));
        return m;
    }
}
