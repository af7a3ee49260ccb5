package io.handoff.ship;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.SourceKind;
import io.handoff.raw.MultilineJoiners;
import io.handoff.config.Keys;
import io.handoff.topics.Sources;
import io.handoff.topics.TopicNames;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The deployment files agree with the code: docker-compose.yml, deploy/ (Kubernetes), the Filebeat
 * and rsyslog configs and the Connect sink configs are parsed, and their topic names are compared with
 * the catalogue ({@link TopicNames}), their {@code HANDOFF_*} variables with the table of keys
 * ({@link Keys}), and the compose shippers' command lines with what {@code handoff ship} accepts.
 */
class DeployFilesTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final TopicNames T = TopicNames.defaults();

    /** Every topic of the catalogue (Kafka Streams creates the application's internal topics itself). */
    static Set<String> catalogue() {
        Set<String> s = new TreeSet<>();
        for (SourceKind k : SourceKind.values()) {
            s.add(T.raw(k));
        }
        s.addAll(List.of(T.events(), T.correlateInput(), T.incidents(), T.incidentUpdates(), T.warnings(), T.fleetIncidents(),
                T.deadLetter(), T.incidentsEcs()));
        return s;
    }

    /** A topic as a deployment file creates it. */
    record TopicSpec(int partitions, Map<String, String> settings) {}

    /** The compose {@code topics} service's "create TOPIC PARTITIONS KEY=VALUE..." lines. */
    static Map<String, TopicSpec> composeTopics(Map<String, Object> topicsService) {
        String script = String.join("\n", list(topicsService.get("command"), "topics.command")
                .stream().map(Object::toString).toList());
        Map<String, TopicSpec> created = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*create (\\S+) (\\d+)((?: [a-z.]+=\\S+)*)\\s*$").matcher(script);
        while (m.find()) {
            Map<String, String> settings = new TreeMap<>();
            for (String kv : m.group(3).trim().split(" ")) {
                int eq = kv.indexOf('=');
                settings.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            assertTrue(created.put(m.group(1), new TopicSpec(Integer.parseInt(m.group(2)), settings)) == null,
                    "created twice: " + m.group(1));
        }
        return created;
    }

    private static Object yaml(Path file) throws IOException {
        return new Yaml(new LoaderOptions()).load(Files.readString(file));
    }

    private static List<Object> yamlAll(Path file) throws IOException {
        List<Object> docs = new ArrayList<>();
        for (Object d : new Yaml(new LoaderOptions()).loadAll(Files.readString(file))) {
            if (d != null) {
                docs.add(d);
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String where) {
        assertTrue(o instanceof Map, where + ": expected a mapping, got " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String where) {
        assertTrue(o instanceof List, where + ": expected a list, got " + o);
        return (List<Object>) o;
    }

    /** The environment names handoff reads: one per key of the table ({@link Keys}), and HANDOFF_KAFKA_<SETTING>. */
    static Set<String> keyEnvNames() {
        Set<String> names = new TreeSet<>();
        Keys.ALL.forEach(k -> names.add(k.env()));
        return names;
    }

    private static void assertKnownEnv(String name, Set<String> known, String where) {
        if (!name.startsWith("HANDOFF_")) {
            return;
        }
        boolean ok = known.contains(name) || (name.startsWith(Keys.KAFKA_ENV_PREFIX) && name.length() > Keys.KAFKA_ENV_PREFIX.length());
        assertTrue(ok, where + ": environment variable " + name + " is not read by handoff (the table of keys has "
                + known + ", and HANDOFF_KAFKA_<SETTING> passes any Kafka setting)");
    }

    @Test
    void composeCreatesExactlyTheCatalogueAndEveryServiceIsHealthCheckedAndPinned() throws IOException {
        Map<String, Object> compose = map(yaml(ROOT.resolve("docker-compose.yml")), "docker-compose.yml");
        Map<String, Object> services = map(compose.get("services"), "services");
        assertEquals(Set.of("kafka", "schema-registry", "topics", "handoff", "shipper-web-01", "shipper-web-06",
                "kafka-connect"), services.keySet());
        Set<String> known = keyEnvNames();
        for (Map.Entry<String, Object> e : services.entrySet()) {
            Map<String, Object> svc = map(e.getValue(), e.getKey());
            Map<String, Object> hc = map(svc.get("healthcheck"), e.getKey() + ".healthcheck");
            List<Object> test = list(hc.get("test"), e.getKey() + ".healthcheck.test");
            assertEquals("CMD", test.get(0), e.getKey() + ": healthcheck runs a command");
            String image = (String) svc.get("image");
            assertNotNull(image, e.getKey() + " has an image");
            assertTrue(image.matches("[a-z0-9./-]+:[0-9][A-Za-z0-9._-]*"), e.getKey() + ": image '" + image
                    + "' is not pinned to a version tag");
            if (svc.get("environment") != null) {
                for (String name : map(svc.get("environment"), e.getKey() + ".environment").keySet()) {
                    assertKnownEnv(name, known, "docker-compose.yml " + e.getKey());
                }
            }
        }
        assertEquals(KafkaBrokerImage.IMAGE, map(services.get("kafka"), "kafka").get("image"),
                "the compose broker is the image the Testcontainers tests use");
        assertEquals(KafkaBrokerImage.IMAGE, map(services.get("topics"), "topics").get("image"));
        assertEquals(List.of("connect"), map(services.get("kafka-connect"), "kafka-connect").get("profiles"));

        // topic creation: "create <topic> <partitions> <setting>=<value>..." lines
        Map<String, TopicSpec> created = composeTopics(map(services.get("topics"), "topics"));
        for (Map.Entry<String, TopicSpec> t : created.entrySet()) {
            Map<String, String> c = t.getValue().settings();
            String policy = c.get("cleanup.policy");
            assertTrue("delete".equals(policy) || "compact".equals(policy), t.getKey() + ": cleanup.policy " + policy);
            if (policy.equals("delete")) {
                long retention = Long.parseLong(c.get("retention.ms"));
                assertTrue(retention == -1 ? c.containsKey("retention.bytes") : retention >= 86_400_000L,
                        t.getKey() + ": retention " + retention + " ms is under a day, or unbounded in size too");
            }
            if (!t.getKey().startsWith(T.prefix() + ".raw.")) {
                assertEquals("LogAppendTime", c.get("message.timestamp.type"), t.getKey() + ": an output takes the broker's time");
            }
        }
        assertEquals(catalogue(), created.keySet(), "compose creates exactly the topics of the catalogue");
        int hostKeyed = created.get(T.raw(SourceKind.NGINX_ERROR)).partitions();
        for (String t : List.of(T.raw(SourceKind.KERN), T.events(), T.correlateInput(), T.incidents(), T.warnings())) {
            assertEquals(hostKeyed, created.get(t).partitions(), t + ": host-keyed topics have one partition count");
        }
        assertTrue(list(map(map(services.get("topics"), "topics").get("healthcheck"), "topics.healthcheck").get("test"), "test")
                .toString().contains(T.incidentsEcs()), "the topics service is healthy once its last topic exists");

        // the app runs `handoff run` with the registry and the state volume
        Map<String, Object> app = map(services.get("handoff"), "handoff");
        assertEquals(List.of("run"), app.get("command"));
        Map<String, Object> build = map(app.get("build"), "handoff.build");
        assertEquals("docker/Dockerfile", build.get("dockerfile"));
        assertTrue(Files.isRegularFile(ROOT.resolve("docker/Dockerfile")));
        Map<String, Object> env = map(app.get("environment"), "handoff.environment");
        assertEquals("http://schema-registry:8081", env.get("HANDOFF_SCHEMA_REGISTRY_URL"));
        assertEquals("kafka:9092", env.get("HANDOFF_BOOTSTRAP_SERVERS"));
        assertEquals("0.0.0.0", env.get("HANDOFF_HTTP_BIND"), "the published port must reach /health in the container");
    }

    /** The tag the embedded module's Testcontainers branch uses, read from its source. */
    static final class KafkaBrokerImage {
        static final String IMAGE = read();

        private static String read() {
            try {
                String s = Files.readString(ROOT.resolve("embedded/src/main/java/io/handoff/embedded/junit/KafkaBroker.java"));
                Matcher m = Pattern.compile("IMAGE = \"([^\"]+)\"").matcher(s);
                assertTrue(m.find(), "KafkaBroker.IMAGE not found");
                return m.group(1);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void composeShippersAreValidShipCommandsOverTheBundledSamples() throws Exception {
        Map<String, Object> services = map(map(yaml(ROOT.resolve("docker-compose.yml")), "compose").get("services"), "services");
        int shippers = 0;
        for (Map.Entry<String, Object> e : services.entrySet()) {
            if (!e.getKey().startsWith("shipper-")) {
                continue;
            }
            shippers++;
            List<String> cmd = new ArrayList<>();
            list(map(e.getValue(), e.getKey()).get("command"), e.getKey()).forEach(o -> cmd.add(o.toString().replace("$$", "$")));
            assertEquals("ship", cmd.get(0));
            ShipCommand.Parsed p = ShipCommand.parse(cmd.subList(1, cmd.size()), Map.of("HANDOFF_BOOTSTRAP_SERVERS", "kafka:9092"));
            String host = e.getKey().substring("shipper-".length());
            assertEquals(host, p.settings().host());
            for (Tailer.Source s : p.settings().sources()) {
                String path = s.path().toString();
                assertTrue(path.startsWith("/opt/handoff/samples/fleet/" + host + "/"), path);
                Path local = ROOT.resolve("samples/fleet").resolve(path.substring("/opt/handoff/samples/fleet/".length()));
                assertTrue(Files.isRegularFile(local), e.getKey() + " tails " + path + " but " + local + " does not exist");
                assertEquals(Sources.fileName(s.kind()), s.path().getFileName().toString());
            }
            Formats f = Formats.load(ROOT.resolve("samples/fleet").resolve(host).resolve(Formats.FILE_NAME));
            assertEquals(f.nginxAccessLogFormat(), p.settings().logFormats().get(SourceKind.NGINX_ACCESS),
                    e.getKey() + ": --log-format nginx-access equals the sample's formats.properties");
            assertEquals(f.fpmAccessFormat(), p.settings().logFormats().get(SourceKind.PHP_FPM_ACCESS));
        }
        assertEquals(2, shippers);
    }

    @Test
    void kubernetesManifestsUseTheCatalogueAndHandoffsEnvironment() throws IOException {
        Set<String> known = keyEnvNames();
        Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
        Set<String> topics = new TreeSet<>();
        Map<String, TopicSpec> strimzi = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(ROOT.resolve("deploy"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        Map<String, Object> kustomization = null;
        for (Path f : files) {
            for (Object d : yamlAll(f)) {
                Map<String, Object> doc = map(d, f.toString());
                String kind = (String) doc.get("kind");
                assertNotNull(kind, f + ": a document without kind");
                if (kind.equals("Kustomization")) {
                    kustomization = doc;
                    continue;
                }
                Map<String, Object> meta = map(doc.get("metadata"), f + " metadata");
                String name = (String) meta.get("name");
                assertTrue(name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), f + ": name '" + name + "' is not DNS-1123");
                if (kind.equals("KafkaTopic")) {
                    assertEquals("kafka.strimzi.io/v1beta2", doc.get("apiVersion"));
                    Map<String, Object> spec = map(doc.get("spec"), name + ".spec");
                    String topic = (String) spec.get("topicName");
                    assertTrue(topics.add(topic), "KafkaTopic for " + topic + " twice");
                    assertEquals(topic.replace('.', '-'), name);
                    assertTrue((Integer) spec.get("partitions") >= 1);
                    Map<String, String> settings = new TreeMap<>();
                    map(spec.get("config"), name + ".config").forEach((k, v) -> settings.put(k, String.valueOf(v)));
                    assertEquals("2", settings.remove("min.insync.replicas"), name);
                    strimzi.put(topic, new TopicSpec((Integer) spec.get("partitions"), settings));
                    assertEquals("handoff-kafka", map(meta.get("labels"), name + ".labels").get("strimzi.io/cluster"));
                } else {
                    byKind.put(kind + "/" + name, doc);
                }
                envNames(doc, new ArrayList<>()).forEach(n -> assertKnownEnv(n, known, f.getFileName() + " " + name));
            }
        }
        assertEquals(catalogue(), topics, "deploy/kafka-topics.yaml holds exactly the catalogue");
        Map<String, Object> services = map(map(yaml(ROOT.resolve("docker-compose.yml")), "compose").get("services"), "services");
        assertEquals(composeTopics(map(services.get("topics"), "topics")), strimzi,
                "deploy/kafka-topics.yaml and the compose topics service create the same topics with the same settings");
        assertNotNull(kustomization, "deploy/kustomization.yaml");
        Set<String> listed = new LinkedHashSet<>();
        list(kustomization.get("resources"), "resources").forEach(r -> listed.add(r.toString()));
        Set<String> present = new LinkedHashSet<>();
        files.forEach(f -> present.add(f.getFileName().toString()));
        present.remove("kustomization.yaml");
        assertEquals(present, listed, "kustomization lists every manifest");

        Map<String, Object> sts = byKind.get("StatefulSet/handoff");
        assertNotNull(sts, "StatefulSet handoff");
        Map<String, Object> spec = map(sts.get("spec"), "sts.spec");
        List<Object> claims = list(spec.get("volumeClaimTemplates"), "volumeClaimTemplates");
        assertEquals("state", map(map(claims.get(0), "claim").get("metadata"), "claim.metadata").get("name"));
        Map<String, Object> container = map(list(map(map(spec.get("template"), "template").get("spec"), "pod").get("containers"),
                "containers").get(0), "container");
        assertEquals(List.of("run"), container.get("args"));
        // liveness must not follow an outage of the broker or registry (a restart cures neither): /health/live
        for (Map.Entry<String, String> probe : Map.of("startupProbe", "/health/live", "livenessProbe", "/health/live",
                "readinessProbe", "/health").entrySet()) {
            Map<String, Object> get = map(map(container.get(probe.getKey()), probe.getKey()).get("httpGet"),
                    probe.getKey() + ".httpGet");
            assertEquals(probe.getValue(), get.get("path"), probe.getKey());
        }
        assertEquals("0.0.0.0", map(byKind.get("ConfigMap/handoff-config").get("data"), "data").get("HANDOFF_HTTP_BIND"),
                "the kubelet probes the pod IP");
        assertEquals(8080, map(list(container.get("ports"), "ports").get(0), "port").get("containerPort"));
        Map<String, Object> res = map(container.get("resources"), "resources");
        assertTrue(res.containsKey("requests") && res.containsKey("limits"), "requests and limits");
        assertEquals("/var/lib/handoff/state", map(byKind.get("ConfigMap/handoff-config").get("data"), "data")
                .get("HANDOFF_KAFKA_STATE_DIR"));

        Map<String, Object> ds = byKind.get("DaemonSet/handoff-shipper");
        assertNotNull(ds, "DaemonSet handoff-shipper");
        Map<String, Object> dsPod = map(map(map(ds.get("spec"), "ds.spec").get("template"), "ds.template").get("spec"), "ds.pod");
        Map<String, Object> shipper = map(list(dsPod.get("containers"), "ds.containers").get(0), "shipper");
        List<String> args = new ArrayList<>();
        list(shipper.get("args"), "args").forEach(a -> args.add(a.toString()));
        assertEquals("ship", args.get(0));
        try {
            ShipCommand.Parsed p = ShipCommand.parse(args.subList(1, args.size()), Map.of("HANDOFF_BOOTSTRAP_SERVERS", "k:9092"));
            assertEquals(SourceKind.values().length, p.settings().sources().size(), "the DaemonSet tails all six sources");
        } catch (ParameterException e) {
            fail("the DaemonSet's args are not a valid `handoff ship` command line: " + e.getMessage());
        }
        assertTrue(Files.readString(ROOT.resolve("deploy/shipper-daemonset.yaml")).contains("path: /var/log"));
    }

    /** Every {@code env[].name} and {@code data} key of ConfigMaps under a document. */
    @SuppressWarnings("unchecked")
    private static List<String> envNames(Object node, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            Object env = m.get("env");
            if (env instanceof List<?> l) {
                for (Object e : l) {
                    if (e instanceof Map<?, ?> em && em.get("name") != null) {
                        out.add(em.get("name").toString());
                    }
                }
            }
            if ("ConfigMap".equals(m.get("kind")) && m.get("data") instanceof Map<?, ?> data) {
                data.keySet().forEach(k -> out.add(k.toString()));
            }
            m.values().forEach(v -> envNames(v, out));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> envNames(v, out));
        }
        return out;
    }

    @Test
    void filebeatRoutesEverySourceToItsRawTopicKeyedByHost() throws IOException {
        Map<String, Object> fb = map(yaml(ROOT.resolve("connectors/filebeat/filebeat.yml")), "filebeat.yml");
        Set<String> sources = new TreeSet<>();
        Map<String, String> multiline = new TreeMap<>();
        for (Object o : list(fb.get("filebeat.inputs"), "filebeat.inputs")) {
            Map<String, Object> in = map(o, "input");
            assertEquals("filestream", in.get("type"));
            Map<String, Object> fields = map(in.get("fields"), in.get("id") + ".fields");
            String source = (String) fields.get("source");
            assertTrue(sources.add(source), "source twice: " + source);
            assertNotNull(fields.get("fleet"), source + ": fields.fleet");
            assertEquals("handoff-" + source, in.get("id"));
            if (in.get("parsers") != null) {
                Map<String, Object> ml = map(map(list(in.get("parsers"), "parsers").get(0), "parser").get("multiline"), "multiline");
                multiline.put(source, (String) ml.get("pattern"));
                assertEquals(true, ml.get("negate"));
                assertEquals("after", ml.get("match"));
            }
        }
        Set<String> all = new TreeSet<>();
        for (SourceKind k : SourceKind.values()) {
            all.add(Sources.name(k));
        }
        assertEquals(all, sources, "one filestream input per source");
        assertEquals(Set.of("nginx-error", "php-fpm-slow"), multiline.keySet());
        // the multi-line patterns start an entry exactly where handoff's joiners do
        Pattern nginx = Pattern.compile(multiline.get("nginx-error"));
        Pattern slow = Pattern.compile(multiline.get("php-fpm-slow"));
        for (String l : ShipperTest.NGINX_ERROR_MULTI) {
            assertEquals(MultilineJoiners.nginxErrorStart(l), nginx.matcher(l).lookingAt(), l);
        }
        assertTrue(nginx.matcher(ShipperTest.NGINX_ERROR_ONE).lookingAt());
        for (String l : ShipperTest.SLOW_1) {
            assertEquals(MultilineJoiners.slowlogHeader(l), slow.matcher(l).lookingAt(), l);
        }
        assertTrue(slow.matcher(ShipperTest.SLOW_2.get(0)).lookingAt());

        Map<String, Object> kafka = map(fb.get("output.kafka"), "output.kafka");
        String topic = (String) kafka.get("topic");
        assertEquals(T.prefix() + ".raw.%{[fields.source]}", topic);
        for (String s : sources) {
            assertTrue(catalogue().contains(topic.replace("%{[fields.source]}", s)), s);
        }
        assertEquals("%{[host.name]}", kafka.get("key"));
        assertEquals(-1, kafka.get("required_acks"));
        assertEquals(List.of("host.name"), map(kafka.get("partition.hash"), "partition.hash").get("hash"));
        assertNotNull(kafka.get("compression"));
        assertTrue(list(fb.get("processors"), "processors").stream().anyMatch(p -> map(p, "processor").containsKey("add_locale")),
                "add_locale sets event.timezone");
    }

    @Test
    void rsyslogConfigRoutesEverySourceAndConnectSinksReadTheEcsTopic() throws IOException {
        String conf = Files.readString(ROOT.resolve("connectors/rsyslog/handoff.conf"));
        for (SourceKind k : SourceKind.values()) {
            assertTrue(conf.contains("set $.source = \"" + Sources.name(k) + "\";"), "rsyslog ruleset for " + Sources.name(k));
        }
        assertTrue(conf.contains("string=\"%$.prefix%.raw.%$.source%\""));
        assertTrue(conf.contains("set $.prefix = \"" + T.prefix() + "\";"));

        ObjectMapper json = new ObjectMapper();
        List<Path> sinks;
        try (Stream<Path> s = Files.list(ROOT.resolve("connectors/connect"))) {
            sinks = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertEquals(List.of("elasticsearch-sink.json", "opensearch-sink.json", "splunk-hec-sink.json"),
                sinks.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : sinks) {
            JsonNode root = json.readTree(p.toFile());
            assertTrue(root.path("name").isTextual(), p + ": name");
            JsonNode cfg = root.path("config");
            assertEquals(T.incidentsEcs(), cfg.path("topics").asText(), p + " reads the ECS topic");
            assertFalse(cfg.path("connector.class").asText().isEmpty(), p + ": connector.class");
            cfg.fields().forEachRemaining(e -> assertTrue(e.getValue().isTextual(), p + ": " + e.getKey()
                    + " must be a string (Connect's REST API takes string values)"));
            assertEquals("none", cfg.path("errors.tolerance").asText(), p + ": a bad record stops the sink, it is not skipped");
        }
    }
}
