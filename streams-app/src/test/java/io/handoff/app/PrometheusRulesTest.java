package io.handoff.app;

import io.handoff.common.HandoffMetrics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/prometheus: promtool accepts the rules, in both forms, and their unit tests pass; amtool
 * accepts the Alertmanager snippet; the two forms hold the same rules; every handoff_* series a rule
 * reads is one the application exposes. The programs' tests skip without Debian's prometheus and
 * prometheus-alertmanager.
 */
class PrometheusRulesTest {
    static final Path DIR = Path.of("..", "deploy", "prometheus");

    static String run(Path cwd, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    static void need(String program, String pkg) {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin", program)), "no " + program + ": apt-get install " + pkg);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) throws Exception {
        return (Map<String, Object>) new Yaml(new LoaderOptions()).load(Files.readString(file));
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirTestsPass() throws Exception {
        need("promtool", "prometheus");
        assertTrue(run(DIR, "promtool", "check", "rules", "handoff-rules.yml").contains("SUCCESS: 6 rules found"));
        assertTrue(run(DIR, "promtool", "test", "rules", "handoff-rules.test.yml").contains("SUCCESS"));
        run(DIR, "promtool", "check", "config", "prometheus.yml");
    }

    @Test
    void promtoolAcceptsThePrometheusRulesSpec(@TempDir Path tmp) throws Exception {
        need("promtool", "prometheus");
        Map<String, Object> cr = yaml(DIR.resolve("handoff-prometheusrule.yaml"));
        Path spec = tmp.resolve("spec.yml");
        Files.writeString(spec, new Yaml().dump(cr.get("spec")));
        assertTrue(run(tmp, "promtool", "check", "rules", spec.toString()).contains("SUCCESS: 6 rules found"));
    }

    @Test
    void amtoolAcceptsTheAlertmanagerSnippet() throws Exception {
        need("amtool", "prometheus-alertmanager");
        String out = run(DIR, "amtool", "check-config", "alertmanager.yml");
        assertTrue(out.contains("1 inhibit rules"), out);
    }

    @Test
    void bothFormsHoldTheSameRulesAndReadSeriesTheApplicationHas() throws Exception {
        Map<String, Object> plain = yaml(DIR.resolve("handoff-rules.yml"));
        Map<String, Object> cr = yaml(DIR.resolve("handoff-prometheusrule.yaml"));
        assertEquals("PrometheusRule", cr.get("kind"));
        assertEquals(plain, cr.get("spec"), "handoff-prometheusrule.yaml's spec is handoff-rules.yml");
        String rules = Files.readString(DIR.resolve("handoff-rules.yml"));
        Matcher m = Pattern.compile("handoff_[a-z_]+").matcher(rules);
        List<String> exposed = new ArrayList<>(List.of("handoff_streams_running", "handoff_open_incidents"));
        for (HandoffMetrics.Declared d : HandoffMetrics.DECLARED) {
            exposed.add("handoff_" + d.name().replace('-', '_') + "_total");
        }
        while (m.find()) {
            assertTrue(exposed.contains(m.group()), m.group() + " is read by a rule but not exposed; exposed: " + exposed);
        }
    }
}
