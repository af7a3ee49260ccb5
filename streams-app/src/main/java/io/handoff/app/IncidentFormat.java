package io.handoff.app;

import io.handoff.avro.SourceKind;
import io.handoff.siem.JsonWriter;
import com.fasterxml.jackson.core.JsonGenerator;
import io.handoff.avro.CausalStep;
import io.handoff.avro.Culprit;
import io.handoff.avro.Evidence;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.Recurrence;
import io.handoff.avro.Warning;
import io.handoff.classify.Classifier;
import io.handoff.topics.Sources;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How incidents, warnings and fleet incidents are printed by {@code handoff replay} and
 * {@code handoff demo}. The JSON shape is a contract (one object per line):
 * <pre>{@code
 * {"type":"incident","host":…,"root_cause":…,"started_at":…,"ended_at":…,"status_counts":{"502":n,"504":m},
 *  "contributing_causes":[…],"culprit":{…},"remediation":…,"evidence":[{"source","timestamp","line"}], …,
 *  "causal_chain":[{"kind","root_cause","at","count","description","evidence"}, …]}
 * {"type":"fleet_incident","root_cause":…,"hosts":[…],"window_start":…,"window_end":…,"share_of_fleet":…,"recurrence":{…}|null, …,
 *  "causes":{"LISTEN_BACKLOG_OVERFLOW":20,"FPM_RELOAD_INTERRUPTION":4}}
 * {"type":"warning","host":…,"kind":…, …}
 * }</pre>
 * Times are ISO-8601 UTC. Fields beyond the ones named in the issue come after them and may grow;
 * none is ever renamed or removed.
 */
public final class IncidentFormat {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private IncidentFormat() {}

    public static String iso(Instant t) {
        return JsonWriter.iso(t);
    }

    // ---------------------------------------------------------------- JSON

    public static String json(Incident i) {
        return JsonWriter.object(g -> {
            g.writeStringField("type", "incident");
            g.writeStringField("id", i.getId());
            g.writeStringField("host", i.getHost());
            g.writeStringField("root_cause", i.getRootCause().name());
            g.writeStringField("started_at", iso(i.getStartedAt()));
            g.writeStringField("ended_at", iso(i.getEndedAt()));
            JsonWriter.counts(g, "status_counts", i.getStatusCounts());
            JsonWriter.causes(g, i.getContributingCauses());
            culprit(g, i.getCulprit());
            g.writeStringField("remediation", i.getRemediation());
            evidence(g, i.getEvidence());
            g.writeStringField("fleet", i.getFleet());
            g.writeNumberField("total_requests", i.getTotalRequests());
            JsonWriter.counts(g, "upstream_errors_by_errno", i.getUpstreamErrorsByErrno());
            g.writeNumberField("evidence_total", i.getEvidenceTotal());
            g.writeNumberField("confidence", i.getConfidence());
            g.writeStringField("summary", i.getSummary());
            chain(g, i.getCausalChain());
        });
    }

    public static String json(Warning w) {
        return JsonWriter.object(g -> {
            g.writeStringField("type", "warning");
            g.writeStringField("id", w.getId());
            g.writeStringField("host", w.getHost());
            g.writeStringField("kind", w.getKind().name());
            g.writeStringField("likely_cause", w.getLikelyCause().name());
            g.writeStringField("started_at", iso(w.getStartedAt()));
            g.writeStringField("ended_at", iso(w.getEndedAt()));
            culprit(g, w.getCulprit());
            g.writeStringField("remediation", w.getRemediation());
            evidence(g, w.getEvidence());
            g.writeStringField("fleet", w.getFleet());
            g.writeNumberField("evidence_total", w.getEvidenceTotal());
            g.writeStringField("summary", w.getSummary());
        });
    }

