package io.handoff.correlate;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.LogEvent;
import io.handoff.classify.Lines;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What a host has open: an incident in progress, or a pending early warning. Only hosts with one
 * have an entry (the open-incidents store is the index the punctuators scan).
 */
final class OpenState {
    static final byte FORMAT = 1;
    /**
     * A pending warning waits this much longer than an incident's quiet period: requests queued when
     * the pool filled fail only when nginx's fastcgi_read_timeout (60 s by default) runs out, so the
     * 504s of a pool-exhaustion burst come up to a minute after the max_children line.
     */
    static final long WARNING_HOLD_MS = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.PUBLIC_ONLY)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The JSON part: everything but the evidence lines. */
    public static final class Meta {
        public boolean incident;
        public String host;
        public String fleet;
        /** Incident: first gateway error. Warning: first warning line. Epoch ms. */
        public long first;
        /** Incident: last gateway error. Warning: last warning line. Epoch ms. */
        public long last;
        public long totalRequests;
        /** Requests after the last gateway error, by epoch second, folded in when a later error arrives. */
        public TreeMap<Long, Long> requestsAfterLast = new TreeMap<>();
        public long evidenceTotal;
        /** Evidence lines and gateway errors by {@link Lines#kindKey}, before the evidence cap. */
        public TreeMap<String, Long> kindCounts = new TreeMap<>();
        /** Access lines with a gateway status, by status. */
        public TreeMap<String, Long> statusCounts = new TreeMap<>();
        /** nginx upstream failure lines by errno ("none" without one). */
        public TreeMap<String, Long> errnoCounts = new TreeMap<>();
        /** Per source, the latest time a line of the open incident's window was written. */
        public TreeMap<String, Long> sourceClocks = new TreeMap<>();
    }

    final Meta meta;
    /** Incident evidence, time ordered, capped (first and last kept). Empty for a warning (its lines stay in the look-back ring). */
    final List<LogEvent> evidence;

    private OpenState(Meta meta, List<LogEvent> evidence) {
        this.meta = meta;
        this.evidence = evidence;
    }

    static OpenState incident(String host, String fleet, long firstError) {
        Meta m = new Meta();
        m.incident = true;
        m.host = host;
        m.fleet = fleet;
        m.first = firstError;
        m.last = firstError;
        return new OpenState(m, new ArrayList<>());
    }

    static OpenState warning(String host, String fleet, long t) {
        Meta m = new Meta();
        m.incident = false;
        m.host = host;
        m.fleet = fleet;
        m.first = t;
        m.last = t;
        return new OpenState(m, new ArrayList<>());
    }

    boolean isIncident() {
        return meta.incident;
    }

    /**
     * Event time at which it closes. An incident: last gateway error + quiet + grace, so a line up to
     * {@code grace} late still finds it open. A warning: the same after its last line, but at most
     * one look-back after its first (a storm that never stops is still reported), and
     * {@link #WARNING_HOLD_MS} longer so the burst a capacity warning announces can still claim it.
     */
    long deadline(long quietMs, long graceMs, long lookBackMs) {
        long d = meta.last + quietMs + graceMs;
        return meta.incident ? d : Math.min(d + WARNING_HOLD_MS, Math.max(d, meta.first + lookBackMs));
    }

    /** Whether an incident's window (look-back before the first error up to the deadline) holds time t. */
    boolean covers(long t, long quietMs, long graceMs, long lookBackMs) {
        return t >= meta.first - lookBackMs && t <= deadline(quietMs, graceMs, lookBackMs);
    }

    /** Takes one line into an incident. */
    void absorb(LogEvent e, boolean gateway, boolean evidenceLine, int cap) {
        long t = e.getTimestamp().toEpochMilli();
        if (gateway) {
            if (t < meta.first) {
                meta.first = t;
            }
            if (t > meta.last) {
                meta.last = t;
                foldRequestsUpTo(t);
            }
        }
        if (e.getParsed() instanceof io.handoff.avro.NginxAccessFields && t >= meta.first) {
            if (t <= meta.last) {
                meta.totalRequests++;
            } else {
                meta.requestsAfterLast.merge(t / 1000, 1L, Long::sum);
            }
        }
        meta.sourceClocks.merge(io.handoff.topics.Sources.name(e.getSource()), Lines.writtenAt(e), Math::max);
        if (gateway || evidenceLine) {
            meta.kindCounts.merge(Lines.kindKey(e), 1L, Long::sum);
            int status = Lines.gatewayStatus(e);
            if (status != 0) {
                meta.statusCounts.merge(Integer.toString(status), 1L, Long::sum);
            }
            if (e.getParsed() instanceof io.handoff.avro.NginxErrorFields f && Lines.upstream(f).gateway()) {
                meta.errnoCounts.merge(f.getErrno() == null ? "none" : f.getErrno().toString(), 1L, Long::sum);
            }
            meta.evidenceTotal++;
            Events.insertSorted(evidence, e);
            Events.capMiddle(evidence, cap);
        }
    }

    /** Notes one more line of a pending warning. */
    void extendWarning(LogEvent e) {
        long t = e.getTimestamp().toEpochMilli();
        meta.first = Math.min(meta.first, t);
        meta.last = Math.max(meta.last, t);
        meta.evidenceTotal++;
    }

    private void foldRequestsUpTo(long t) {
        var it = meta.requestsAfterLast.entrySet().iterator();
        while (it.hasNext()) {
            var b = it.next();
            if (b.getKey() * 1000 <= t) {
                meta.totalRequests += b.getValue();
                it.remove();
            }
        }
    }

    static boolean isEvidence(LogEvent e) {
        return Lines.isEvidence(e);
    }

    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            byte[] json = JSON.writeValueAsBytes(meta);
            out.writeInt(json.length);
            out.write(json);
            Events.write(out, evidence);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static OpenState fromBytes(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalStateException("open-incident state: expected format " + FORMAT + ", got " + format);
            }
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            Meta meta = JSON.readValue(json, Meta.class);
            return new OpenState(meta, Events.read(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
