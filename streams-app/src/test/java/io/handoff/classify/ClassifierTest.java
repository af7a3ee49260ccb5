package io.handoff.classify;

import io.handoff.avro.CausalStep;
import io.handoff.avro.LogEvent;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.avro.WarningKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static io.handoff.avro.RootCause.FPM_RELOAD_INTERRUPTION;
import static io.handoff.avro.RootCause.LISTEN_BACKLOG_OVERFLOW;
import static io.handoff.avro.RootCause.WORKER_POOL_EXHAUSTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classifier on timelines of real captures (samples/fleet: real nginx 1.22, php-fpm 8.2 and kernel
 * lines of faults made on purpose), cut into bursts as the correlator cuts them. Each capture must give
 * its label, its chain (the kinds of its steps, root first), its contributing causes and its culprit.
 * The variants drop a log or a part of one — real lines only, never written ones — to show what the
 * chain makes of a host that ships less.
 */
class ClassifierTest {

    static Diagnosis one(String host) {
        return one(Captures.bursts(host));
    }

    static Diagnosis one(List<Timeline> bursts) {
        assertEquals(1, bursts.size(), () -> "bursts: " + bursts.size());
        return Classifier.diagnose(bursts.get(0));
    }

    static List<String> kinds(Diagnosis d) {
        return d.chain().stream().map(CausalStep::getKind).toList();
    }

    /** The capture's bursts without the lines {@code drop} matches. */
    static List<Timeline> without(String host, Predicate<LogEvent> drop) {
        List<LogEvent> lines = new ArrayList<>(Captures.lines(host));
        lines.removeIf(drop);
        return Captures.bursts(host, lines);
    }

    static Predicate<LogEvent> source(SourceKind k) {
        return e -> e.getSource() == k;
    }

