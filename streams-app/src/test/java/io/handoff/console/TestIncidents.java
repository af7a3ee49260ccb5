package io.handoff.console;

import io.handoff.avro.CausalStep;
import io.handoff.avro.Culprit;
import io.handoff.avro.Evidence;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Incident records as the contract defines them (status, revision, causal chain), for tests of what
 * reads the incident topics. Their evidence lines are real lines of the captures in samples/fleet,
 * found by what they say, never typed in.
 */
public final class TestIncidents {
    static final Path FLEET = Path.of("..", "samples", "fleet");

    private TestIncidents() {}

    /** The first line of {@code samples/fleet/<host>/<file>} that contains {@code text}. */
    public static String line(String host, String file, String text) {
        try (var lines = Files.lines(FLEET.resolve(host).resolve(file))) {
            return lines.filter(l -> l.contains(text)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no line with '" + text + "' in " + host + "/" + file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Evidence evidence(SourceKind source, Instant at, String line, String signal) {
        return Evidence.newBuilder().setSource(source).setTimestamp(at).setLine(line).setSignal(signal).build();
    }

    /**
     * web-07's OOM kill as the correlator reports it while it is open ({@code OPEN}, {@code revision})
     * or when it closed, with the given verdict.
     */
    public static Incident oom(String id, IncidentStatus status, int revision, RootCause verdict) {
        Instant at = Instant.parse("2026-11-21T11:02:04Z");
        Evidence kill = evidence(SourceKind.KERN, at, line("web-07", "kern.log", "invoked oom-killer"),
                "the kernel's OOM killer was invoked by php-fpm");
        Evidence child = evidence(SourceKind.PHP_FPM, at, line("web-07", "php-fpm.log", "exited on signal 9"),
                "an FPM worker was killed (SIGKILL)");
        Evidence reset = evidence(SourceKind.NGINX_ERROR, at, line("web-07", "nginx-error.log", "upstream"),
                "nginx lost the upstream connection");
        return Incident.newBuilder()
                .setId(id).setHost("web-07").setFleet(null).setRootCause(verdict)
                .setStartedAt(at).setEndedAt(at.plusSeconds(1))
                .setStatusCounts(Map.of("502", 2L)).setTotalRequests(26)
                .setUpstreamErrorsByErrno(Map.of("104", 2L))
                .setEvidence(List.of(kill, child, reset)).setEvidenceTotal(3)
                .setCulprit(Culprit.newBuilder().setScript("/wp-admin/admin-ajax.php").setPid(4569)
                        .setUpstream("unix:/run/php/php8.2-fpm-web-07.sock").build())
                .setRemediation("Do not raise pm.max_children: size it to RAM (available memory / worker RSS).")
                .setContributingCauses(List.of())
                .setConfidence(0.95)
                .setSummary("web-07: 2×502 at 2026-11-21 11:02:04 UTC: the kernel killed an FPM worker for memory")
                .setCausalChain(List.of(
                        CausalStep.newBuilder().setKind("OOM_KILL").setRootCause(RootCause.OOM_KILL).setAt(at).setCount(1)
                                .setDescription("kernel OOM killer killed php-fpm child 4569").setEvidence(kill).build(),
                        CausalStep.newBuilder().setKind("WORKER_RESET").setRootCause(null).setAt(at).setCount(1)
                                .setDescription("FPM child 4569 exited on signal 9").setEvidence(child).build(),
                        CausalStep.newBuilder().setKind("GATEWAY_ERRORS").setRootCause(null).setAt(at).setCount(2)
                                .setDescription("2×502 while the worker was gone").setEvidence(reset).build()))
                .setStatus(status).setRevision(revision)
                .build();
    }

    /** A backlog overflow on {@code host} of {@code fleet} at {@code at}, after an FPM reload (web-01's lines). */
    public static Incident backlog(String host, String fleet, Instant at, IncidentStatus status) {
        Evidence reload = evidence(SourceKind.PHP_FPM, at, line("web-01", "php-fpm.log", "Reloading in progress"),
                "FPM reload");
        Evidence eagain = evidence(SourceKind.NGINX_ERROR, at, line("web-01", "nginx-error.log", "(11: Resource temporarily unavailable)"),
                "connect() EAGAIN (11) on the FPM socket: its accept queue is full");
        return Incident.newBuilder()
                .setId(host + "@" + at).setHost(host).setFleet(fleet).setRootCause(RootCause.LISTEN_BACKLOG_OVERFLOW)
                .setStartedAt(at).setEndedAt(at.plusSeconds(7))
                .setStatusCounts(Map.of("502", 65L)).setTotalRequests(341)
                .setUpstreamErrorsByErrno(Map.of("11", 65L))
                .setEvidence(List.of(reload, eagain)).setEvidenceTotal(136)
                .setCulprit(Culprit.newBuilder().setScript("/").setUpstream("unix:/run/php/php8.2-fpm-web-01.sock").build())
                .setRemediation("Raise both limits of the accept queue: listen.backlog = 4096 and net.core.somaxconn = 4096.")
                .setContributingCauses(List.of(RootCause.FPM_RELOAD_INTERRUPTION))
                .setConfidence(0.9)
                .setSummary(host + ": 65×502: the FPM socket's accept queue overflowed during a reload")
                .setCausalChain(List.of(
                        CausalStep.newBuilder().setKind("FPM_RELOAD").setRootCause(RootCause.FPM_RELOAD_INTERRUPTION).setAt(at)
                                .setCount(1).setDescription("FPM reloaded (logrotate)").setEvidence(reload).build(),
                        CausalStep.newBuilder().setKind("LISTEN_BACKLOG_OVERFLOW").setRootCause(RootCause.LISTEN_BACKLOG_OVERFLOW)
                                .setAt(at).setCount(65).setDescription("connect() EAGAIN: the accept queue is full")
                                .setEvidence(eagain).build()))
                .setStatus(status).setRevision(0)
                .build();
    }

    /** One fleet incident over the given host incidents. */
    public static FleetIncident fleet(String fleet, List<Incident> members, int activeHosts) {
        Incident first = members.get(0);
        return FleetIncident.newBuilder()
                .setId(fleet + "/" + first.getRootCause() + "@" + first.getStartedAt())
                .setFleet(fleet).setRootCause(first.getRootCause())
                .setHosts(members.stream().map(Incident::getHost).sorted().toList())
                .setActiveHosts(activeHosts).setShareOfFleet(members.size() / (double) activeHosts)
                .setWindowStart(first.getStartedAt()).setWindowEnd(first.getStartedAt().plusSeconds(10))
                .setStatusCounts(Map.of("502", 65L * members.size())).setTotalRequests(341L * members.size())
                .setIncidentIds(members.stream().map(Incident::getId).toList())
                .setCommonTrigger("FPM reload (Reloading in progress)")
                .setRemediation("Raise the accept queue in the shared configuration and stagger the reloads.")
                .setRecurrence(null)
                .setSummary(first.getRootCause() + " on " + members.size() + " of " + activeHosts + " hosts of " + fleet)
                .setCauses(Map.of(first.getRootCause().name(), members.size()))
                .build();
    }
}
