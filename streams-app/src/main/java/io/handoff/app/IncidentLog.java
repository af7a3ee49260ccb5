package io.handoff.app;

import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.classify.Classifier;
import io.handoff.console.IncidentFeed;

import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * What {@code handoff run} prints on stdout as it happens, one line a change, for whoever watches the
 * application's log (journald, {@code kubectl logs}): an incident when it opens (its first provisional
 * record, within a second of its first gateway errors), when its verdict changes while it is open, and when
 * it closes; a fleet incident when it is found. Records that were already on the topics when the
 * application started are not repeated.
 *
 * <pre>
 *   open    web-16  LISTEN_BACKLOG_OVERFLOW  since 2026-12-01 12:44:46Z  chain: FPM reload held 10 s → EAGAIN … → 90 failed requests  id web-16@2026-12-01T12:44:46Z
 *   update  web-16  LISTEN_BACKLOG_OVERFLOW  since …  (revision 2)
 *   closed  web-16  LISTEN_BACKLOG_OVERFLOW  2026-12-01 12:44:46Z – 12:44:55Z  502×90 of 113 requests  chain: …  id …
 *   fleet   web  LISTEN_BACKLOG_OVERFLOW on 11 of 12 hosts at 00:00 UTC …  id …
 * </pre>
 */
final class IncidentLog implements IncidentFeed.Listener {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private final PrintStream out;

    IncidentLog(PrintStream out) {
        this.out = out;
    }

    @Override
    public void incident(Incident i, boolean live) {
        if (live) {
            out.println(line(i));
        }
    }

    @Override
    public void fleetIncident(FleetIncident f, boolean live) {
        if (live) {
            out.println("fleet   " + f.getFleet() + "  " + f.getSummary() + "  id " + f.getId());
        }
    }

    /** One line for one record of an incident: open, update or closed. */
    static String line(Incident i) {
        StringBuilder b = new StringBuilder();
        boolean open = i.getStatus() == IncidentStatus.OPEN;
        b.append(open ? (i.getRevision() == 0 ? "open    " : "update  ") : "closed  ");
        b.append(i.getHost()).append("  ").append(i.getRootCause().name()).append("  ");
        if (open) {
            b.append("since ").append(CLOCK.format(i.getStartedAt()));
        } else {
            b.append(CLOCK.format(i.getStartedAt())).append(" – ").append(TIME.format(i.getEndedAt())).append("  ")
                    .append(IncidentFormat.statusText(i.getStatusCounts())).append(" of ").append(i.getTotalRequests())
                    .append(" requests");
        }
        if (!i.getCausalChain().isEmpty()) {
            b.append("  chain: ").append(Classifier.chainText(i.getCausalChain()));
        }
        if (open && i.getRevision() > 0) {
            b.append("  (revision ").append(i.getRevision()).append(')');
        }
        b.append("  id ").append(i.getId());
        return b.toString();
    }
}