    static Stream<Arguments> captures() {
        return Stream.of(
                Arguments.of("web-01", RootCause.LISTEN_BACKLOG_OVERFLOW,
                        List.of("POOL_SATURATED", "LISTEN_BACKLOG_OVERFLOW", "GATEWAY_ERRORS"),
                        List.of(WORKER_POOL_EXHAUSTED, FPM_RELOAD_INTERRUPTION), null),
                Arguments.of("web-02", RootCause.FPM_UNAVAILABLE,
                        List.of("FPM_STOPPED", "UPSTREAM_REFUSED", "GATEWAY_ERRORS"), List.of(), null),
                Arguments.of("web-03", RootCause.WORKER_POOL_EXHAUSTED,
                        List.of("SLOW_SLEEP_CALL", "POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS"), List.of(), "product-importer"),
                Arguments.of("web-04", RootCause.SLOW_EXTERNAL_CALL,
                        List.of("SLOW_HTTP_CALL", "POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS"),
                        List.of(WORKER_POOL_EXHAUSTED), "shipping-rates"),
                Arguments.of("web-05", RootCause.SELF_REQUEST_DEADLOCK,
                        List.of("SELF_REQUEST", "POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS"),
                        List.of(WORKER_POOL_EXHAUSTED), "cache-preloader"),
                Arguments.of("web-06", RootCause.WORKER_CRASH, List.of("SEGFAULT", "WORKER_RESET", "GATEWAY_ERRORS"), List.of(), null),
                Arguments.of("web-07", RootCause.OOM_KILL, List.of("OOM_KILL", "WORKER_RESET", "GATEWAY_ERRORS"), List.of(), null),
                Arguments.of("web-08", RootCause.REQUEST_TERMINATED,
                        List.of("REQUEST_TERMINATED", "WORKER_RESET", "GATEWAY_ERRORS"), List.of(), "search-reindex"),
                Arguments.of("web-09", RootCause.SOCKET_PERMISSION_DENIED, List.of("SOCKET_PERMISSION_DENIED", "GATEWAY_ERRORS"), List.of(), null),
                Arguments.of("web-10", RootCause.UPSTREAM_HEADER_TOO_BIG, List.of("UPSTREAM_HEADER_TOO_BIG", "GATEWAY_ERRORS"), List.of(), null),
                Arguments.of("web-11", RootCause.UPSTREAM_MISCONFIGURED, List.of("UPSTREAM_MISCONFIGURED", "GATEWAY_ERRORS"), List.of(), null),
                Arguments.of("web-12", RootCause.FPM_RELOAD_INTERRUPTION, List.of("FPM_RELOAD", "WORKER_RESET", "GATEWAY_ERRORS"), List.of(), null),
                Arguments.of("web-13", RootCause.DISK_FULL, List.of("DISK_FULL", "GATEWAY_ERRORS"), List.of(), null));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("captures")
    void everyCaptureGivesItsLabelAndChain(String host, RootCause label, List<String> chain, List<RootCause> contributing,
                                           String plugin) {
        Diagnosis d = one(host);
        assertEquals(label, d.rootCause(), d::summary);
        assertEquals(chain, kinds(d), d::summary);
        assertEquals(contributing, d.contributing(), d::summary);
        assertEquals(plugin, d.culprit().getPlugin(), d::summary);
        assertEquals(Taxonomy.of(label).remediation(), d.remediation());
        // every step has its time, a line that shows it and a description; the steps are in time order up to the gateway errors
        for (CausalStep s : d.chain()) {
            assertNotNull(s.getEvidence(), () -> s.getKind() + " without evidence");
            assertTrue(s.getDescription().length() > 3 && s.getCount() >= 1, s::toString);
        }
        CausalStep last = d.chain().get(d.chain().size() - 1);
        assertEquals(Instant.ofEpochMilli(Captures.bursts(host).get(0).firstError()), last.getAt());
        assertTrue(d.confidence() >= 0.7 && d.confidence() <= 1.0, () -> "confidence " + d.confidence());
    }

    @Test
    void theChainReadsAsOneLine() {
        assertEquals("slow curl_exec() in plugin shipping-rates → pm.max_children (4) reached → upstream timed out (110)"
                + " waiting for the header → 16×504", Classifier.chainText(one("web-04").chain()));
        assertEquals("pm.max_children (6) reached → EAGAIN on the socket (accept queue full) → 65×502",
                Classifier.chainText(one("web-01").chain()));
        assertEquals("request_terminate_timeout killed /wp-admin/admin-ajax.php?action=search_reindex&scope=products after"
                + " 3.2 s in usleep() in plugin search-reindex → worker closed the connection (104) → 3×502",
                Classifier.chainText(one("web-08").chain()));
        assertEquals("worker 3766 segfaulted (SIGSEGV) → worker closed the connection (104) → 3×502",
                Classifier.chainText(one("web-06").chain()));
    }

    @Test
    void stepsCarryTheirLabelsCountsAndLines() {
        Diagnosis d = one("web-04");
        CausalStep root = d.chain().get(0);
        assertEquals(RootCause.SLOW_EXTERNAL_CALL, root.getRootCause());
        assertEquals(Instant.parse("2026-11-21T11:04:45Z"), root.getAt(), "the first slow call, not a later one");
        assertEquals(16, root.getCount(), "every slowlog entry of the burst");
        assertTrue(root.getEvidence().getLine().contains("curl_exec()"));
        assertEquals(RootCause.WORKER_POOL_EXHAUSTED, d.chain().get(1).getRootCause());
        assertNull(d.chain().get(3).getRootCause(), "the gateway errors stand for no label");
        assertEquals(16, d.chain().get(3).getCount());
        assertEquals("/srv/handoff/wp/index.php", d.culprit().getScript());

        Diagnosis oom = one("web-07");
        assertEquals(2, oom.chain().get(0).getCount(), "two kills, each told by the kernel and by FPM");
        assertTrue(oom.chain().get(0).getEvidence().getLine().contains("Killed process 4569"), "the kernel's kill line");
        assertEquals(4569, oom.culprit().getPid());
    }

    @Test
    void aPoolFilledByShortRequestsIsTheQueuesFaultAReloadBesideItContributes() {
        // web-01: max_children and EAGAIN in the same second, the reload two seconds later feeds the second wave
        Diagnosis d = one("web-01");
        assertEquals(LISTEN_BACKLOG_OVERFLOW, d.rootCause());
        assertEquals(RootCause.WORKER_POOL_EXHAUSTED, d.chain().get(0).getRootCause());
        assertEquals(0.9, d.confidence(), 1e-9, "three logs agree and every EAGAIN is explained");
        assertEquals("unix:/run/php/php8.2-fpm-web-01.sock", d.culprit().getUpstream());
    }

    @Test
    void withoutTheReloadTheSameOverflowIsThePoolsFault() {
        // web-01 without FPM's lines of the reload second: a spike on a full pool, EAGAIN, no reload
        Instant reload = Instant.parse("2026-11-21T11:10:27Z");
        Diagnosis d = one(without("web-01", e -> e.getSource() == SourceKind.PHP_FPM && e.getTimestamp().equals(reload)));
        assertEquals(RootCause.WORKER_POOL_EXHAUSTED, d.rootCause(), d::summary);
        assertEquals(List.of("POOL_SATURATED", "LISTEN_BACKLOG_OVERFLOW", "GATEWAY_ERRORS"), kinds(d));
        assertEquals(List.of(LISTEN_BACKLOG_OVERFLOW), d.contributing());
    }

    @Test
    void theSiteCallingItselfNeedsItsStuckInnerRequests() {
        // without the access log nothing shows whom curl_exec() called: a slow external call
        Diagnosis d = one(without("web-05", source(SourceKind.NGINX_ACCESS)));
        assertEquals(RootCause.SLOW_EXTERNAL_CALL, d.rootCause(), d::summary);
        assertEquals(List.of("SLOW_HTTP_CALL", "POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS"), kinds(d));
        // the fast cron request before the burst is no deadlock: only the stuck ones count
        Diagnosis full = one("web-05");
        assertTrue(full.chain().get(0).getDescription().endsWith("calling the site itself"), full.chain().get(0)::getDescription);
    }

    @Test
    void aCrashShippedWithoutTheKernelLogIsStillACrash() {
        Diagnosis d = one(without("web-06", source(SourceKind.KERN)));
        assertEquals(RootCause.WORKER_CRASH, d.rootCause());
        assertEquals(List.of("SEGFAULT", "WORKER_RESET", "GATEWAY_ERRORS"), kinds(d));
        assertTrue(d.chain().get(0).getEvidence().getLine().contains("exited on signal 11"));
    }

    @Test
    void aSigkillNoKernelLineExplainsIsAKilledWorker() {
        Diagnosis d = one(without("web-07", source(SourceKind.KERN)));
        assertEquals(RootCause.WORKER_CRASH, d.rootCause(), d::summary);
        assertEquals("worker 4569 killed (SIGKILL)", d.chain().get(0).getDescription());
    }

    @Test
    void withoutTheSlowlogTheWaitingRequestsAreTheHint() {
        Diagnosis d = one(without("web-04", source(SourceKind.PHP_FPM_SLOW)));
        assertEquals(RootCause.SLOW_EXTERNAL_CALL, d.rootCause(), d::summary);
        assertEquals(List.of("SLOW_REQUEST", "POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS"), kinds(d));
        assertTrue(d.chain().get(0).getDescription().startsWith("requests waiting outside PHP, no slowlog ("), d::summary);
    }

    @Test
    void withOnlyNginxsLogsTheSymptomIsTheRoot() {
        Diagnosis d = one(without("web-12", e -> e.getSource() != SourceKind.NGINX_ACCESS && e.getSource() != SourceKind.NGINX_ERROR));
        assertEquals(RootCause.UNKNOWN, d.rootCause(), "a reset nothing explains");
        assertEquals(List.of("WORKER_RESET", "GATEWAY_ERRORS"), kinds(d));
        assertEquals(0.3, d.confidence(), 1e-9);
        Diagnosis eagain = one(without("web-01", e -> e.getSource() != SourceKind.NGINX_ACCESS && e.getSource() != SourceKind.NGINX_ERROR));
        assertEquals(LISTEN_BACKLOG_OVERFLOW, eagain.rootCause());
        assertEquals(List.of("LISTEN_BACKLOG_OVERFLOW", "GATEWAY_ERRORS"), kinds(eagain));
        assertTrue(eagain.confidence() < one("web-01").confidence(), "nothing behind the overflow: a less complete chain");
    }

    @Test
    void aMasterThatDiedSilentlyIsAStoppedFpmNotAWrongAddress() {
        // web-02's first phase only: every FPM process SIGKILLed, nothing logged until the restart
        List<LogEvent> lines = new ArrayList<>(Captures.lines("web-02"));
        Instant cut = Instant.parse("2026-11-21T11:01:10Z");
        lines.removeIf(e -> e.getTimestamp().isAfter(cut));
        Diagnosis d = one(Captures.bursts("web-02", lines));
        assertEquals(RootCause.FPM_UNAVAILABLE, d.rootCause(), d::summary);
        assertEquals("PHP-FPM not running (no stop logged; started again at 11:00:57 UTC)", d.chain().get(0).getDescription());
        assertTrue(d.chain().get(0).getEvidence().getLine().contains("ready to handle connections"));
    }

    @Test
    void theVerdictDependsOnTheLinesNotOnTheOrderTheyArrivedIn() {
        Random random = new Random(7);
        for (Arguments a : captures().toList()) {
            String host = (String) a.get()[0];
            Timeline t = Captures.bursts(host).get(0);
            Diagnosis expected = Classifier.diagnose(t);
            for (int round = 0; round < 3; round++) {
                List<LogEvent> shuffled = new ArrayList<>(t.events());
                Collections.shuffle(shuffled, random);
                Diagnosis d = Classifier.diagnose(new Timeline(t.host(), t.fleet(), t.firstError(), t.lastError(), shuffled,
                        t.kindCounts(), t.statusCounts(), t.errnoCounts(), t.totalRequests(), t.sourceClocks()));
                assertEquals(expected, d, host);
            }
        }
    }

    @Test
    void aPoolSaturatedBySleepsWithoutGatewayErrorsIsAnEarlyWarning() {
        Classifier.WarningVerdict w = Classifier.warning(Captures.warning("web-15"));
        assertNotNull(w);
        assertEquals(WarningKind.POOL_SATURATED, w.kind());
        assertEquals(RootCause.WORKER_POOL_EXHAUSTED, w.likelyCause());
        assertEquals("product-importer", w.culprit().getPlugin());
        assertTrue(w.summary().contains("sleep() in plugin product-importer → pm.max_children (3) reached"), w.summary());
        // the slowlog alone (FPM's log not shipped) is a slowlog storm of the same likely cause
        List<LogEvent> slow = Captures.lines("web-15").stream().filter(source(SourceKind.PHP_FPM_SLOW)).toList();
        Timeline storm = Captures.timeline("web-15", slow.get(0).getTimestamp().toEpochMilli(),
                slow.get(slow.size() - 1).getTimestamp().toEpochMilli(), slow);
        Classifier.WarningVerdict s = Classifier.warning(storm);
        assertEquals(WarningKind.SLOWLOG_STORM, s.kind());
        assertEquals(RootCause.WORKER_POOL_EXHAUSTED, s.likelyCause());
        // two slow requests are no storm
        assertNull(Classifier.warning(Captures.timeline("web-15", slow.get(0).getTimestamp().toEpochMilli(),
                slow.get(1).getTimestamp().toEpochMilli(), slow.subList(0, 2))));
    }

    @Test
    void aHealthyHostWithALogReopenAndAPhpFatalHasNoBurstAndNoWarning() {
        assertEquals(List.of(), Captures.bursts("web-14"));
        assertEquals(List.of(), Captures.lines("web-14").stream().filter(e -> Lines.warningKind(e) != null).toList());
    }
}
