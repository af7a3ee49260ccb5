package io.handoff.raw;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipper's {@code @timestamp} is read by a direct path for the UTC shape shippers write and by
 * {@link Instant#parse} otherwise: whatever the path, the result is exactly what {@code Instant.parse} gives
 * (null where it throws).
 */
class EnvelopeTimestampTest {

    /** What {@link Envelope#decode} must give: {@code Instant.parse}, or null where it throws. */
    private static Instant reference(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant decoded(String stamp) {
        String json = "{\"@timestamp\":\"" + stamp + "\",\"message\":\"GET / 200\",\"host\":{\"name\":\"web-01\"}}";
        Envelope.Decoded d = Envelope.decode(null, json.getBytes(StandardCharsets.UTF_8));
        assertTrue(d.ok(), () -> "a bad @timestamp is not a bad event: " + d.error());
        return d.envelope().shippedAt();
    }

    @Test
    void theStampsShippersWriteReadAsInstantParseReadsThem() {
        // handoff's shipper (Instant.toString), Filebeat's expected outputs (millisecond, with an offset), Vector (µs)
        List<String> stamps = List.of("2026-11-21T00:00:04.120Z", "2026-11-21T00:00:04Z", "2026-11-21T00:00:04.100200300Z",
                "2016-12-07T10:05:07.000Z", "2019-11-05T14:50:44.000-02:00", "2020-04-28T11:07:58.223Z",
                "2026-12-01T20:04:07.123456Z", "2024-02-29T23:59:59.999999999Z", "0000-01-01T00:00:00Z",
                "1969-12-31T23:59:59.5Z", "9999-12-31T23:59:59Z");
        for (String s : stamps) {
            Instant want = Instant.parse(s);
            assertEquals(want, decoded(s), s);
            assertEquals(want, Envelope.instant(s), s);
        }
    }

    @Test
    void whatInstantParseRefusesIsNullAndWhatItBendsItBendsTheSame() {
        List<String> stamps = List.of("2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
                "2026-00-10T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T23:60:00Z", "2026-11-21T23:59:60Z",
                "2026-11-21T00:00:04.Z", "2026-11-21T00:00:04.1234567890Z", "2026-11-21t00:00:04z",
                "2026-11-21T00:00:04", "2026-11-21 00:00:04Z", "+12026-11-21T00:00:04Z", "2026-1-21T00:00:04Z",
                "2026-11-21T00:00:04+02:00", "2026-11-21T00:00:04.5+00:00", "2026-11-2１T00:00:04Z", "", "yesterday",
                "2026-11-21T0a:00:04Z", "2026-11-21T00:00:04.12a4Z");
        for (String s : stamps) {
            assertEquals(reference(s), decoded(s), s);
            assertEquals(reference(s), Envelope.instant(s), s);
        }
        assertNull(decoded("2026-02-29T00:00:00Z"), "no 29 February in 2026");
    }

    @Test
    void randomInstantsAndTheirOneCharacterMutationsAgreeWithInstantParse() {
        Random r = new Random(11);
        List<String> stamps = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextLong(-62_167_219_200L, 253_402_300_800L), r.nextInt(1_000_000_000));
            String s = t.toString(); // 0, 3, 6 or 9 digits of fraction
            if (r.nextBoolean()) {
                int dot = s.indexOf('.');
                if (dot > 0) {
                    s = s.substring(0, Math.max(dot + 2, s.length() - 1 - r.nextInt(s.length() - dot - 1))) + "Z";
                }
            }
            stamps.add(s);
            char[] c = s.toCharArray();
            c[r.nextInt(c.length)] = "0123456789:-.TZz+ x".charAt(r.nextInt(19));
            stamps.add(new String(c));
        }
        int fast = 0;
        for (String s : stamps) {
            Instant want = reference(s);
            assertEquals(want, Envelope.instant(s), s);
            if (want != null) {
                fast++;
            }
        }
        assertTrue(fast > 20_000, "most stamps are valid: " + fast);
    }
}
