package io.handoff.classify;

import io.handoff.avro.CallCategory;
import io.handoff.avro.FpmEventKind;
import io.handoff.avro.FpmLogFields;
import io.handoff.avro.FpmSlowFields;
import io.handoff.avro.KernelEventKind;
import io.handoff.avro.KernelFields;
import io.handoff.avro.LogEvent;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.avro.WarningKind;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The classifier on evidence sets built field by field (no parser involved). */
class ClassifierTest {
    static final long T0 = Instant.parse("2026-11-21T00:00:00Z").toEpochMilli();

    static LogEvent ev(SourceKind k, long offsetMs, SpecificRecord fields) {
        return LogEvent.newBuilder().setHost("h").setSource(k).setTimestamp(Instant.ofEpochMilli(T0 + offsetMs))
                .setOriginal("line").setParsed(fields).build();
    }

    static LogEvent access(long at, int status) {
        return ev(SourceKind.NGINX_ACCESS, at, NginxAccessFields.newBuilder().setStatus(status).setRequest("GET / HTTP/1.1").setUri("/").build());
    }

    static LogEvent nginx(long at, Integer errno, String message) {
        return ev(SourceKind.NGINX_ERROR, at, NginxErrorFields.newBuilder().setLevel("error").setPid(1).setTid(1)
                .setErrno(errno).setMessage(message).setUpstreamAddress("unix:/run/php/php8.2-fpm.sock").build());
    }

    static LogEvent fpm(long at, FpmEventKind kind, Integer child, Integer signal) {
        return ev(SourceKind.PHP_FPM, at, FpmLogFields.newBuilder().setLevel("WARNING").setMessage("m").setKind(kind)
                .setChildPid(child).setSignal(signal).build());
    }

    static LogEvent slow(long at, CallCategory c, String plugin) {
        return ev(SourceKind.PHP_FPM_SLOW, at, FpmSlowFields.newBuilder().setPool("www").setPid(7).setCategory(c)
                .setPlugin(plugin).setScriptFilename("/var/www/index.php").build());
    }

    static LogEvent oom(long at, int pid, String process) {
        return ev(SourceKind.KERN, at, KernelFields.newBuilder().setKind(KernelEventKind.OOM_KILLED).setMessage("m")
                .setPid(pid).setProcess(process).build());
    }

    static Findings of(LogEvent... events) {
        Findings f = new Findings();
        Arrays.stream(events).forEach(f::add);
        return f;
    }

    static final String EAGAIN = "connect() to unix:/run/php/php8.2-fpm.sock failed (11: Resource temporarily unavailable) while connecting to upstream";
    static final String RESET = "recv() failed (104: Connection reset by peer) while reading response header from upstream";
    static final String TIMEOUT = "upstream timed out (110: Connection timed out) while reading response header from upstream";

    @Test
    void eagainAfterAReloadIsABacklogOverflowBecauseOfTheReload() {
        var c = Classifier.classify(of(fpm(0, FpmEventKind.RELOADING, null, null), nginx(500, 11, EAGAIN), access(500, 502)));
        assertEquals(RootCause.LISTEN_BACKLOG_OVERFLOW, c.rootCause());
        assertEquals(List.of(RootCause.FPM_RELOAD_INTERRUPTION), c.contributing());
        assertEquals(0.9, c.confidence(), 1e-9); // FPM log, error log and access log agree: the full weight
    }

    @Test
    void slowHttpStacksWithAFullPoolAreASlowCallNotABacklogOverflow() {
        var c = Classifier.classify(of(slow(0, CallCategory.HTTP, "crm-sync"), slow(10, CallCategory.HTTP, "crm-sync"),
                fpm(20, FpmEventKind.MAX_CHILDREN_REACHED, null, null), nginx(500, 11, EAGAIN), access(500, 502)));
        assertEquals(RootCause.SLOW_EXTERNAL_CALL, c.rootCause());
        assertEquals(List.of(RootCause.LISTEN_BACKLOG_OVERFLOW, RootCause.WORKER_POOL_EXHAUSTED), c.contributing());
        assertEquals("crm-sync", c.culprit().getPlugin());
        assertEquals("/var/www/index.php", c.culprit().getScript());
    }

    @Test
    void eagainWithAFullPoolAndNoReloadIsPoolExhaustion() {
        var c = Classifier.classify(of(fpm(0, FpmEventKind.MAX_CHILDREN_REACHED, null, null), nginx(500, 11, EAGAIN)));
        assertEquals(RootCause.WORKER_POOL_EXHAUSTED, c.rootCause());
        assertEquals(List.of(RootCause.LISTEN_BACKLOG_OVERFLOW), c.contributing());
    }

