package io.handoff.parse;

import io.handoff.avro.SourceKind;
import io.handoff.parse.ParseOutcome.Failed;
import io.handoff.parse.ParseOutcome.Parsed;
import io.handoff.raw.MultilineJoiner;
import io.handoff.topics.Sources;
import org.apache.avro.generic.IndexedRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * What {@code handoff parse} does with its input, one run over any number of files: joins each file's multi-line
 * entries, parses them with one parser and prints one JSON object per event on {@code out} ({@code original},
 * {@code timestamp} in ISO-8601 UTC, {@code source}, then the source's fields under their Avro names). Each dead
 * letter is reported on {@code err} with its file and line; {@link #summary} counts events and dead letters by
 * reason.
 */
public final class ParseRun {
    /** Reasons are grouped without their per-line specifics (column, found text, numbers). */
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private final SourceKind kind;
    private final String sourceName;
    private final LineParser parser;
    private final ParseContext ctx;
    private final PrintStream out;
    private final PrintStream err;
    private final StringBuilder buf = new StringBuilder(1 << 16);
    private final Map<String, Long> reasons = new TreeMap<>();
    private long events;
    private long dead;

    public ParseRun(SourceKind kind, LineParser parser, ParseContext ctx, PrintStream out, PrintStream err) {
        this.kind = kind;
        this.sourceName = Sources.name(kind);
        this.parser = parser;
        this.ctx = ctx;
        this.out = out;
        this.err = err;
    }

    /** Joins, parses and prints the entries of one file ({@code name} for the messages). */
    public void file(String name, InputStream in) throws IOException {
        MultilineJoiner joiner = MultilineJoiner.forKind(kind);
        LineNumbers numbers = new LineNumbers();
        LineReader reader = new LineReader(in);
        Consumer<MultilineJoiner.Entry> sink = e -> entry(name, numbers.lineOf(e.offset()), e);
        String line;
        long lineNo = 0;
        while ((line = reader.next()) != null) {
            lineNo++;
            numbers.add(reader.lineOffset(), lineNo);
            joiner.accept(line, reader.lineOffset(), sink);
        }
        joiner.flush(sink);
        drain();
    }

    private void entry(String file, long lineNo, MultilineJoiner.Entry e) {
        ParseOutcome o = parser.parse(e.text(), ctx);
        if (o instanceof Parsed) {
            Parsed p = (Parsed) o;
            events++;
            Json.event(buf, e.text(), p.timestampMillis(), sourceName, (IndexedRecord) p.fields());
            buf.append('\n');
            if (buf.length() > (1 << 16)) {
                drain();
            }
        } else {
            String reason = ((Failed) o).reason();
            dead++;
            reasons.merge(reasonGroup(reason), 1L, Long::sum);
            drain();
            err.println(file + ":" + lineNo + ": " + reason);
        }
    }

    private void drain() {
        if (buf.length() > 0) {
            out.append(buf);
            buf.setLength(0);
        }
    }

    /** Prints what is left and, on the error stream, the counts of events and dead letters by reason. */
    public void summary() {
        drain();
        out.flush();
        err.println("handoff parse: " + events + " events, " + dead + " dead letters (" + sourceName + ")");
        for (Map.Entry<String, Long> r : reasons.entrySet()) {
            err.println("  " + r.getValue() + "  " + r.getKey());
        }
    }

    /** Group of a reason: its text without column, found text and numbers. */
    public static String reasonGroup(String reason) {
        String r = reason;
        int cut = r.length();
        for (String marker : new String[] {" at column ", " (found ", " at line ", ": line "}) {
            int i = r.indexOf(marker);
            if (i > 0 && i < cut) {
                cut = i;
            }
        }
        return DIGITS.matcher(r.substring(0, cut)).replaceAll("N");
    }

    /** Line numbers of the offsets handed to the joiner, until the entry that starts there comes out. */
    private static final class LineNumbers {
        private long[] offsets = new long[64];
        private long[] lines = new long[64];
        private int head;
        private int tail;

        void add(long offset, long line) {
            if (tail == offsets.length) {
                if (head > 0) {
                    System.arraycopy(offsets, head, offsets, 0, tail - head);
                    System.arraycopy(lines, head, lines, 0, tail - head);
                    tail -= head;
                    head = 0;
                } else {
                    offsets = Arrays.copyOf(offsets, offsets.length * 2);
                    lines = Arrays.copyOf(lines, lines.length * 2);
                }
            }
            if (tail == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
                lines = Arrays.copyOf(lines, lines.length * 2);
            }
            offsets[tail] = offset;
            lines[tail++] = line;
        }

        long lineOf(long offset) {
            while (head < tail && offsets[head] < offset) {
                head++;
            }
            return head < tail && offsets[head] == offset ? lines[head] : -1;
        }
    }

    /**
     * Lines of a byte stream, split at {@code \n} (a preceding {@code \r} is dropped), decoded as UTF-8
     * with invalid bytes replaced, with the byte offset of each line.
     */
    static final class LineReader {
        private final InputStream in;
        private byte[] buf = new byte[1 << 16];
        private int start;
        private int end;
        private long bufOffset;
        private long lineOffset;
        private boolean eof;

        LineReader(InputStream in) {
            this.in = in;
        }

        long lineOffset() {
            return lineOffset;
        }

        String next() throws IOException {
            int scan = start;
            while (true) {
                for (int i = scan; i < end; i++) {
                    if (buf[i] == '\n') {
                        int len = i - start;
                        if (len > 0 && buf[i - 1] == '\r') {
                            len--;
                        }
                        String line = new String(buf, start, len, StandardCharsets.UTF_8);
                        lineOffset = bufOffset + start;
                        start = i + 1;
                        return line;
                    }
                }
                scan = end;
                if (eof) {
                    if (start < end) {
                        String line = new String(buf, start, end - start, StandardCharsets.UTF_8);
                        lineOffset = bufOffset + start;
                        start = end;
                        return line;
                    }
                    return null;
                }
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    bufOffset += start;
                    end -= start;
                    scan -= start;
                    start = 0;
                } else if (end == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                int r = in.read(buf, end, buf.length - end);
                if (r < 0) {
                    eof = true;
                } else {
                    end += r;
                }
            }
        }
    }
}
