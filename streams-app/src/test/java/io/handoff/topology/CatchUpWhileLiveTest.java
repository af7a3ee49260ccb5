package io.handoff.topology;

import io.handoff.avro.Incident;
import io.handoff.common.CloseGate;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static io.handoff.topology.LiveVersusReplayTest.CATCH_UP;
import static io.handoff.topology.LiveVersusReplayTest.Written;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A backlog that reaches {@code handoff run} between two looks of its input-progress monitor: the monitor
 * still says the partition is caught up, but the host's lines were written long before now (the fault
 * suite's registry outage ships yesterday's web-03 at once). Its logs arrive skewed — here the error log
 * two minutes behind the access log — and the incident must not close on the host's newest log while
 * another log is still delivering the burst: every line joins it, none is dead-lettered as late, and the
 * incident is the replay's, field for field. Real lines of samples/fleet/web-03.
 */
class CatchUpWhileLiveTest {
    @Test
    void aBacklogOfOldLinesWhileTheMonitorSaysCaughtUpGivesTheReplaysIncidentAndNoLateLine() throws Exception {
        assumeTrue(Files.isDirectory(LiveVersusReplayTest.FLEET.resolve("web-03")), "samples/fleet not found");
        List<Written> lines = LiveVersusReplayTest.fleet().stream().filter(w -> w.host().equals("web-03")).toList();
        assertTrue(lines.size() > 600, "web-03's entries: " + lines.size());

        LiveVersusReplayTest.Outcome replay = LiveVersusReplayTest.run(LiveVersusReplayTest.replayOrder(lines), CloseGate.always());
        assertEquals(1, replay.incidents().size(), "web-03 replayed: " + replay.incidents().keySet());
        assertEquals(0, replay.deadLetters());

        // the monitor's last look found the partition caught up: live as far as input progress can tell
        LiveVersusReplayTest.Outcome caughtUp = LiveVersusReplayTest.run(
                LiveVersusReplayTest.shippedOrder(lines, CATCH_UP), CloseGate.live(partition -> true));
        assertEquals(0, caughtUp.deadLetters(), "no line of a catch-up is dead-lettered");
        assertEquals(replay.incidents().keySet(), caughtUp.incidents().keySet());
        for (String id : replay.incidents().keySet()) {
            Incident r = replay.incidents().get(id);
            Incident c = caughtUp.incidents().get(id);
            assertEquals(r, c, () -> id + " caught up: " + LiveVersusReplayTest.diff(r, c));
        }
        assertEquals(replay.warnings(), caughtUp.warnings());
    }
}
