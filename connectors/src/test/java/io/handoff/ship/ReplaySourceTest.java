package io.handoff.ship;

import io.handoff.avro.SourceKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplaySourceTest {

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    @Test
    void formatsFileKeysAreCheckedAndValuesTakenLiterally(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("formats.properties");
        assertEquals(Formats.NONE, Formats.load(f));
        write(f, "# comment\nnginx.access.log_format=$remote_addr \\\"$request\\\" $status\ntimezone = Europe/Berlin\nfleet=eu-1\n");
        assertEquals(new Formats("$remote_addr \\\"$request\\\" $status", null, "Europe/Berlin", "eu-1"), Formats.load(f));

        write(f, "timezone=UTC\nlog_format=x\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Formats.load(f));
        assertEquals(f + " line 2: unknown key 'log_format'; accepted keys: nginx.access.log_format, fpm.access.format,"
                + " timezone, fleet", e.getMessage());

        write(f, "timezone=UTC\ntimezone=CET\n");
        assertEquals(f + " line 2: key 'timezone' is set twice",
                assertThrows(IllegalArgumentException.class, () -> Formats.load(f)).getMessage());
    }

    @Test
    void unknownFilesAreWarningsAndAHostFolderIsNotAReplayFolder(@TempDir Path dir) throws IOException {
        write(dir.resolve("web-01/nginx-error.log"), "x\n");
        write(dir.resolve("web-01/notes.txt"), "hello\n");
        write(dir.resolve("README"), "about\n");
        ReplaySource source = ReplaySource.open(dir);
        assertEquals(1, source.hosts().size());
        HostFolder h = source.hosts().get(0);
        assertEquals("web-01", h.host());
        assertEquals(Map.of(SourceKind.NGINX_ERROR, dir.resolve("web-01/nginx-error.log")), h.files());
        assertEquals(Formats.NONE, h.formats());
        assertEquals(2, source.warnings().size(), source.warnings().toString());
        assertEquals(dir.resolve("web-01/notes.txt") + ": not a source file of host web-01, skipped (expected files:"
                + " nginx-access.log, nginx-error.log, php-fpm.log, php-fpm-slow.log, php-fpm-access.log, kern.log,"
                + " and formats.properties)", h.warnings().get(0));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReplaySource.open(dir.resolve("web-01")));
        assertEquals("replay folder " + dir.resolve("web-01") + " holds nginx-error.log directly: expected one sub-folder"
                + " per host (folder name = host name); to replay a single host, pass the folder that contains web-01",
                e.getMessage());
    }

    private record Shipped(String host, SourceKind kind, long offset, String text) {}

    private static List<Shipped> all(ReplaySource source) {
        List<Shipped> out = new ArrayList<>();
        try (ReplaySource.Entries it = source.entries()) {
            for (ReplaySource.Item i = it.next(); i != null; i = it.next()) {
                out.add(new Shipped(i.host().host(), i.kind(), i.entry().offset(), i.entry().text()));
            }
        }
        return out;
    }

    @Test
    void filesAdvanceTogetherByReadProgressNotByEntryCount(@TempDir Path dir) throws IOException {
        // access: 10 entries of 10 bytes (offsets 0..90 of 100); error: 2 entries of 50 bytes (0, 50 of 100)
        StringBuilder access = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            access.append("access-").append(i).append(i).append('\n');
        }
        String e0 = "2026/11/21 10:00:00 [error] " + "a".repeat(21);
        String e1 = "2026/11/21 10:00:05 [error] " + "b".repeat(21);
        write(dir.resolve("web-01/nginx-access.log"), access.toString());
        write(dir.resolve("web-01/nginx-error.log"), e0 + "\n" + e1 + "\n");
        // a second host with one small file: it is spread over the replay as well
        write(dir.resolve("web-02/kern.log"), "k0\nk1\n");   // offsets 0, 3 of 6 -> progress 0, 0.5

        List<String> order = new ArrayList<>();
        for (Shipped s : all(ReplaySource.open(dir))) {
            order.add(s.host() + ":" + s.kind() + "@" + s.offset());
        }
        assertEquals(List.of(
                "web-01:NGINX_ACCESS@0", "web-01:NGINX_ERROR@0", "web-02:KERN@0",
                "web-01:NGINX_ACCESS@10", "web-01:NGINX_ACCESS@20", "web-01:NGINX_ACCESS@30", "web-01:NGINX_ACCESS@40",
                "web-01:NGINX_ACCESS@50", "web-01:NGINX_ERROR@50", "web-02:KERN@3",
                "web-01:NGINX_ACCESS@60", "web-01:NGINX_ACCESS@70", "web-01:NGINX_ACCESS@80", "web-01:NGINX_ACCESS@90"),
                order);
    }

    @Test
    void withAClockFilesAreMergedByEventTimeAndUnreadableEntriesKeepTheirPlace(@TempDir Path dir) throws IOException {
        // a quiet error log with a burst at t=7..8 must ship between the access lines of t=6 and t=9,
        // not spread by read progress; "?" has no readable time and ships right after its predecessor
        write(dir.resolve("web-01/nginx-access.log"), "t1 a\nt3 a\nt6 a\nt9 a\n");
        write(dir.resolve("web-01/php-fpm-access.log"), "t7 e\n?\nt8 e\n");
        write(dir.resolve("web-02/kern.log"), "t2 k\nt8 k\n");
        ReplaySource.EntryClock clock = (host, kind, entry) -> entry.text().startsWith("t")
                ? Long.parseLong(entry.text().substring(1, entry.text().indexOf(' '))) : Long.MIN_VALUE;
        List<String> order = new ArrayList<>();
        try (ReplaySource.Entries it = ReplaySource.open(dir).entries(clock)) {
            for (ReplaySource.Item i = it.next(); i != null; i = it.next()) {
                order.add(i.host().host() + ":" + i.entry().text());
                // the event time travels with the entry (the shipper makes it the record timestamp)
                assertEquals(i.entry().text().startsWith("t") ? clock.timeOf(i.host(), i.kind(), i.entry()) : null,
                        i.eventTime());
            }
        }
        assertEquals(List.of("web-01:t1 a", "web-02:t2 k", "web-01:t3 a", "web-01:t6 a", "web-01:t7 e", "web-01:?",
                "web-01:t8 e", "web-02:t8 k", "web-01:t9 a"), order);
    }

    @Test
    void batchesGroupHostsSoThatTheirFilesFitTheBudgetAndEachFileIsOpenOnlyWhileItIsRead(@TempDir Path dir)
            throws IOException {
        // five hosts with 3, 1, 2, 2, 3 files; a budget of 6 files: [a b c] [d e]
        String[][] hosts = {{"a", "3"}, {"b", "1"}, {"c", "2"}, {"d", "2"}, {"e", "3"}};
        List<String> kinds = List.of("nginx-access.log", "php-fpm-access.log", "kern.log"); // one line, one entry
        for (String[] h : hosts) {
            for (int f = 0; f < Integer.parseInt(h[1]); f++) {
                // file f of a host holds f + 1 entries: the files end one after the other
                write(dir.resolve(h[0] + "/" + kinds.get(f)), "x\n".repeat(f + 1));
            }
        }
        ReplaySource source = ReplaySource.open(dir);
        assertEquals(11, source.fileCount());
        List<ReplaySource> batches = source.batches(6);
        assertEquals(List.of(List.of("a", "b", "c"), List.of("d", "e")),
                batches.stream().map(b -> b.hosts().stream().map(HostFolder::host).toList()).toList());

        List<Integer> open = new ArrayList<>();
        int entries = 0;
        try (ReplaySource.Entries it = batches.get(0).entries()) {
            open.add(it.openFiles()); // every file read up to its first entry
            for (ReplaySource.Item i = it.next(); i != null; i = it.next()) {
                entries++;
                open.add(it.openFiles());
            }
            assertEquals(0, it.openFiles());
            assertEquals(source.batches(6).get(0).totalBytes(), it.bytesRead());
        }
        assertEquals(6 + 1 + 3, entries);
        // at most the batch's six files are open, files close as they end (not all at the end)
        assertTrue(open.stream().allMatch(n -> n <= 6), open.toString());
        assertTrue(open.stream().anyMatch(n -> n > 0 && n < open.get(0)), open.toString());
        assertEquals(0, open.get(open.size() - 1));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> source.batches(5));
        assertEquals("maxOpenFiles: expected at least 6 (one host's files), got 5", e.getMessage());
    }

    @Test
    void aLogThatIsNotAReadableFileIsAnErrorNamingItAndAFileGoneMidReplayIsOneLine(@TempDir Path dir)
            throws IOException {
        Files.createDirectories(dir.resolve("web-01/nginx-error.log"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplaySource.open(dir));
        assertEquals(dir.resolve("web-01/nginx-error.log") + ": expected a log file, found a folder", e.getMessage());
        Files.delete(dir.resolve("web-01/nginx-error.log"));

        Files.createSymbolicLink(dir.resolve("web-01/kern.log"), dir.resolve("nowhere.log"));
        e = assertThrows(IllegalArgumentException.class, () -> ReplaySource.open(dir));
        assertEquals(dir.resolve("web-01/kern.log") + ": expected a log file, found a broken symbolic link", e.getMessage());
        Files.delete(dir.resolve("web-01/kern.log"));

        write(dir.resolve("web-01/nginx-access.log"), "a\n");
        write(dir.resolve("web-02/nginx-access.log"), "b\n");
        ReplaySource source = ReplaySource.open(dir);
        Files.delete(dir.resolve("web-02/nginx-access.log"));
        UncheckedIOException gone = assertThrows(UncheckedIOException.class, () -> all(source));
        assertEquals("cannot read " + dir.resolve("web-02/nginx-access.log") + ": no such file", gone.getMessage());
    }

    @Test
    void anUnreadableLogIsAnErrorBeforeAnythingIsShipped(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("web-01/nginx-access.log");
        write(log, "a\n");
        Files.setPosixFilePermissions(log, Set.of());
        Assumptions.assumeFalse(Files.isReadable(log),
                "this user reads files without permission (root): nothing to check");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplaySource.open(dir));
        assertEquals("cannot read " + log + ": permission denied", e.getMessage());
    }
}
