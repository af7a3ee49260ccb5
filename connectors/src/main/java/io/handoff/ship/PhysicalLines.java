package io.handoff.ship;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into physical lines and tracks the byte offset where each one starts, as a
 * shipper reports it in {@code log.offset}.
 *
 * <ul>
 *   <li>A line ends at {@code \n}; a {@code \r} right before it is dropped ({@code \r\n} files). The
 *       offset counts the real bytes, terminators included.</li>
 *   <li>A last line without a newline is still returned.</li>
 *   <li>Bytes that are not valid UTF-8 become U+FFFD and reading goes on: the parser dead-letters the
 *       line later, with the reason, instead of the shipper stopping.</li>
 *   <li>A UTF-8 byte-order mark at the start of the stream is not part of the first line's text (its
 *       offset stays 0).</li>
 * </ul>
 * Not thread-safe.
 */
public final class PhysicalLines implements Closeable {
    /** Read buffer of {@link #PhysicalLines(InputStream)}. */
    public static final int DEFAULT_BUFFER = 64 * 1024;

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private int lineLength;
    private long consumed;
    private long lineOffset = -1;
    private boolean eof;

    public PhysicalLines(InputStream in) {
        this(in, DEFAULT_BUFFER);
    }

    /**
     * @param bufferSize bytes read at a time; a reader that keeps many files open at once (replay)
     *                   takes a smaller one, since the buffers are most of what an open file costs
     */
    public PhysicalLines(InputStream in, int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize: expected 1 or more, got " + bufferSize);
        }
        this.in = in;
        this.buf = new byte[bufferSize];
    }

    /** The next line without its terminator, or null at the end of the stream. */
    public String next() throws IOException {
        if (eof) {
            return null;
        }
        lineLength = 0;
        long start = consumed;
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    eof = true;
                    if (consumed == start) {
                        return null;          // nothing after the last newline
                    }
                    lineOffset = start;
                    return text(lineLength);  // final line without newline
                }
            }
            int nl = -1;
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? limit : nl;
            append(buf, pos, end - pos);
            consumed += end - pos;
            pos = end;
            if (nl >= 0) {
                pos++;
                consumed++;
                lineOffset = start;
                int len = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
                return text(len);
            }
        }
    }

    /** Byte offset of the line last returned by {@link #next()}. */
    public long lineOffset() {
        return lineOffset;
    }

    /** Bytes consumed so far (the offset of the next line). */
    public long position() {
        return consumed;
    }

    private void append(byte[] src, int from, int len) {
        if (lineLength + len > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + len));
        }
        System.arraycopy(src, from, line, lineLength, len);
        lineLength += len;
    }

    private String text(int len) {
        return decode(line, len, lineOffset == 0);
    }

    /**
     * The text of a line's first {@code len} bytes (terminator already removed), decoded the way this
     * class does it: malformed UTF-8 becomes U+FFFD, and a byte-order mark is dropped from a line that
     * starts the file. Shared with the tailing shipper ({@link Tailer}) so both read a file alike.
     */
    static String decode(byte[] line, int len, boolean startOfFile) {
        int from = 0;
        if (startOfFile && len >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB && (line[2] & 0xff) == 0xBF) {
            from = 3;
        }
        // new String(…, UTF_8) replaces malformed input with U+FFFD
        return new String(line, from, len - from, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
