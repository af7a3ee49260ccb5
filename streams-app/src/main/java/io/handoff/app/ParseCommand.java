package io.handoff.app;

import io.handoff.avro.SourceKind;
import io.handoff.cli.Cli;
import io.handoff.cli.HelpOption;
import io.handoff.parse.LineParser;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseRun;
import io.handoff.parse.Parsers;
import io.handoff.topics.Sources;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code handoff parse --source KIND [--timezone ZONE] [--log-format '…'] [--boot-time ISO] [--year N] [FILE…]}:
 * its flags, read here, and its work, done by {@link ParseRun}: joins each file's multi-line entries, parses them
 * and prints one JSON object per event on stdout
 * ({@code original}, {@code timestamp} in ISO-8601 UTC, {@code source}, then the source's fields under
 * their Avro names). Dead letters print nothing on stdout; each is reported on stderr with its file and
 * line, and a summary on stderr counts events and dead letters by reason.
 *
 * <p>Exit status: 0 when the input was read (even with dead letters), 1 when a file cannot be read,
 * 2 for a usage error.
 */
@Command(name = "parse", header = "parse log lines of one source and print one JSON object per event",
        synopsisHeading = "", descriptionHeading = "%n", optionListHeading = "%n", sortOptions = false,
        customSynopsis = "usage: handoff parse --source KIND [--timezone ZONE] [--log-format FORMAT] [--boot-time ISO] [--year N] [FILE...]",
        description = {
            "Parses log lines of one source and prints one JSON object per event on stdout.",
            "Reads standard input when no FILE is given, or for FILE '-'."},
        footerHeading = "%n", footer = {
            "Each event has 'original', 'timestamp' (ISO-8601 UTC), 'source' and the source's fields.",
            "Lines that do not parse are reported on stderr with their line number and reason, and",
            "counted in the summary; the exit status is still 0. Exit 1: a file cannot be read; 2: usage."})
public final class ParseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    HelpOption help;
    @Option(names = "--source", paramLabel = "KIND", completionCandidates = Kinds.class,
            description = "one of: ${COMPLETION-CANDIDATES}")
    String source;
    @Option(names = "--timezone", paramLabel = "ZONE", description = {"zone of stamps written without one (nginx error, PHP-FPM"
            + " log and slowlog, syslog and dmesg -T kernel lines); unset: ${bundle:handoff.timezone.default}"})
    String timezone;
    @Option(names = "--log-format", paramLabel = "FORMAT", description = {"nginx-access: the log_format string, 'combined'"
            + " or 'main' (unset: ${bundle:handoff.nginx.log-format.default}); php-fpm-access: the pool's access.format"
            + " (unset: PHP-FPM's own, as for handoff.fpm.access-format)"})
    String format;
    @Option(names = "--boot-time", paramLabel = "ISO", description = "the host's boot time (e.g. 2026-11-21T08:00:00Z), for raw dmesg [secs.usec] stamps")
    String bootTime;
    @Option(names = "--year", paramLabel = "N", description = "the year of syslog stamps, which carry none (unset: the current UTC year)")
    String year;
    @Parameters(arity = "0..*", paramLabel = "FILE", hidden = true)
    List<String> files = new ArrayList<>();

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    public ParseCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** The sources' names, for {@code --help} and shell completion. */
    static final class Kinds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(SourceKind.values()).map(Sources::name).iterator();
        }
    }

    /** {@code handoff parse ARGS} on these streams; returns the exit code. */
    public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        return Cli.execute(new ParseCommand(in, out, err), args, out, err);
    }

    @Override
    public Integer call() {
        if (source == null) {
            throw Cli.usage(spec, "--source is required: expected one of " + Sources.names());
        }
        SourceKind kind;
        try {
            kind = Sources.parse(source);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, e.getMessage());
        }
        ZoneId zone = ZoneOffset.UTC;
        if (timezone != null) {
            try {
                zone = ZoneId.of(timezone);
            } catch (DateTimeException e) {
                throw Cli.usage(spec, "bad --timezone '" + timezone + "': expected a zone id such as UTC, Europe/Berlin or +02:00");
            }
        }
        long boot = -1;
        if (bootTime != null) {
            try {
                boot = bootTime.matches("\\d+") ? Long.parseLong(bootTime) * 1000 : parseInstant(bootTime);
            } catch (DateTimeParseException | NumberFormatException e) {
                throw Cli.usage(spec, "bad --boot-time '" + bootTime + "': expected an ISO instant such as 2026-11-21T08:00:00Z or epoch seconds");
            }
        }
        int y = 0;
        if (year != null) {
            try {
                y = Integer.parseInt(year);
            } catch (NumberFormatException e) {
                y = -1;
            }
            if (y < 1970 || y > 9999) {
                throw Cli.usage(spec, "bad --year '" + year + "': expected a year such as 2026");
            }
        }
        LineParser parser;
        try {
            parser = Parsers.forKind(kind, format);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "bad --log-format: " + e.getMessage());
        }
        List<String> files = this.files.isEmpty() ? List.of("-") : this.files;
        ParseRun run = new ParseRun(kind, parser, new ParseContext(zone, boot, y), out, err);
        int status = 0;
        for (String file : files) {
            if (file.equals("-")) {
                try {
                    run.file("<stdin>", in);
                } catch (IOException e) {
                    err.println("handoff parse: cannot read standard input: " + e.getMessage());
                    status = 1;
                }
                continue;
            }
            try (InputStream fin = Files.newInputStream(Path.of(file))) {
                run.file(file, fin);
            } catch (IOException | RuntimeException e) {
                err.println("handoff parse: cannot read " + file + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                status = 1;
            }
        }
        run.summary();
        out.flush();
        return status;
    }

    private static long parseInstant(String s) {
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        }
    }
}
