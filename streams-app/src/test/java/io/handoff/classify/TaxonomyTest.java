package io.handoff.classify;

import io.handoff.avro.RootCause;
import io.handoff.avro.WarningKind;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one table: every label has its row, every sign at most one label, and the edges read as the mechanisms do. */
class TaxonomyTest {

    @Test
    void everyLabelHasOneRowWithSignatureAndRemedy() {
        for (RootCause r : RootCause.values()) {
            Taxonomy row = Taxonomy.of(r);
            assertSame(r, row.label());
            assertTrue(row.signature().length() > 20 && row.remediation().length() > 40 && row.phrase().length() > 10, r.name());
            assertTrue(row.weight() > 0 && row.weight() <= 1, r.name());
            assertTrue(row.shownBy().containsAll(row.triggers()), r + ": a routine step must stand for its label");
            assertTrue(row.warning() == null || row.warnAt() >= 1, r.name());
        }
        assertEquals(RootCause.values().length, Taxonomy.values().length);
    }

    @Test
    void everySignStandsForOneLabelButTheResetAndTheGatewayErrors() {
        Set<Sign> unlabelled = EnumSet.noneOf(Sign.class);
        for (Sign s : Sign.values()) {
            if (Taxonomy.of(s) == null) unlabelled.add(s);
        }
        // a reset is how a crash, an OOM kill, a termination or a reload shows: it names none of them
        assertEquals(EnumSet.of(Sign.WORKER_RESET, Sign.GATEWAY_ERRORS), unlabelled);
    }

    @Test
    void theEdgesAreTheMechanisms() {
        // what can an FPM reload cause? the accept queue overflows, or requests in flight are reset
        assertEquals(EnumSet.of(Sign.LISTEN_BACKLOG_OVERFLOW, Sign.WORKER_RESET), Taxonomy.of(Sign.FPM_RELOAD).canCause());
        // slow calls of every kind fill the pool, time out at nginx, get terminated
        for (Sign slow : new Sign[] {Sign.SLOW_HTTP_CALL, Sign.SELF_REQUEST, Sign.SLOW_DB_CALL, Sign.SLOW_SLEEP_CALL, Sign.SLOW_REQUEST}) {
            assertTrue(Taxonomy.canCause(slow, Sign.POOL_SATURATED) && Taxonomy.canCause(slow, Sign.HEADER_TIMEOUT)
                    && Taxonomy.canCause(slow, Sign.REQUEST_TERMINATED), slow.name());
            assertFalse(Taxonomy.canCause(slow, Sign.WORKER_RESET), slow + " resets nothing by itself");
        }
        // a full pool overflows the queue and makes nginx time out
        assertTrue(Taxonomy.canCause(Sign.POOL_SATURATED, Sign.LISTEN_BACKLOG_OVERFLOW));
        assertTrue(Taxonomy.canCause(Sign.POOL_SATURATED, Sign.HEADER_TIMEOUT));
        // a dead worker resets its request; a stopped FPM refuses
        for (Sign death : new Sign[] {Sign.OOM_KILL, Sign.SEGFAULT, Sign.WORKER_CRASH, Sign.REQUEST_TERMINATED}) {
            assertTrue(Taxonomy.canCause(death, Sign.WORKER_RESET), death.name());
        }
        assertTrue(Taxonomy.canCause(Sign.FPM_STOPPED, Sign.UPSTREAM_REFUSED));
        // a symptom causes nothing but the gateway errors, and only symptoms cause them directly
        for (Sign s : Sign.values()) {
            for (Sign t : Sign.values()) {
                if (s.symptom() && t != Sign.GATEWAY_ERRORS) assertFalse(Taxonomy.canCause(s, t), s + " → " + t);
            }
            assertEquals(s.symptom() && s != Sign.GATEWAY_ERRORS, Taxonomy.canCause(s, Sign.GATEWAY_ERRORS), s.name());
        }
        // every cause causes something
        for (Sign s : Sign.values()) {
            if (s.symptom()) continue;
            boolean any = false;
            for (Sign t : Sign.values()) any |= Taxonomy.canCause(s, t);
            assertTrue(any, s + " causes nothing");
        }
    }

    @Test
    void theRoutineStepsAreTheReloadAndAFullPool() {
        Set<Sign> routine = EnumSet.noneOf(Sign.class);
        for (Taxonomy t : Taxonomy.values()) routine.addAll(t.triggers());
        assertEquals(EnumSet.of(Sign.FPM_RELOAD, Sign.POOL_SATURATED), routine);
    }

    @Test
    void whatASignMeansAsAnEarlyWarning() {
        assertEquals(WarningKind.OOM_KILL, Taxonomy.warningOf(Sign.OOM_KILL));
        assertEquals(WarningKind.WORKER_CRASH, Taxonomy.warningOf(Sign.SEGFAULT));
        assertEquals(WarningKind.REQUEST_TERMINATED, Taxonomy.warningOf(Sign.REQUEST_TERMINATED));
        assertEquals(WarningKind.POOL_SATURATED, Taxonomy.warningOf(Sign.POOL_SATURATED));
        assertEquals(WarningKind.SLOWLOG_STORM, Taxonomy.warningOf(Sign.SLOW_SLEEP_CALL), "a slow request of any kind feeds the storm");
        assertEquals(WarningKind.SLOWLOG_STORM, Taxonomy.warningOf(Sign.SLOW_DB_CALL));
        assertNull(Taxonomy.warningOf(Sign.FPM_RELOAD), "a reload is routine");
        assertNull(Taxonomy.warningOf(Sign.FPM_STOPPED));
        assertNull(Taxonomy.warningOf(Sign.LISTEN_BACKLOG_OVERFLOW), "a symptom is never without its gateway error");
    }
}
