package io.handoff.console;

import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The offline report of {@code handoff replay DIR --html FILE} and {@code handoff demo --html FILE}:
 * the console's page with its styles, script and every incident (in full: chain, evidence), fleet
 * incident and heatmap mark written into one HTML file that opens from disk with no server and no
 * network, to attach to a post-mortem.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** The report's HTML. */
    public static String html(String title, Instant generated, List<Incident> incidents, List<FleetIncident> fleet) {
        return ConsolePage.selfContained(title, ConsoleJson.report(title, generated, incidents, fleet));
    }

    /** Writes the report to {@code file} (its folder must exist). */
    public static void write(Path file, String title, List<Incident> incidents, List<FleetIncident> fleet) throws IOException {
        Files.writeString(file, html(title, Instant.now(), incidents, fleet), StandardCharsets.UTF_8);
    }
}
