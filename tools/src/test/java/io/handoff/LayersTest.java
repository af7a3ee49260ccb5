package io.handoff;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.handoff.parse.WrongWayImport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Imports point one way: the packages of every module's main code (read from the compiled classes with
 * ArchUnit) may use only the packages {@link #ALLOWED} names for them. The stages (parse, classify,
 * correlate, fleet, siem) use the contracts (schemas: avro, topics, raw, serde), the configuration record
 * (config) and the shared package (common), never the commands (app), the console, the alerts, the shipper,
 * the embedded broker, the demo, the replay or the bench; topology is the one package that assembles the
 * stages; the application's jar (streams-app) never uses the tools module (demo, replay, bench, tools), which
 * Maven's module order already enforces. The test runs in the tools module, whose class path holds every
 * other module's main classes. docs/ARCHITECTURE.md draws the same table.
 */
class LayersTest {
    /** Per package under {@code io.handoff}: the other packages under {@code io.handoff} its main code may use. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            // schemas: the contracts
            entry("avro", Set.of()),
            entry("topics", Set.of("avro")),
            entry("raw", Set.of("avro")),
            entry("registry", Set.of()),
            entry("serde", Set.of("avro", "registry")),
            // config: the table of settings, the configuration record, the command line's shared parts
            entry("config", Set.of("topics")),
            entry("cli", Set.of("config")),
            // embedded: the in-process broker of the demo, the replay, the bench and the tests
            entry("embedded", Set.of()),
            entry("embedded.junit", Set.of("embedded")),
            // connectors: the shipper
            entry("ship", Set.of("avro", "topics", "raw", "config", "cli")),
            // streams-app: what every stage shares, the stages in the order the data flows, their assembly
            entry("common", Set.of("avro", "topics")),
            entry("parse", Set.of("avro", "topics", "raw", "common")),
            entry("classify", Set.of("avro", "topics", "common", "parse")),
            entry("correlate", Set.of("avro", "topics", "serde", "config", "common", "parse", "classify")),
            entry("fleet", Set.of("avro", "topics", "serde", "config", "common", "parse", "classify")),
            entry("siem", Set.of("avro", "topics", "classify")),
            entry("topology", Set.of("avro", "topics", "raw", "serde", "registry", "config", "common", "parse",
                    "classify", "correlate", "fleet", "siem")),
            // what reads the outputs
            entry("console", Set.of("avro", "topics", "serde", "registry", "common", "siem")),
            entry("alert", Set.of("avro", "common", "console")),
            // the commands of the application's jar
            entry("app", Set.of("avro", "topics", "raw", "serde", "registry", "config", "cli", "common", "parse", "classify",
                    "correlate", "fleet", "siem", "topology", "console", "alert", "ship")),
            // tools: the demo fleet's generators, handoff demo and replay (with the in-process broker), handoff bench
            entry("demo", Set.of("avro", "topics", "raw", "parse", "ship")),
            entry("replay", Set.of("avro", "topics", "raw", "serde", "registry", "embedded", "config", "cli", "common",
                    "parse", "classify", "correlate", "fleet", "siem", "topology", "console", "alert", "ship", "app",
                    "demo")),
            entry("bench", Set.of("avro", "topics", "raw", "serde", "registry", "embedded", "config", "cli", "common", "parse",
                    "classify", "correlate", "fleet", "topology", "ship", "app")),
            entry("tools", Set.of("app", "replay", "bench")));

    /** The package under {@code io.handoff} ("parse", "embedded.junit"), or null for a class outside it. */
    static String packageOf(JavaClass c) {
        String p = c.getBaseComponentType().getPackageName();
        return p.startsWith("io.handoff.") ? p.substring("io.handoff.".length()) : null;
    }

    /** Every dependency of {@code classes} that the table does not allow, as ArchUnit describes it. */
    static Set<String> violations(JavaClasses classes) {
        Set<String> out = new TreeSet<>();
        for (JavaClass c : classes) {
            String from = packageOf(c);
            if (from == null) {
                continue;
            }
            Set<String> allowed = ALLOWED.get(from);
            if (allowed == null) {
                out.add("package io.handoff." + from + " (" + c.getName() + ") has no row in LayersTest.ALLOWED: "
                        + "say which packages it may use");
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass().getBaseComponentType();
                String to = packageOf(target);
                if (to == null || to.equals(from) || allowed.contains(to)) {
                    continue;
                }
                out.add("io.handoff." + from + " may not use io.handoff." + to + ": " + d.getDescription());
            }
        }
        return out;
    }

    /** The main classes of every module: this module's and its dependencies', without test classes or test jars. */
    static JavaClasses mainClasses() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("io.handoff");
    }

    @Test
    void everyModulesMainCodeUsesOnlyThePackagesItsRowAllows() {
        JavaClasses classes = mainClasses();
        for (String p : List.of("parse", "classify", "correlate", "fleet", "siem", "topology", "common", "app", "raw",
                "topics", "serde", "ship", "embedded", "config", "cli", "demo", "replay", "bench", "tools")) {
            assertTrue(classes.stream().anyMatch(c -> p.equals(packageOf(c))), "no main class of io.handoff." + p
                    + " was imported: the test would pass on nothing");
        }
        assertEquals(Set.of(), violations(classes));
    }

    @Test
    void aWrongWayImportIsReportedWithTheClassAndWhatItUses() {
        // a test class in io.handoff.parse that uses the shipper and the commands' configuration loader
        JavaClasses bad = new ClassFileImporter().importClasses(WrongWayImport.class);
        assertEquals(Set.of(
                "io.handoff.parse may not use io.handoff.app: Method <io.handoff.parse.WrongWayImport.graceVariable()> calls "
                        + "method <io.handoff.app.ConfigLoader.envName(java.lang.String)> in (WrongWayImport.java:18)",
                "io.handoff.parse may not use io.handoff.ship: Method <io.handoff.parse.WrongWayImport.none()> gets field "
                        + "<io.handoff.ship.Formats.NONE> in (WrongWayImport.java:14)",
                "io.handoff.parse may not use io.handoff.ship: Method <io.handoff.parse.WrongWayImport.none()> has return type "
                        + "<io.handoff.ship.Formats> in (WrongWayImport.java:0)"), violations(bad));
    }
}