    public static String json(FleetIncident f) {
        return JsonWriter.object(g -> {
            g.writeStringField("type", "fleet_incident");
            g.writeStringField("id", f.getId());
            g.writeStringField("root_cause", f.getRootCause().name());
            JsonWriter.strings(g, "hosts", f.getHosts());
            g.writeStringField("window_start", iso(f.getWindowStart()));
            g.writeStringField("window_end", iso(f.getWindowEnd()));
            g.writeNumberField("share_of_fleet", f.getShareOfFleet());
            Recurrence r = f.getRecurrence();
            if (r == null) {
                g.writeNullField("recurrence");
            } else {
                g.writeObjectFieldStart("recurrence");
                g.writeStringField("period", r.getPeriod().name());
                g.writeStringField("time_of_day_utc", r.getTimeOfDayUtc());
                g.writeNumberField("occurrences", r.getOccurrences());
                g.writeStringField("likely_trigger", r.getLikelyTrigger());
                g.writeArrayFieldStart("previous");
                for (Instant p : r.getPrevious()) {
                    g.writeString(iso(p));
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeStringField("fleet", f.getFleet());
            g.writeNumberField("active_hosts", f.getActiveHosts());
            JsonWriter.counts(g, "status_counts", f.getStatusCounts());
            g.writeNumberField("total_requests", f.getTotalRequests());
            g.writeStringField("common_trigger", f.getCommonTrigger());
            g.writeStringField("remediation", f.getRemediation());
            JsonWriter.strings(g, "incident_ids", f.getIncidentIds());
            g.writeStringField("summary", f.getSummary());
            g.writeObjectFieldStart("causes");
            for (Map.Entry<String, Integer> e : new TreeMap<>(f.getCauses()).entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        });
    }

    /** {@code "causal_chain": [{"kind", "root_cause", "at", "count", "description", "evidence"}, …]}, root first. */
    private static void chain(JsonGenerator g, List<CausalStep> chain) throws IOException {
        g.writeArrayFieldStart("causal_chain");
        for (CausalStep s : chain) {
            g.writeStartObject();
            g.writeStringField("kind", s.getKind());
            g.writeStringField("root_cause", s.getRootCause() == null ? null : s.getRootCause().name());
            g.writeStringField("at", iso(s.getAt()));
            g.writeNumberField("count", s.getCount());
            g.writeStringField("description", s.getDescription());
            Evidence e = s.getEvidence();
            if (e == null) {
                g.writeNullField("evidence");
            } else {
                g.writeObjectFieldStart("evidence");
                g.writeStringField("source", Sources.name(e.getSource()));
                g.writeStringField("timestamp", iso(e.getTimestamp()));
                g.writeStringField("line", e.getLine());
                g.writeStringField("signal", e.getSignal());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }





    private static void culprit(JsonGenerator g, Culprit c) throws IOException {
        if (c == null) {
            g.writeNullField("culprit");
            return;
        }
        g.writeObjectFieldStart("culprit");
        g.writeStringField("script", c.getScript());
        g.writeStringField("plugin", c.getPlugin());
        g.writeStringField("theme", c.getTheme());
        if (c.getPid() == null) {
            g.writeNullField("pid");
        } else {
            g.writeNumberField("pid", c.getPid());
        }
        g.writeStringField("upstream", c.getUpstream());
        g.writeEndObject();
    }

    private static void evidence(JsonGenerator g, List<Evidence> evidence) throws IOException {
        g.writeArrayFieldStart("evidence");
        for (Evidence e : evidence) {
            g.writeStartObject();
            g.writeStringField("source", Sources.name(e.getSource()));
            g.writeStringField("timestamp", iso(e.getTimestamp()));
            g.writeStringField("line", e.getLine());
            g.writeStringField("signal", e.getSignal());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    // ---------------------------------------------------------------- text

    /** A few readable lines: what, where, when, how many, the key evidence line, the culprit and the remedy. */
    public static String text(Incident i) {
        StringBuilder b = new StringBuilder();
        b.append(CLOCK.format(i.getStartedAt())).append("  ").append(i.getHost()).append("  ")
                .append(i.getRootCause().name()).append("  ").append(statusText(i.getStatusCounts()))
                .append(" of ").append(i.getTotalRequests()).append(" requests")
                .append(String.format(Locale.ROOT, "  confidence %.2f", i.getConfidence()));
        if (!i.getCausalChain().isEmpty()) {
            b.append("\n    chain:      ").append(Classifier.chainText(i.getCausalChain()));
        }
        if (!i.getContributingCauses().isEmpty()) {
            b.append("\n    because of: ");
            b.append(String.join(", ", i.getContributingCauses().stream().map(Enum::name).toList()));
        }
        Evidence key = keyEvidence(i.getEvidence());
        if (key != null) {
            b.append("\n    evidence:   ").append(Sources.name(key.getSource())).append(": ")
                    .append(firstLine(key.getLine()));
        }
        String culprit = culpritText(i.getCulprit());
        if (!culprit.isEmpty()) {
            b.append("\n    culprit:    ").append(culprit);
        }
        b.append("\n    remedy:     ").append(i.getRemediation());
        return b.toString();
    }

    public static String text(Warning w) {
        StringBuilder b = new StringBuilder();
        b.append(CLOCK.format(w.getStartedAt())).append("  ").append(w.getHost()).append("  WARNING ")
                .append(w.getKind().name()).append(" (would be ").append(w.getLikelyCause().name()).append(')');
        Evidence key = keyEvidence(w.getEvidence());
        if (key != null) {
            b.append("\n    evidence:   ").append(Sources.name(key.getSource())).append(": ")
                    .append(firstLine(key.getLine()));
        }
        b.append("\n    remedy:     ").append(w.getRemediation());
        return b.toString();
    }

    public static String text(FleetIncident f) {
        StringBuilder b = new StringBuilder();
        b.append(CLOCK.format(f.getWindowStart())).append("  FLEET  ").append(f.getRootCause().name())
                .append(" on ").append(f.getHosts().size()).append(" of ").append(f.getActiveHosts())
                .append(" hosts");
        if (f.getCauses().size() > 1) {
            b.append(" (").append(causesText(f.getCauses())).append(')');
        }
        if (f.getCommonTrigger() != null) {
            b.append(", after ").append(f.getCommonTrigger());
        }
        if (f.getRecurrence() != null) {
            Recurrence r = f.getRecurrence();
            b.append("\n    recurs:     ").append(r.getPeriod().name().toLowerCase(Locale.ROOT))
                    .append(" at ").append(r.getTimeOfDayUtc()).append(" UTC, ").append(r.getOccurrences())
                    .append(" times");
            if (r.getLikelyTrigger() != null) {
                b.append(" (").append(r.getLikelyTrigger()).append(')');
            }
        }
        b.append("\n    hosts:      ").append(String.join(", ", f.getHosts()));
        b.append("\n    incidents:  ").append(f.getIncidentIds().size()).append(" host incident")
                .append(f.getIncidentIds().size() == 1 ? "" : "s").append(", told by this line");
        b.append("\n    remedy:     ").append(f.getRemediation());
        return b.toString();
    }

    /** "20 LISTEN_BACKLOG_OVERFLOW, 4 FPM_RELOAD_INTERRUPTION": most hosts first. */
    static String causesText(Map<String, Integer> causes) {
        List<Map.Entry<String, Integer>> l = new ArrayList<>(new TreeMap<>(causes).entrySet());
        l.sort((a, c) -> Integer.compare(c.getValue(), a.getValue()));
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Integer> e : l) {
            if (b.length() > 0) b.append(", ");
            b.append(e.getValue()).append(' ').append(e.getKey());
        }
        return b.toString();
    }

    static String statusText(Map<String, Long> counts) {
        if (counts.isEmpty()) {
            return "no 502/504 in the access log";
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Long> e : new TreeMap<>(counts).entrySet()) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(e.getValue()).append('×').append(e.getKey());
        }
        return b.toString();
    }

    public static String culpritText(Culprit c) {
        if (c == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        append(b, "plugin", c.getPlugin());
        append(b, "theme", c.getTheme());
        append(b, "script", c.getScript());
        append(b, "pid", c.getPid() == null ? null : c.getPid().toString());
        append(b, "upstream", c.getUpstream());
        return b.toString();
    }

    private static void append(StringBuilder b, String name, String value) {
        if (value != null && !value.isEmpty()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(name).append(' ').append(value);
        }
    }

    /** The line that best shows the failed handoff: the first nginx error line, else the first line. */
    static Evidence keyEvidence(List<Evidence> evidence) {
        for (Evidence e : evidence) {
            if (e.getSource() == SourceKind.NGINX_ERROR) {
                return e;
            }
        }
        return evidence.isEmpty() ? null : evidence.get(0);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl) + " …";
        return line.length() > 220 ? line.substring(0, 217) + "…" : line;
    }
}
