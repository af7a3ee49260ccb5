package io.handoff.console;

import com.fasterxml.jackson.core.JsonGenerator;
import io.handoff.avro.CausalStep;
import io.handoff.avro.Culprit;
import io.handoff.avro.Evidence;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.Recurrence;
import io.handoff.avro.RootCause;
import io.handoff.siem.JsonWriter;
import io.handoff.topics.Sources;

import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON the console page reads, served by {@link ConsoleHttp} and embedded in the offline report
 * ({@link HtmlReport}). Times are ISO-8601 UTC; the heatmap's marks carry epoch milliseconds.
 *
 * <ul>
 *   <li>{@code incidents}: a list of summaries (no evidence lines), newest first;</li>
 *   <li>{@code incident}: one incident in full: chain, culprit, remedy, evidence with source and time;</li>
 *   <li>{@code fleet}: fleet incidents with their host breakdown and recurrence, and the heatmap's marks
 *       ({@code [host, fleet, started ms, ended ms, root cause, gateway errors, id]} per incident).</li>
 * </ul>
 */
public final class ConsoleJson {
    private ConsoleJson() {}

    /** Every label in taxonomy order: the page gives each one a fixed colour. */
    static void rootCauses(JsonGenerator g) throws IOException {
        g.writeArrayFieldStart("root_causes");
        for (RootCause c : RootCause.values()) {
            g.writeString(c.name());
        }
        g.writeEndArray();
    }

    static void summaryFields(JsonGenerator g, Incident i) throws IOException {
        g.writeStringField("id", i.getId());
        g.writeStringField("host", i.getHost());
        g.writeStringField("fleet", IncidentBoard.fleetName(i.getFleet()));
        g.writeStringField("status", i.getStatus().name());
        g.writeNumberField("revision", i.getRevision());
        g.writeStringField("root_cause", i.getRootCause().name());
        g.writeStringField("started_at", JsonWriter.iso(i.getStartedAt()));
        g.writeStringField("ended_at", JsonWriter.iso(i.getEndedAt()));
        JsonWriter.counts(g, "status_counts", i.getStatusCounts());
        g.writeNumberField("gateway_errors", gatewayErrors(i.getStatusCounts()));
        g.writeNumberField("total_requests", i.getTotalRequests());
        g.writeNumberField("confidence", i.getConfidence());
        g.writeStringField("culprit", culpritText(i.getCulprit()));
        JsonWriter.causes(g, i.getContributingCauses());
        g.writeStringField("summary", i.getSummary());
    }

    static void summary(JsonGenerator g, Incident i) throws IOException {
        g.writeStartObject();
        summaryFields(g, i);
        g.writeEndObject();
    }

    /** One incident in full. */
    public static String incident(Incident i) {
        return JsonWriter.object(g -> detailFields(g, i));
    }

    static void detail(JsonGenerator g, Incident i) throws IOException {
        g.writeStartObject();
        detailFields(g, i);
        g.writeEndObject();
    }

