package io.handoff.raw;

import io.handoff.avro.SourceKind;

import java.util.function.Consumer;

/**
 * Joins the physical lines of one log file into entries, the way the log's writer meant them:
 * a slowlog entry (header, {@code script_filename}, frames), an nginx {@code FastCGI sent in stderr}
 * message that spans lines, PHP-FPM output wrapped onto several lines. Entries of single-line
 * sources pass through one line each.
 *
 * <p>Used by the shipper ({@code handoff ship}, {@code handoff replay}) and by {@code handoff parse}.
 * A joiner is stateful and belongs to one file; it is not thread-safe.
 */
public interface MultilineJoiner {

    /**
     * One entry.
     *
     * @param text   the entry's lines joined with {@code \n}, without the final newline
     * @param offset byte offset of the entry's first line in the file
     * @param lines  how many physical lines it spans
     */
    record Entry(String text, long offset, int lines) {}

    /**
     * Takes the next physical line (without its line terminator) starting at byte {@code offset}, and
     * hands every entry this line completes to {@code out}.
     */
    void accept(String line, long offset, Consumer<Entry> out);

    /** Hands over the entry still being assembled, if any (end of file, or a multi-line timeout). */
    void flush(Consumer<Entry> out);

    /** Whether an entry is being assembled (so a tailing shipper knows to arm its flush timeout). */
    boolean pending();

    /** The joiner for a source's files. */
    static MultilineJoiner forKind(SourceKind kind) {
        return MultilineJoiners.forKind(kind);
    }
}
