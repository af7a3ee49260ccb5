package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.topics.Sources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One host of a replay folder: a folder named after the host holding any of the source files
 * ({@code nginx-access.log}, {@code nginx-error.log}, {@code php-fpm.log}, {@code php-fpm-slow.log},
 * {@code php-fpm-access.log}, {@code kern.log}; see {@link Sources#fileName}) and an optional
 * {@code formats.properties} ({@link Formats}). Other files are reported in {@link #warnings()} and
 * skipped; a file with a log's name that is not a readable regular file is an error (its lines would
 * otherwise be missing without a word).
 *
 * @param host     the folder's name, used as record key and {@code host.name}
 * @param dir      the folder
 * @param files    the source files present, in {@link SourceKind} order
 * @param formats  the folder's {@code formats.properties}, or {@link Formats#NONE}
 * @param warnings what was skipped and why
 */
public record HostFolder(String host, Path dir, Map<SourceKind, Path> files, Formats formats, List<String> warnings) {
    private static final Logger log = LoggerFactory.getLogger(HostFolder.class);

    public HostFolder {
        EnumMap<SourceKind, Path> copy = new EnumMap<>(SourceKind.class);
        copy.putAll(files);
        files = Collections.unmodifiableMap(copy);
        warnings = List.copyOf(warnings);
    }

    /** Reads the folder's listing and {@code formats.properties}; unknown files become warnings. */
    public static HostFolder read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("host folder " + dir + " is not a directory");
        }
        Path folderName = dir.getFileName();
        if (folderName == null) {
            throw new IllegalArgumentException("host folder " + dir + " has no name to take the host's name from");
        }
        String host = folderName.toString();
        Map<SourceKind, Path> files = new EnumMap<>(SourceKind.class);
        List<String> warnings = new ArrayList<>();
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list host folder " + dir + ": " + ReplaySource.reason(e), e);
        }
        for (Path p : entries) {
            String name = p.getFileName().toString();
            if (name.equals(Formats.FILE_NAME)) {
                continue;
            }
            SourceKind kind = kindOf(name);
            if (kind == null) {
                String w = p + ": not a source file of host " + host + ", skipped (expected files: "
                        + expectedFileNames() + ", and " + Formats.FILE_NAME + ")";
                warnings.add(w);
                log.warn(w);
                continue;
            }
            // a log by its name that cannot be read would silently lose the host's lines: say so instead
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(p + ": expected a log file, found "
                        + (Files.isDirectory(p) ? "a folder"
                        : Files.isSymbolicLink(p) && !Files.exists(p) ? "a broken symbolic link"
                        : "something that is not a regular file (a pipe or a device)"));
            }
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("cannot read " + p + ": permission denied");
            }
            files.put(kind, p);
        }
        if (files.isEmpty()) {
            String w = dir + ": host " + host + " has no source files (expected any of " + expectedFileNames() + ")";
            warnings.add(w);
            log.warn(w);
        }
        return new HostFolder(host, dir, files, Formats.load(dir.resolve(Formats.FILE_NAME)), warnings);
    }

    static SourceKind kindOf(String fileName) {
        for (SourceKind k : SourceKind.values()) {
            if (Sources.fileName(k).equals(fileName)) {
                return k;
            }
        }
        return null;
    }

    static String expectedFileNames() {
        StringBuilder sb = new StringBuilder();
        for (SourceKind k : SourceKind.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(Sources.fileName(k));
        }
        return sb.toString();
    }
}
