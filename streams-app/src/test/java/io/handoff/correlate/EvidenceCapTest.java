package io.handoff.correlate;

import io.handoff.avro.FpmEventKind;
import io.handoff.avro.FpmLogFields;
import io.handoff.avro.LogEvent;
import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.SourceKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A full evidence list gives up repeats of its most common kind, never the first, the last or a lone explaining line. */
class EvidenceCapTest {

    private static LogEvent eagain(int second) {
        return LogEvent.newBuilder().setHost("h").setSource(SourceKind.NGINX_ERROR).setTimestamp(Instant.ofEpochSecond(second))
                .setOriginal("eagain " + second).setParsed(NginxErrorFields.newBuilder().setLevel("error").setPid(1).setTid(1)
                        .setMessage("connect() failed (11: Resource temporarily unavailable)").setErrno(11).setOperation("connect()")
                        .build()).build();
    }

    private static LogEvent reload(int second) {
        return LogEvent.newBuilder().setHost("h").setSource(SourceKind.PHP_FPM).setTimestamp(Instant.ofEpochSecond(second))
                .setOriginal("reload " + second).setParsed(FpmLogFields.newBuilder().setLevel("NOTICE")
                        .setMessage("Reloading in progress ...").setKind(FpmEventKind.RELOADING).build()).build();
    }

    @Test
    void repeatsOfTheCommonestKindGoFirstAndTheEndsStay() {
        List<LogEvent> list = new ArrayList<>();
        for (int s = 0; s < 30; s++) {
            list.add(eagain(s));
            if (s == 15) {
                list.add(reload(15));
                list.add(reload(15));
            }
        }
        Events.capMiddle(list, 10);
        List<String> kept = list.stream().map(LogEvent::getOriginal).toList();
        assertEquals(10, kept.size());
        assertEquals("eagain 0", kept.get(0));
        assertEquals("eagain 29", kept.get(9));
        assertEquals(2, kept.stream().filter(o -> o.startsWith("reload")).count(), kept::toString);
    }

    @Test
    void whenNothingRepeatsTheMiddleGoes() {
        List<LogEvent> list = new ArrayList<>(List.of(eagain(0), reload(1), eagain(2)));
        Events.capMiddle(list, 2);
        assertEquals(List.of("eagain 0", "eagain 2"), list.stream().map(LogEvent::getOriginal).toList());
    }
}
