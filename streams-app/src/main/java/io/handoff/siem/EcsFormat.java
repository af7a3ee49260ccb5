package io.handoff.siem;

import com.fasterxml.jackson.core.JsonGenerator;
import io.handoff.avro.CausalStep;
import io.handoff.avro.Culprit;
import io.handoff.avro.Evidence;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.topics.Sources;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ECS (Elastic Common Schema 8.x) JSON documents of {@code handoff.incidents-ecs}, one per
 * incident and fleet incident, for a SIEM. The field mapping is documented in docs/DEPLOY.md §7;
 * ECS names where ECS has them, {@code handoff.*} for the rest.
 */
public final class EcsFormat {
    static final String VERSION = EcsFormat.class.getPackage().getImplementationVersion() == null
            ? "dev" : EcsFormat.class.getPackage().getImplementationVersion();

    private EcsFormat() {}

    public static String incident(Incident i) {
        return JsonWriter.object(g -> {
            common(g, i.getStartedAt(), i.getEndedAt(), i.getId(), "handoff.incident", 3, i.getRootCause(), i.getSummary(),
                    keyLine(i.getEvidence()), i.getFleet(), dominant(i.getStatusCounts()));
            g.writeObjectFieldStart("host");
            g.writeStringField("name", i.getHost());
            g.writeEndObject();
            g.writeObjectFieldStart("handoff");
            g.writeStringField("root_cause", i.getRootCause().name());
            g.writeNumberField("confidence", i.getConfidence());
            culprit(g, i.getCulprit());
            g.writeStringField("remediation", i.getRemediation());
            JsonWriter.counts(g, "status_counts", i.getStatusCounts());
            g.writeNumberField("total_requests", i.getTotalRequests());
            JsonWriter.counts(g, "upstream_errors_by_errno", i.getUpstreamErrorsByErrno());
            g.writeArrayFieldStart("evidence");
            for (Evidence e : i.getEvidence()) {
                g.writeStartObject();
                g.writeStringField("source", Sources.name(e.getSource()));
                g.writeStringField("time", JsonWriter.iso(e.getTimestamp()));
                g.writeStringField("line", e.getLine());
                g.writeStringField("signal", e.getSignal());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("evidence_total", i.getEvidenceTotal());
            JsonWriter.causes(g, i.getContributingCauses());
            chain(g, i.getCausalChain());
            g.writeEndObject();
        });
    }

    /** {@code "causal_chain": [{kind, root_cause, at, count, description, evidence: {source, time, line}}, …]}, root first. */
    private static void chain(JsonGenerator g, List<CausalStep> chain) throws IOException {
        g.writeArrayFieldStart("causal_chain");
        for (CausalStep c : chain) {
            g.writeStartObject();
            g.writeStringField("kind", c.getKind());
            g.writeStringField("root_cause", c.getRootCause() == null ? null : c.getRootCause().name());
            g.writeStringField("at", JsonWriter.iso(c.getAt()));
            g.writeNumberField("count", c.getCount());
            g.writeStringField("description", c.getDescription());
            Evidence e = c.getEvidence();
            if (e != null) {
                g.writeObjectFieldStart("evidence");
                g.writeStringField("source", Sources.name(e.getSource()));
                g.writeStringField("time", JsonWriter.iso(e.getTimestamp()));
                g.writeStringField("line", e.getLine());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    public static String fleet(FleetIncident f) {
        return JsonWriter.object(g -> {
            common(g, f.getWindowStart(), f.getWindowEnd(), f.getId(), "handoff.fleet_incident", 2, f.getRootCause(),
                    f.getSummary(), null, f.getFleet(), dominant(f.getStatusCounts()));
            g.writeObjectFieldStart("handoff");
            g.writeStringField("root_cause", f.getRootCause().name());
            g.writeStringField("remediation", f.getRemediation());
            JsonWriter.counts(g, "status_counts", f.getStatusCounts());
            g.writeNumberField("total_requests", f.getTotalRequests());
            JsonWriter.strings(g, "hosts", f.getHosts());
            g.writeNumberField("active_hosts", f.getActiveHosts());
            g.writeNumberField("share_of_fleet", f.getShareOfFleet());
            JsonWriter.strings(g, "incident_ids", f.getIncidentIds());
            g.writeStringField("common_trigger", f.getCommonTrigger());
            g.writeObjectFieldStart("causes");
            for (Map.Entry<String, Integer> e : new TreeMap<>(f.getCauses()).entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            if (f.getRecurrence() == null) {
                g.writeNullField("recurrence");
            } else {
                g.writeObjectFieldStart("recurrence");
                g.writeStringField("period", f.getRecurrence().getPeriod().name());
                g.writeStringField("time_of_day_utc", f.getRecurrence().getTimeOfDayUtc());
                g.writeNumberField("occurrences", f.getRecurrence().getOccurrences());
                g.writeStringField("likely_trigger", f.getRecurrence().getLikelyTrigger());
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    private static void common(JsonGenerator g, Instant start, Instant end, String id, String dataset, int severity,
                               RootCause cause, String summary, String errorLine, String fleet, Integer status) throws IOException {
        g.writeStringField("@timestamp", JsonWriter.iso(start));
        g.writeObjectFieldStart("event");
        g.writeStringField("kind", "alert");
        g.writeArrayFieldStart("category");
        g.writeString("web");
        g.writeEndArray();
        g.writeArrayFieldStart("type");
        g.writeString("error");
        g.writeEndArray();
        g.writeStringField("outcome", "failure");
        g.writeStringField("id", id);
        g.writeStringField("start", JsonWriter.iso(start));
        g.writeStringField("end", JsonWriter.iso(end));
        g.writeStringField("dataset", dataset);
        g.writeNumberField("severity", severity);
        g.writeStringField("reason", cause.name());
        g.writeEndObject();
        if (fleet != null) {
            g.writeObjectFieldStart("labels");
            g.writeStringField("fleet", fleet);
            g.writeEndObject();
        }
        g.writeObjectFieldStart("rule");
        g.writeStringField("name", cause.name());
        g.writeStringField("category", "handoff");
        g.writeEndObject();
        g.writeStringField("message", summary);
        if (errorLine != null) {
            g.writeObjectFieldStart("error");
            g.writeStringField("message", errorLine);
            g.writeEndObject();
        }
        g.writeObjectFieldStart("observer");
        g.writeStringField("type", "correlator");
        g.writeStringField("vendor", "handoff");
        g.writeStringField("product", "handoff");
        g.writeStringField("version", VERSION);
        g.writeEndObject();
        if (status != null) {
            g.writeObjectFieldStart("http");
            g.writeObjectFieldStart("response");
            g.writeNumberField("status_code", status);
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    /** The status with the most responses (502 before 504 on a tie), or null when there were none. */
    static Integer dominant(Map<String, Long> counts) {
        Integer best = null;
        long most = 0;
        for (Map.Entry<String, Long> e : new TreeMap<>(counts).entrySet()) {
            if (e.getValue() > most) {
                most = e.getValue();
                best = Integer.valueOf(e.getKey());
            }
        }
        return best;
    }

    /** The decisive line: the first nginx error line, else the first evidence line. */
    static String keyLine(List<Evidence> evidence) {
        for (Evidence e : evidence) {
            if (e.getSource() == SourceKind.NGINX_ERROR) {
                return e.getLine();
            }
        }
        return evidence.isEmpty() ? null : evidence.get(0).getLine();
    }

    private static void culprit(JsonGenerator g, Culprit c) throws IOException {
        if (c == null) {
            return;
        }
        g.writeObjectFieldStart("culprit");
        g.writeStringField("script", c.getScript());
        g.writeStringField("plugin", c.getPlugin());
        g.writeStringField("theme", c.getTheme());
        if (c.getPid() != null) {
            g.writeNumberField("pid", c.getPid());
        }
        g.writeStringField("upstream", c.getUpstream());
        g.writeEndObject();
    }
}
