package io.handoff.console;

import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What the console shows: the latest record of every incident (open ones from the incident-updates
 * topic, closed ones from there or from the incidents topic) and every fleet incident, in memory.
 * Thread-safe: the feed writes, HTTP threads read.
 *
 * <p>Of two records of one incident the CLOSED one wins over an OPEN one, and of two with the same
 * status the higher {@code revision}; so the final record is never replaced by a provisional one read
 * later from another topic. All open incidents are kept; closed ones and fleet incidents are capped
 * (the oldest go first), so memory stays bounded however long the topics' retention is.
 */
public final class IncidentBoard {
    /** Closed incidents kept by default. */
    public static final int DEFAULT_CLOSED_CAP = 5000;
    /** Fleet incidents kept by default. */
    public static final int DEFAULT_FLEET_CAP = 1000;

    private final int closedCap;
    private final int fleetCap;
    private final Map<String, Incident> incidents = new HashMap<>();
    private final Map<String, FleetIncident> fleet = new HashMap<>();
    private long version;

    public IncidentBoard() {
        this(DEFAULT_CLOSED_CAP, DEFAULT_FLEET_CAP);
    }

    public IncidentBoard(int closedCap, int fleetCap) {
        this.closedCap = closedCap;
        this.fleetCap = fleetCap;
    }

    /** Takes an incident record; returns whether it changed what the board shows. */
    public synchronized boolean accept(Incident i) {
        Incident old = incidents.get(i.getId());
        if (old != null && !newer(i, old)) {
            return false;
        }
        incidents.put(i.getId(), i);
        if (i.getStatus() == IncidentStatus.CLOSED) {
            trimClosed();
        }
        version++;
        return true;
    }

    /** Takes a fleet incident; a later record with the same id replaces the earlier one. */
    public synchronized void accept(FleetIncident f) {
        fleet.put(f.getId(), f);
        if (fleet.size() > fleetCap) {
            fleet.values().stream().min(Comparator.comparing(FleetIncident::getWindowStart))
                    .ifPresent(oldest -> fleet.remove(oldest.getId()));
        }
        version++;
    }

    /** A tombstone on the compacted incident-updates topic: the incident is gone. */
    public synchronized void remove(String id) {
        if (incidents.remove(id) != null) {
            version++;
        }
    }

    /** Counts every change, so a page can tell whether to redraw. */
    public synchronized long version() {
        return version;
    }

    static boolean newer(Incident candidate, Incident current) {
        if (candidate.getStatus() != current.getStatus()) {
            return candidate.getStatus() == IncidentStatus.CLOSED;
        }
        // the final record comes on both topics: the second copy is no change (listeners hear of it once)
        return candidate.getRevision() > current.getRevision();
    }

    private void trimClosed() {
        List<Incident> closed = new ArrayList<>();
        for (Incident i : incidents.values()) {
            if (i.getStatus() == IncidentStatus.CLOSED) {
                closed.add(i);
            }
        }
        if (closed.size() <= closedCap) {
            return;
        }
        closed.sort(Comparator.comparing(Incident::getStartedAt));
        for (int n = 0; n < closed.size() - closedCap; n++) {
            incidents.remove(closed.get(n).getId());
        }
    }

    public synchronized Incident incident(String id) {
        return incidents.get(id);
    }

    /** Incidents that match, newest first (by start, then id). */
    public synchronized List<Incident> incidents(Filter filter) {
        List<Incident> out = new ArrayList<>();
        for (Incident i : incidents.values()) {
            if (filter.test(i)) {
                out.add(i);
            }
        }
        out.sort(NEWEST_FIRST);
        return out;
    }

    /** Fleet incidents, newest first. */
    public synchronized List<FleetIncident> fleetIncidents() {
        List<FleetIncident> out = new ArrayList<>(fleet.values());
        out.sort(Comparator.comparing(FleetIncident::getWindowStart).reversed().thenComparing(FleetIncident::getId));
        return out;
    }

    /** Every host, fleet and root cause on the board, sorted: the choices of the filters. */
    public synchronized Facets facets() {
        TreeSet<String> hosts = new TreeSet<>();
        TreeSet<String> fleets = new TreeSet<>();
        TreeSet<String> causes = new TreeSet<>();
        for (Incident i : incidents.values()) {
            hosts.add(i.getHost());
            fleets.add(fleetName(i.getFleet()));
            causes.add(i.getRootCause().name());
        }
        for (FleetIncident f : fleet.values()) {
            fleets.add(fleetName(f.getFleet()));
            causes.add(f.getRootCause().name());
        }
        return new Facets(List.copyOf(hosts), List.copyOf(fleets), List.copyOf(causes));
    }

    /** The fleet label shown for a record without one. */
    public static final String DEFAULT_FLEET = "default";

    static String fleetName(String fleet) {
        return fleet == null || fleet.isEmpty() ? DEFAULT_FLEET : fleet;
    }

    static final Comparator<Incident> NEWEST_FIRST =
            Comparator.comparing(Incident::getStartedAt).reversed().thenComparing(Incident::getId);

    /** The choices of the console's filters. */
    public record Facets(List<String> hosts, List<String> fleets, List<String> rootCauses) {}

    /**
     * Which incidents a list shows: by host, fleet ({@value #DEFAULT_FLEET} for incidents without
     * one), root cause and status; null or empty means any.
     */
    public record Filter(String host, String fleet, String rootCause, IncidentStatus status) implements Predicate<Incident> {
        public static final Filter ALL = new Filter(null, null, null, null);

        public static Filter of(Map<String, String> query) {
            String status = blankToNull(query.get("status"));
            IncidentStatus s = null;
            if (status != null) {
                try {
                    s = IncidentStatus.valueOf(status.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("status: expected open or closed, got '" + status + "'");
                }
            }
            return new Filter(blankToNull(query.get("host")), blankToNull(query.get("fleet")),
                    blankToNull(query.get("root_cause")), s);
        }

        public Filter withStatus(IncidentStatus s) {
            return new Filter(host, fleet, rootCause, s);
        }

        @Override
        public boolean test(Incident i) {
            return (host == null || host.equals(i.getHost()))
                    && (fleet == null || fleet.equals(fleetName(i.getFleet())))
                    && (rootCause == null || rootCause.equals(i.getRootCause().name()))
                    && (status == null || status == i.getStatus());
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }
    }
}
