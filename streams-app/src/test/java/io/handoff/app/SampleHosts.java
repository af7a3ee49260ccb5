package io.handoff.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** Real captured hosts of samples/fleet (all written on 2026-11-21), re-timed to another day and re-hosted. */
final class SampleHosts {
    private SampleHosts() {}

    static final LocalDate CAPTURED = LocalDate.of(2026, 11, 21);

    /**
     * Copies the host folder {@code sample} into {@code into/<host>} with every date stamp of the capture day
     * moved to {@code day} (the four formats the captures use); returns {@code into}.
     */
    static Path copy(Path sample, String host, LocalDate day, Path into) throws IOException {
        Map<String, String> swap = new LinkedHashMap<>();
        for (String f : List.of("yyyy/MM/dd", "dd/MMM/yyyy", "dd-MMM-yyyy", "yyyy-MM-dd")) {
            DateTimeFormatter fmt = DateTimeFormatter.ofPattern(f, Locale.ENGLISH);
            swap.put(CAPTURED.format(fmt), day.format(fmt));
        }
        Path dir = into.resolve(host);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(sample)) {
            for (Path f : files.toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                for (Map.Entry<String, String> e : swap.entrySet()) {
                    text = text.replace(e.getKey(), e.getValue());
                }
                Files.writeString(dir.resolve(f.getFileName()), text, StandardCharsets.UTF_8);
            }
        }
        return into;
    }
}
