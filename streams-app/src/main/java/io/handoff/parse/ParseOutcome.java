package io.handoff.parse;

import org.apache.avro.specific.SpecificRecord;

/**
 * What a {@link LineParser} returns: either {@link Parsed} or {@link Failed}, never null.
 */
public sealed interface ParseOutcome {

    /**
     * @param timestampMillis event time, epoch milliseconds UTC
     * @param fields          the source's record ({@code NginxAccessFields}, {@code NginxErrorFields}, …)
     */
    record Parsed(long timestampMillis, SpecificRecord fields) implements ParseOutcome {}

    /**
     * @param reason what was expected where and what arrived, e.g.
     *               "nginx error line: no '[level]' after the timestamp at column 20"
     */
    record Failed(String reason) implements ParseOutcome {}
}
