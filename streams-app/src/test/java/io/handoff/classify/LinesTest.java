package io.handoff.classify;

import io.handoff.avro.LogEvent;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.SourceKind;
import io.handoff.avro.WarningKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What single real lines of the captures mean for the correlator: gateway error, evidence, kind, warning. */
class LinesTest {

    static LogEvent first(String host, Predicate<LogEvent> p) {
        return Captures.lines(host).stream().filter(p).findFirst().orElseThrow();
    }

    static Predicate<LogEvent> text(String s) {
        return e -> e.getOriginal().contains(s);
    }

    @Test
    void theSiteCallingItselfIsLoopbackWithoutABrowser() {
        // web-05: WordPress' HTTP API to its own address
        List<NginxAccessFields> self = Captures.lines("web-05").stream()
                .filter(e -> e.getParsed() instanceof NginxAccessFields a && Lines.isSelfRequest(a))
                .map(e -> (NginxAccessFields) e.getParsed()).toList();
        assertTrue(self.size() >= 10, "web-05's loopback requests: " + self.size());
        assertTrue(self.stream().allMatch(a -> a.getHttpUserAgent().startsWith("WordPress/")));
        // the load generator's browsers (127.0.1.x) on every other capture are not the site
        for (String host : List.of("web-01", "web-04", "web-12")) {
            assertEquals(0, Captures.lines(host).stream()
                    .filter(e -> e.getParsed() instanceof NginxAccessFields a && Lines.isSelfRequest(a)).count(), host);
        }
    }

    @Test
    void kindsTellTheReloadFromItsReExecution() {
        LogEvent reload = first("web-12", text("Reloading in progress"));
        LogEvent exec = first("web-12", text("reloading: execvp"));
        assertEquals("fpm:RELOADING:signal", Lines.kindKey(reload));
        assertEquals("fpm:RELOADING:exec", Lines.kindKey(exec));
        assertEquals(Sign.FPM_RELOAD, Burst.signOf(reload));
        assertNull(Burst.signOf(exec));
        assertTrue(Lines.isEvidence(exec) && Lines.isEvidence(first("web-12", text("ready to handle connections"))));
    }

    @Test
    void linesFeedTheWarningsTheTableNames() {
        Map<String, WarningKind> byLine = new TreeMap<>();
        for (String host : List.of("web-06", "web-07", "web-08", "web-15")) {
            for (LogEvent e : Captures.lines(host)) {
                WarningKind k = Lines.warningKind(e);
                if (k != null) byLine.merge(e.getSource() + " " + k, k, (a, b) -> a);
            }
        }
        assertEquals(Map.of(
                "KERN OOM_KILL", WarningKind.OOM_KILL,
                "KERN WORKER_CRASH", WarningKind.WORKER_CRASH,
                "PHP_FPM WORKER_CRASH", WarningKind.WORKER_CRASH,
                "PHP_FPM REQUEST_TERMINATED", WarningKind.REQUEST_TERMINATED,
                "PHP_FPM POOL_SATURATED", WarningKind.POOL_SATURATED,
                "PHP_FPM SLOWLOG_STORM", WarningKind.SLOWLOG_STORM,
                "PHP_FPM_SLOW SLOWLOG_STORM", WarningKind.SLOWLOG_STORM), byLine);
        // an FPM access line of a long request opens no warning: its CPU% is only a hint
        LogEvent waiting = first("web-04", e -> e.getSource() == SourceKind.PHP_FPM_ACCESS && e.getOriginal().contains("8023.932 ms"));
        assertEquals(Sign.SLOW_REQUEST, Burst.signOf(waiting));
        assertNull(Lines.warningKind(waiting));
    }

    @Test
    void aPhpFatalIsNoGatewayErrorAndItsStderrQuotingIsNoUpstreamFailure() {
        for (LogEvent e : Captures.lines("web-14")) {
            assertFalse(Lines.isGatewayError(e), e.getOriginal());
        }
        LogEvent stderr = first("web-14", text("FastCGI sent in stderr"));
        assertNull(Burst.signOf(stderr));
    }
}
