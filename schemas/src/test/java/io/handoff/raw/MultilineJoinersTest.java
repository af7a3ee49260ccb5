package io.handoff.raw;

import io.handoff.avro.SourceKind;
import io.handoff.raw.MultilineJoiner.Entry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultilineJoinersTest {

    /** Feeds a file's text line by line with byte offsets, the way a reader of the file would. */
    private static List<Entry> join(SourceKind kind, String file) {
        MultilineJoiner j = MultilineJoiner.forKind(kind);
        List<Entry> out = new ArrayList<>();
        String[] lines = file.split("\n", -1);
        int count = file.endsWith("\n") ? lines.length - 1 : lines.length;
        long offset = 0;
        for (int i = 0; i < count; i++) {
            j.accept(lines[i], offset, out::add);
            offset += lines[i].getBytes(StandardCharsets.UTF_8).length + 1;
        }
        j.flush(out::add);
        assertFalse(j.pending());
        return out;
    }

    @Test
    void slowlogEntriesAreSeparatedByBlankLines() {
        String h1 = "[21-Nov-2026 10:51:27]  [pool www] pid 15848";
        String h2 = "[21-Nov-2026 10:51:28]  [pool www] pid 16174";
        String body = "script_filename = /srv/wp/wp-admin/admin-ajax.php\n"
                + "[0x00007fb47c4132c0] sleep() /srv/wp/wp-content/plugins/product-importer/includes/batch.php:5";
        String file = "\n" + h1 + "\n" + body + "\n\n" + h2 + "\n" + body + "\n+++ dump failed\n";
        List<Entry> e = join(SourceKind.PHP_FPM_SLOW, file);
        assertEquals(List.of(new Entry(h1 + "\n" + body, 1, 3),
                new Entry(h2 + "\n" + body + "\n+++ dump failed", 1 + h1.length() + 1 + body.length() + 2, 4)), e);
    }

    @Test
    void slowlogHeaderWithoutBlankLineStillStartsAnEntry() {
        List<Entry> e = join(SourceKind.PHP_FPM_SLOW, "[21-Nov-2026 10:51:27]  [pool www] pid 1\n[0x1] a() /a.php:1\n"
                + "[21-Nov-2026 10:51:28]  [pool www] pid 2\n[0x2] b() /b.php:2\n");
        assertEquals(2, e.size());
        assertEquals("[21-Nov-2026 10:51:28]  [pool www] pid 2\n[0x2] b() /b.php:2", e.get(1).text());
        assertEquals(2, e.get(1).lines());
    }

    @Test
    void nginxFastCgiContinuationLines() {
        String first = "2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: \"PHP message: PHP Warning:  a on line 0";
        String cont = "PHP message: PHP Warning:  b on line 0";
        String next = "2019/11/05 14:50:44 [error] 54053#0: *3 open() \"/x\" failed (2: No such file or directory), client: 127.0.0.1";
        List<Entry> e = join(SourceKind.NGINX_ERROR, first + "\n" + cont + "\n\n" + cont + "\n" + next + "\n");
        assertEquals(2, e.size());
        assertEquals(new Entry(first + "\n" + cont + "\n\n" + cont, 0, 4), e.get(0), "a blank line inside the quoted output is kept");
        assertEquals(new Entry(next, first.length() + cont.length() * 2 + 4, 1), e.get(1));
    }

    @Test
    void trailingBlankLinesAreNotPartOfTheLastEntry() {
        String line = "2016/10/25 14:49:34 [error] 54053#0: *1 x";
        List<Entry> e = join(SourceKind.NGINX_ERROR, line + "\n\n\n");
        assertEquals(List.of(new Entry(line, 0, 1)), e);
    }

    @Test
    void orphanContinuationBecomesItsOwnEntry() {
        List<Entry> e = join(SourceKind.NGINX_ERROR, "PHP message: orphan\n2016/10/25 14:49:34 [error] 1#0: x\n");
        assertEquals(List.of(new Entry("PHP message: orphan", 0, 1), new Entry("2016/10/25 14:49:34 [error] 1#0: x", 20, 1)), e);
    }

    @Test
    void fpmWrappedStderrChunksOfOneChild() {
        String a = "[08-Oct-2017 19:53:50] WARNING: [pool unconfined] child 23183 said into stderr: \"aaaa\", pi";
        String b = "[08-Oct-2017 19:53:50] WARNING: [pool unconfined] child 23183 said into stderr: pe is closed";
        String c = "[08-Oct-2017 19:53:51] NOTICE: [pool unconfined] child 23190 started";
        List<Entry> e = join(SourceKind.PHP_FPM, a + "\n" + b + "\n\n" + c + "\n");
        assertEquals(List.of(new Entry(a + "\n" + b, 0, 2), new Entry(c, a.length() + b.length() + 3, 1)), e);
    }

    @Test
    void fpmClosedChunksStaySeparateAndOtherChildrenInterrupt() {
        String one = "[21-Nov-2026 10:44:42] WARNING: [pool www] child 9426 said into stderr: \"Stack trace:\"";
        String two = "[21-Nov-2026 10:44:42] WARNING: [pool www] child 9426 said into stderr: \"#4 {main}\"";
        String open = "[21-Nov-2026 10:44:42] WARNING: [pool www] child 9426 said into stderr: \"long";
        String other = "[21-Nov-2026 10:44:42] WARNING: [pool www] child 9500 said into stderr: \"x\"";
        List<Entry> e = join(SourceKind.PHP_FPM, one + "\n" + two + "\n" + open + "\n" + other + "\n");
        assertEquals(4, e.size());
        assertEquals(open, e.get(2).text());
        assertEquals(1, e.get(2).lines());
    }

    @Test
    void pendingWhileAnEntryIsOpen() {
        MultilineJoiner j = MultilineJoiner.forKind(SourceKind.NGINX_ERROR);
        List<Entry> out = new ArrayList<>();
        j.accept("2016/10/25 14:49:34 [error] 1#0: *1 FastCGI sent in stderr: \"a", 0, out::add);
        assertTrue(j.pending());
        assertTrue(out.isEmpty());
        j.flush(out::add);
        assertFalse(j.pending());
        assertEquals(1, out.size());
    }

    @Test
    void singleLineSourcesPassLinesThroughAndSkipBlankOnes() {
        for (SourceKind k : new SourceKind[] {SourceKind.NGINX_ACCESS, SourceKind.PHP_FPM_ACCESS, SourceKind.KERN}) {
            List<Entry> e = join(k, "a\n\nb\n");
            assertEquals(List.of(new Entry("a", 0, 1), new Entry("b", 3, 1)), e, k.toString());
        }
    }
}
