package io.handoff.parse;

/**
 * Parses one entry of one log source into its typed fields. Implementations are pure, reusable and
 * thread-safe, never throw on bad input, and allocate little beyond the event they return.
 */
@FunctionalInterface
public interface LineParser {

    /**
     * @param text    one line, or one multi-line entry joined with {@code \n}
     * @param context the host's zone and boot time for zone-less or relative stamps
     * @return the event time and fields, or a reason that says what was expected where
     */
    ParseOutcome parse(String text, ParseContext context);
}
