package io.handoff.fleet;

import io.handoff.avro.CausalStep;
import io.handoff.avro.Evidence;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import org.apache.kafka.common.serialization.Serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the fleet stage keeps of one host's incident(s) in a fleet window: a few dozen bytes instead
 * of the incident with its evidence (up to {@code evidenceCap} lines). This is the value of the
 * repartition topic and of the per-host entries of an open window; the same host's incidents in one
 * window merge into one member.
 *
 * @param incidentIds   ids of the host incidents, in arrival order
 * @param reload        an FPM reload is part of the story of any of them ({@link #hasReload})
 */
record Member(String host, String fleet, RootCause rootCause, List<String> incidentIds, long start, long end,
              Map<String, Long> statusCounts, long totalRequests, boolean reload) {

    /** The projection of a host incident. */
    static Member of(Incident i) {
        return new Member(i.getHost(), i.getFleet(), i.getRootCause(), List.of(i.getId()),
                i.getStartedAt().toEpochMilli(), i.getEndedAt().toEpochMilli(), new TreeMap<>(i.getStatusCounts()),
                i.getTotalRequests(), hasReload(i));
    }

    /** The trigger of a spike of FPM reloads: the key of the hosts that reloaded, whatever their label. */
    static final String RELOAD = "FPM_RELOAD";

    /**
     * What this incident shares with others of the same moment, for the fleet window: {@value #RELOAD}
     * when an FPM reload is part of its story, else its root cause (no shared trigger is known).
     */
    String trigger() {
        return reload ? RELOAD : rootCause.name();
    }

    /**
     * Whether an FPM reload is part of this incident's story: a step of its causal chain, or
     * FPM_RELOAD_INTERRUPTION as the primary or a contributing cause. A reload that only happened in
     * the same seconds (a crash in the second of a reload) is not. An incident written before chains
     * existed is judged by its evidence: a reload notice ({@code Reloading in progress}).
     */
    static boolean hasReload(Incident i) {
        for (CausalStep s : i.getCausalChain()) {
            if (RELOAD.equals(s.getKind())) {
                return true;
            }
        }
        if (i.getRootCause() == RootCause.FPM_RELOAD_INTERRUPTION
                || i.getContributingCauses().contains(RootCause.FPM_RELOAD_INTERRUPTION)) {
            return true;
        }
        if (!i.getCausalChain().isEmpty()) {
            return false;
        }
        for (Evidence e : i.getEvidence()) {
            if (e.getLine().contains("Reloading in progress")
                    || (e.getSignal() != null && e.getSignal().startsWith("FPM reload"))) {
                return true;
            }
        }
        return false;
    }

    /** This host's incidents of one window merged with another of its incidents. */
    Member merge(Member o) {
        List<String> ids = new ArrayList<>(incidentIds);
        for (String id : o.incidentIds) {
            if (!ids.contains(id)) {
                ids.add(id);
            } else {
                return this; // the same incident again (a producer retry outside EOS): count it once
            }
        }
        Map<String, Long> counts = new TreeMap<>(statusCounts);
        o.statusCounts.forEach((k, v) -> counts.merge(k, v, Long::sum));
        return new Member(host, fleet, rootCause, ids, Math.min(start, o.start), Math.max(end, o.end), counts,
                totalRequests + o.totalRequests, reload || o.reload);
    }

    static final Serde<Member> SERDE = Codec.serde("fleet member", 1,
            (m, out) -> {
                out.writeUTF(m.host);
                Codec.writeNullable(out, m.fleet);
                out.writeUTF(m.rootCause.name());
                out.writeInt(m.incidentIds.size());
                for (String id : m.incidentIds) {
                    out.writeUTF(id);
                }
                out.writeLong(m.start);
                out.writeLong(m.end);
                out.writeInt(m.statusCounts.size());
                for (Map.Entry<String, Long> e : m.statusCounts.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeLong(e.getValue());
                }
                out.writeLong(m.totalRequests);
                out.writeBoolean(m.reload);
            },
            in -> {
                String host = in.readUTF();
                String fleet = Codec.readNullable(in);
                RootCause cause = RootCause.valueOf(in.readUTF());
                int n = in.readInt();
                List<String> ids = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    ids.add(in.readUTF());
                }
                long start = in.readLong();
                long end = in.readLong();
                int c = in.readInt();
                Map<String, Long> counts = new TreeMap<>();
                for (int k = 0; k < c; k++) {
                    counts.put(in.readUTF(), in.readLong());
                }
                return new Member(host, fleet, cause, ids, start, end, counts, in.readLong(), in.readBoolean());
            });
}