    @Test
    void resetsInTheSecondsOfAReloadWithoutEagainAreAReloadInterruption() {
        assertEquals(RootCause.FPM_RELOAD_INTERRUPTION, Classifier.classify(of(
                fpm(0, FpmEventKind.RELOADING, null, null), nginx(1_500, 104, RESET), access(1_500, 502))).rootCause());
        // the same reset ten seconds later is not explained by the reload
        assertEquals(RootCause.UNKNOWN, Classifier.classify(of(
                fpm(0, FpmEventKind.RELOADING, null, null), nginx(10_000, 104, RESET), access(10_000, 502))).rootCause());
    }

    @Test
    void oomKillLinkedByPidWinsOverCrash() {
        var c = Classifier.classify(of(oom(0, 4242, "php-fpm8.2"), fpm(10, FpmEventKind.CHILD_EXITED_ON_SIGNAL, 4242, 9),
                nginx(20, 104, RESET), access(20, 502)));
        assertEquals(RootCause.OOM_KILL, c.rootCause());
        assertEquals(4242, c.culprit().getPid());
        // the kernel named a truncated comm, but the pid links it to FPM's SIGKILLed child
        assertEquals(RootCause.OOM_KILL, Classifier.classify(of(oom(0, 4242, "pool www"),
                fpm(10, FpmEventKind.CHILD_EXITED_ON_SIGNAL, 4242, 9), nginx(20, 104, RESET))).rootCause());
        // a SIGKILL no OOM line explains is a crash
        assertEquals(RootCause.WORKER_CRASH, Classifier.classify(of(
                fpm(10, FpmEventKind.CHILD_EXITED_ON_SIGNAL, 4242, 9), nginx(20, 104, RESET))).rootCause());
    }

    @Test
    void slowDatabaseAndPoolExhaustionSplitOnTheStacks() {
        assertEquals(RootCause.SLOW_DATABASE, Classifier.classify(of(slow(0, CallCategory.DATABASE, null),
                fpm(5, FpmEventKind.MAX_CHILDREN_REACHED, null, null), nginx(60_000, 110, TIMEOUT), access(60_000, 504))).rootCause());
        assertEquals(RootCause.WORKER_POOL_EXHAUSTED, Classifier.classify(of(
                fpm(5, FpmEventKind.MAX_CHILDREN_REACHED, null, null), nginx(60_000, 110, TIMEOUT), access(60_000, 504))).rootCause());
    }

    @Test
    void aFiveHundredIsNoGatewayErrorAndFastcgiStderrQuotingAnErrnoIsNoUpstreamFailure() {
        assertEquals(0, Lines.gatewayStatus(access(0, 500)));
        LogEvent stderr = nginx(0, 111, "FastCGI sent in stderr: \"PHP message: SQLSTATE[HY000] [2002] Connection refused (111: Connection refused)\" while reading response header from upstream");
        assertEquals(Lines.Upstream.NONE, Lines.upstream((NginxErrorFields) stderr.getParsed()));
        assertTrue(!Lines.isGatewayError(stderr));
    }

    @Test
    void onlyGatewayErrorsIsUnknownWithLowConfidence() {
        var c = Classifier.classify(of(access(0, 502), access(1, 502)));
        assertEquals(RootCause.UNKNOWN, c.rootCause());
        assertEquals(List.of(), c.contributing());
        assertEquals(0.3, c.confidence(), 1e-9);
        assertEquals("/", c.culprit().getScript());
    }

    @Test
    void warningsNeedEnoughEvidence() {
        assertNull(Classifier.warningKind(of(slow(0, CallCategory.HTTP, null), slow(1, CallCategory.HTTP, null))));
        Findings storm = of(slow(0, CallCategory.DATABASE, null), slow(1, CallCategory.DATABASE, null), slow(2, CallCategory.DATABASE, null));
        assertEquals(WarningKind.SLOWLOG_STORM, Classifier.warningKind(storm));
        assertEquals(RootCause.SLOW_DATABASE, Classifier.likelyCause(WarningKind.SLOWLOG_STORM, storm));
        assertEquals(WarningKind.OOM_KILL, Classifier.warningKind(of(oom(0, 9, "php-fpm8.2"))));
    }

    @Test
    void everyLabelHasOneTaxonomyRowWithSignatureAndRemedy() {
        for (RootCause r : RootCause.values()) {
            Taxonomy row = Taxonomy.of(r);
            assertTrue(row.signature().length() > 20 && row.remediation().length() > 40, r.name());
        }
        assertEquals(RootCause.values().length, Taxonomy.values().length);
    }
}