    private static void detailFields(JsonGenerator g, Incident i) throws IOException {
        summaryFields(g, i);
        culprit(g, i.getCulprit());
        g.writeStringField("remediation", i.getRemediation());
        JsonWriter.counts(g, "upstream_errors_by_errno", i.getUpstreamErrorsByErrno());
        g.writeNumberField("evidence_total", i.getEvidenceTotal());
        g.writeArrayFieldStart("causal_chain");
        for (CausalStep s : i.getCausalChain()) {
            g.writeStartObject();
            g.writeStringField("kind", s.getKind());
            g.writeStringField("root_cause", s.getRootCause() == null ? null : s.getRootCause().name());
            g.writeStringField("at", JsonWriter.iso(s.getAt()));
            g.writeNumberField("count", s.getCount());
            g.writeStringField("description", s.getDescription());
            if (s.getEvidence() == null) {
                g.writeNullField("evidence");
            } else {
                g.writeFieldName("evidence");
                evidence(g, s.getEvidence());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("evidence");
        for (Evidence e : i.getEvidence()) {
            evidence(g, e);
        }
        g.writeEndArray();
    }

    private static void evidence(JsonGenerator g, Evidence e) throws IOException {
        g.writeStartObject();
        g.writeStringField("source", Sources.name(e.getSource()));
        g.writeStringField("timestamp", JsonWriter.iso(e.getTimestamp()));
        g.writeStringField("line", e.getLine());
        g.writeStringField("signal", e.getSignal());
        g.writeEndObject();
    }

    private static void culprit(JsonGenerator g, Culprit c) throws IOException {
        if (c == null) {
            g.writeNullField("culprit_detail");
            return;
        }
        g.writeObjectFieldStart("culprit_detail");
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

    static void fleet(JsonGenerator g, FleetIncident f) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", f.getId());
        g.writeStringField("fleet", IncidentBoard.fleetName(f.getFleet()));
        g.writeStringField("root_cause", f.getRootCause().name());
        JsonWriter.strings(g, "hosts", f.getHosts());
        g.writeNumberField("active_hosts", f.getActiveHosts());
        g.writeNumberField("share_of_fleet", f.getShareOfFleet());
        g.writeStringField("window_start", JsonWriter.iso(f.getWindowStart()));
        g.writeStringField("window_end", JsonWriter.iso(f.getWindowEnd()));
        JsonWriter.counts(g, "status_counts", f.getStatusCounts());
        g.writeNumberField("gateway_errors", gatewayErrors(f.getStatusCounts()));
        g.writeNumberField("total_requests", f.getTotalRequests());
        JsonWriter.strings(g, "incident_ids", f.getIncidentIds());
        g.writeStringField("common_trigger", f.getCommonTrigger());
        g.writeStringField("remediation", f.getRemediation());
        g.writeObjectFieldStart("causes");
        for (Map.Entry<String, Integer> e : new TreeMap<>(f.getCauses()).entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
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
                g.writeString(JsonWriter.iso(p));
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeStringField("summary", f.getSummary());
        g.writeEndObject();
    }

    /** The heatmap's input: one mark per incident. */
    static void marks(JsonGenerator g, List<Incident> incidents) throws IOException {
        g.writeArrayFieldStart("marks");
        for (Incident i : incidents) {
            g.writeStartArray();
            g.writeString(i.getHost());
            g.writeString(IncidentBoard.fleetName(i.getFleet()));
            g.writeNumber(i.getStartedAt().toEpochMilli());
            g.writeNumber(i.getEndedAt().toEpochMilli());
            g.writeString(i.getRootCause().name());
            g.writeNumber(gatewayErrors(i.getStatusCounts()));
            g.writeString(i.getId());
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    /** The incidents list of the API: open and closed summaries that match, the filters' choices. */
    static String incidents(List<Incident> open, List<Incident> closed, IncidentBoard.Facets facets, int total, long version) {
        return JsonWriter.object(g -> {
            g.writeNumberField("version", version);
            g.writeArrayFieldStart("open");
            for (Incident i : open) {
                summary(g, i);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("closed");
            for (Incident i : closed) {
                summary(g, i);
            }
            g.writeEndArray();
            g.writeNumberField("closed_matching", total);
            facets(g, facets);
            rootCauses(g);
        });
    }

    static void facets(JsonGenerator g, IncidentBoard.Facets f) throws IOException {
        JsonWriter.strings(g, "hosts", f.hosts());
        JsonWriter.strings(g, "fleets", f.fleets());
        JsonWriter.strings(g, "causes_seen", f.rootCauses());
    }

    /** The fleet view: fleet incidents and the heatmap's marks. */
    static String fleetView(List<FleetIncident> fleet, List<Incident> incidents, long version) {
        return JsonWriter.object(g -> {
            g.writeNumberField("version", version);
            g.writeArrayFieldStart("fleet_incidents");
            for (FleetIncident f : fleet) {
                fleet(g, f);
            }
            g.writeEndArray();
            marks(g, incidents);
            rootCauses(g);
        });
    }

    /**
     * Everything in one object, for the offline report: every incident in full, fleet incidents,
     * marks, the filters' choices.
     */
    public static String report(String title, Instant generated, List<Incident> incidents, List<FleetIncident> fleet) {
        List<Incident> sorted = incidents.stream().sorted(IncidentBoard.NEWEST_FIRST).toList();
        List<FleetIncident> fleetSorted = fleet.stream()
                .sorted(Comparator.comparing(FleetIncident::getWindowStart).reversed()).toList();
        IncidentBoard board = new IncidentBoard(Integer.MAX_VALUE, Integer.MAX_VALUE);
        sorted.forEach(board::accept);
        fleetSorted.forEach(board::accept);
        return JsonWriter.object(g -> {
            g.writeStringField("title", title);
            g.writeStringField("generated_at", JsonWriter.iso(generated));
            g.writeArrayFieldStart("incidents");
            for (Incident i : sorted) {
                detail(g, i);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("fleet_incidents");
            for (FleetIncident f : fleetSorted) {
                fleet(g, f);
            }
            g.writeEndArray();
            marks(g, sorted);
            facets(g, board.facets());
            rootCauses(g);
        });
    }

    static long gatewayErrors(Map<String, Long> statusCounts) {
        long n = 0;
        for (Long v : statusCounts.values()) {
            n += v;
        }
        return n;
    }

    /** {@code plugin acme-crm-sync, script /index.php, pid 4242}, or empty. */
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
}
