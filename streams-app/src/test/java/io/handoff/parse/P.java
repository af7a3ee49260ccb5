package io.handoff.parse;

import io.handoff.avro.SourceKind;
import org.apache.avro.specific.SpecificRecord;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

/** Test helpers: parse and unwrap, with the reason in the failure message. */
final class P {
    private P() {}

    static ParseOutcome.Parsed parsed(SourceKind kind, String format, String line, ParseContext ctx) {
        ParseOutcome o = Parsers.forKind(kind, format).parse(line, ctx);
        if (o instanceof ParseOutcome.Failed) {
            fail("expected to parse, got: " + ((ParseOutcome.Failed) o).reason() + "\n  line: " + line);
        }
        return (ParseOutcome.Parsed) o;
    }

    @SuppressWarnings("unchecked")
    static <T extends SpecificRecord> T fields(SourceKind kind, String format, String line, ParseContext ctx, Class<T> type) {
        return assertInstanceOf(type, parsed(kind, format, line, ctx).fields());
    }

    static String failed(SourceKind kind, String format, String line, ParseContext ctx) {
        ParseOutcome o = Parsers.forKind(kind, format).parse(line, ctx);
        if (o instanceof ParseOutcome.Parsed) {
            fail("expected a dead letter, got " + ((ParseOutcome.Parsed) o).fields() + "\n  line: " + line);
        }
        String reason = ((ParseOutcome.Failed) o).reason();
        assertFalse(reason == null || reason.isBlank(), "reason");
        return reason;
    }

    static void time(String iso, ParseOutcome.Parsed p) {
        assertEquals(Instant.parse(iso), Instant.ofEpochMilli(p.timestampMillis()), "event time");
    }
}
