package io.handoff.replay;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The replay's progress line: the share done, the correlator's recent rate, the time left. */
class ReplayProgressTest {
    private static final long S = 1_000_000_000L;

    private static ReplayProgress.Snapshot at(long second, long bytesRead, long shipped, boolean done, long raw, long parsed,
                                              long correlated) {
        return new ReplayProgress.Snapshot(second * S, 1_000_000, bytesRead, shipped, done, 2, 4, raw, parsed, correlated, 3);
    }

    @Test
    void whileShippingTheWholeIsEstimatedFromTheBytesReadAndTheShareOfEntriesThatBecameEvents() {
        // a quarter of the bytes read gave 250,000 entries; 1 in 100 raw records did not parse
        ReplayProgress.Snapshot s = at(10, 250_000, 250_000, false, 200_000, 198_000, 100_000);
        assertEquals(990_000, ReplayProgress.expectedEvents(s));
        // shipped: the entries are known
        assertEquals(297_000, ReplayProgress.expectedEvents(at(10, 1_000_000, 300_000, true, 300_000, 297_000, 100_000)));
        // nothing shipped yet: no estimate
        assertEquals(0, ReplayProgress.expectedEvents(at(1, 0, 0, false, 0, 0, 0)));
    }

    @Test
    void theRateIsTheCorrelatorsOverTheRecentWindowAndTheEtaFollowsFromIt() {
        ReplayProgress p = new ReplayProgress();
        assertEquals("handoff: starting — correlated 0 lines (shipped 0%, batch 2 of 4), 0 lines/s, ETA unknown yet;"
                + " 3 incidents so far", p.line(at(0, 0, 0, false, 0, 0, 0)));
        // a slow start (JIT, rebalance) falls out of the window
        p.line(at(5, 100_000, 100_000, false, 50_000, 50_000, 1_000));
        p.line(at(30, 500_000, 500_000, false, 300_000, 300_000, 201_000));
        String line = p.line(at(40, 1_000_000, 1_000_000, true, 600_000, 600_000, 301_000));
        // window 20 s: from t=30 (201,000) to t=40 (301,000) = 10,000 lines/s; 699,000 left = 69.9 s
        assertEquals("handoff: 30% — correlated 301,000 of 1,000,000 lines, 10,000 lines/s, ETA 1m 10s;"
                + " 3 incidents so far", line);
    }

    @Test
    void noEstimateFromAHandfulOfLines() {
        ReplayProgress p = new ReplayProgress();
        p.line(at(0, 500_000, 500_000, false, 0, 0, 0));
        assertEquals("handoff: 0% — correlated 2 of ~1,000,000 lines (shipped 50%, batch 2 of 4), 0 lines/s, ETA unknown yet;"
                + " 3 incidents so far", p.line(at(6, 500_000, 500_000, false, 10, 10, 2)));
    }

    @Test
    void durationsReadLikeAClock() {
        assertEquals("0s", ReplayProgress.duration(0.2));
        assertEquals("59s", ReplayProgress.duration(59.4));
        assertEquals("1m 00s", ReplayProgress.duration(59.6));
        assertEquals("1h 01m", ReplayProgress.duration(3661));
    }
}
