package io.handoff.ship;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PhysicalLinesTest {

    private record Line(String text, long offset) {}

    private static List<Line> read(byte[] bytes) throws IOException {
        return read(new ByteArrayInputStream(bytes));
    }

    private static List<Line> read(InputStream in) throws IOException {
        List<Line> out = new ArrayList<>();
        try (PhysicalLines lines = new PhysicalLines(in)) {
            for (String l = lines.next(); l != null; l = lines.next()) {
                out.add(new Line(l, lines.lineOffset()));
            }
        }
        return out;
    }

    @Test
    void crlfLfBlankLinesAndAFinalLineWithoutNewline() throws IOException {
        byte[] in = "ab\r\ncd\n\n\r\nlast".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(new Line("ab", 0), new Line("cd", 4), new Line("", 7), new Line("", 8), new Line("last", 10)),
                read(in));
    }

    @Test
    void offsetsCountUtf8BytesNotChars() throws IOException {
        byte[] in = "é€\nx\n".getBytes(StandardCharsets.UTF_8);   // 2 + 3 bytes, then \n
        assertEquals(List.of(new Line("é€", 0), new Line("x", 6)), read(in));
    }

    @Test
    void invalidUtf8IsReplacedAndReadingGoesOn() throws IOException {
        byte[] in = {'a', (byte) 0xff, (byte) 0xc3, '\n', 'b', '\n'};
        assertEquals(List.of(new Line("a\uFFFD\uFFFD", 0), new Line("b", 4)), read(in));
    }

    @Test
    void byteOrderMarkIsNotText() throws IOException {
        byte[] in = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'h', 'i', '\n', 'x'};
        assertEquals(List.of(new Line("hi", 0), new Line("x", 6)), read(in));
    }

    @Test
    void linesLongerThanTheReadBufferAndSplitCrLf() throws IOException {
        String longLine = "x".repeat(200_000);
        byte[] in = (longLine + "\r\nend\n").getBytes(StandardCharsets.US_ASCII);
        // a stream that hands out 7 bytes at a time, so that \r and \n land in different reads
        InputStream trickle = new ByteArrayInputStream(in) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7));
            }
        };
        List<Line> lines = read(trickle);
        // compare a summary: a failure message with the 200 000-character line would drown the report
        assertEquals(List.of("200000 x at 0", "end at 200002"), lines.stream()
                .map(l -> (l.text().equals(longLine) ? "200000 x" : l.text().length() > 20 ? l.text().length() + " chars" : l.text())
                        + " at " + l.offset()).toList());
        assertEquals(List.of(), read(new byte[0]));
    }
}
