package io.handoff.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.config.HandoffConfig;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.RestartableBroker;
import io.handoff.ship.ReplaySource;
import io.handoff.ship.Shipper;
import io.handoff.topics.TopicNames;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deploy files are checked against the running application (issue 12, cases 5 and 7): the topics
 * docs/DEPLOY.md, docker-compose.yml and deploy/kafka-topics.yaml list are exactly the code's catalogue
 * with its settings; a real broker with exactly those topics (created from the compose file) runs
 * {@code handoff run} without {@code --create-topics}, which turns month-old logs into incidents written
 * with the broker's time, and stops with exit code 0 on SIGTERM; and with the documented settings such an
 * incident survives retention, where the line's own time would have had it deleted at once.
 */
class DeployedTopicsBrokerTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final TopicNames T = TopicNames.defaults();
    private static RestartableBroker broker;

    record Spec(int partitions, Map<String, String> settings) {}

    @BeforeAll
    static void startBroker(@TempDir Path dir) {
        // retention is looked at every half second here (5 minutes by default), so that the test sees it act
        broker = new RestartableBroker(dir.resolve("kafka"), Map.of("log.retention.check.interval.ms", "500"));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Spec> composeTopics() throws IOException {
        Map<String, Object> compose = new Yaml(new LoaderOptions()).load(Files.readString(ROOT.resolve("docker-compose.yml")));
        Map<String, Object> topics = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("topics");
        String script = String.join("\n", ((List<Object>) topics.get("command")).stream().map(Object::toString).toList());
        Map<String, Spec> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*create (\\S+) (\\d+)((?: [a-z.]+=\\S+)*)\\s*$").matcher(script);
        while (m.find()) {
            Map<String, String> settings = new TreeMap<>();
            for (String kv : m.group(3).trim().split(" ")) {
                settings.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
            out.put(m.group(1), new Spec(Integer.parseInt(m.group(2)), settings));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Spec> strimziTopics() throws IOException {
        Map<String, Spec> out = new TreeMap<>();
        for (Object d : new Yaml(new LoaderOptions()).loadAll(Files.readString(ROOT.resolve("deploy/kafka-topics.yaml")))) {
            if (d == null) {
                continue;
            }
            Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>) d).get("spec");
            Map<String, String> settings = new TreeMap<>();
            ((Map<String, Object>) spec.get("config")).forEach((k, v) -> settings.put(k, String.valueOf(v)));
            settings.remove("min.insync.replicas");
            out.put((String) spec.get("topicName"), new Spec((Integer) spec.get("partitions"), settings));
        }
        return out;
    }

    /** docs/DEPLOY.md §1: "| `topic` | key | value | partitions | delete, 3 days, LogAppendTime |". */
    static Map<String, Spec> documentedTopics() throws IOException {
        Map<String, Spec> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^\\| `(handoff\\.[a-z.-]+)` \\|[^|]*\\|[^|]*\\| (\\d+) \\| ([^|]+) \\|$")
                .matcher(Files.readString(ROOT.resolve("docs/DEPLOY.md")));
        while (m.find()) {
            Map<String, String> s = new TreeMap<>();
            for (String part : m.group(3).trim().split(",\\s*")) {
                Matcher days = Pattern.compile("(\\d+) days").matcher(part);
                if (part.equals("delete") || part.equals("compact")) {
                    s.put("cleanup.policy", part);
                } else if (days.matches()) {
                    s.put("retention.ms", String.valueOf(Duration.ofDays(Long.parseLong(days.group(1))).toMillis()));
                } else if (part.equals("LogAppendTime")) {
                    s.put("message.timestamp.type", "LogAppendTime");
                } else {
                    throw new AssertionError("docs/DEPLOY.md: unknown setting '" + part + "' of " + m.group(1));
                }
            }
            out.put(m.group(1), new Spec(Integer.parseInt(m.group(2)), s));
        }
        return out;
    }

    @Test
    void theDocsTheComposeFileAndTheManifestsListExactlyTheCodesTopicsAndSettings() throws IOException {
        Map<String, Spec> compose = composeTopics();
        Map<String, Map<String, String>> code = new TreeMap<>();
        for (String t : Topics.all(T)) {
            code.put(t, new TreeMap<>(Topics.config(T, t)));
        }
        Map<String, Map<String, String>> composeSettings = new TreeMap<>();
        compose.forEach((t, s) -> composeSettings.put(t, s.settings()));
        assertEquals(code, composeSettings, "docker-compose.yml creates the catalogue of io.handoff.app.Topics with its settings");
        assertEquals(compose, strimziTopics(), "deploy/kafka-topics.yaml: the same topics, partitions and settings");
        assertEquals(compose, documentedTopics(), "docs/DEPLOY.md §1: the same topics, partitions and settings");
    }

    static void createTopics(String bootstrap, Map<String, Spec> specs) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            specs.forEach((name, s) -> topics.add(new NewTopic(name, s.partitions(), (short) 1).configs(s.settings())));
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void handoffRunsOnExactlyTheDocumentedTopicsAndStopsWithExitCode0(@TempDir Path tmp) throws Exception {
        String bootstrap = broker.bootstrapServers();
        createTopics(bootstrap, composeTopics());
        int port = Child.freePort();
        Instant t0 = Instant.now();
        LocalDate monthAgo = LocalDate.now(ZoneOffset.UTC).minusDays(40);
        try (Child run = Child.start(tmp, "run", Map.of("HANDOFF_BOOTSTRAP_SERVERS", bootstrap,
                "HANDOFF_SCHEMA_REGISTRY_URL", "mock://deployed", "HANDOFF_HTTP_PORT", String.valueOf(port),
                "HANDOFF_IDLE_CLOSE", "2s", "HANDOFF_KAFKA_STATE_DIR", tmp.resolve("state").toString(),
                "HANDOFF_KAFKA_COMMIT_INTERVAL_MS", "200"), "run")) {
            run.awaitHttp(port, "/health", r -> r.statusCode() == 200 && r.body().contains("\"status\":\"UP\""),
                    Duration.ofSeconds(180));

            Path folder = SampleHosts.copy(ROOT.resolve("samples/fleet/web-01"), "web-01", monthAgo, tmp.resolve("fleet"));
            ReplaySource source = ReplaySource.open(folder);
            try (Shipper shipper = Shipper.create(bootstrap, T); ReplaySource.Entries it = source.entries(
                    new ReplayClock(HandoffConfig.defaults()))) {
                for (ReplaySource.Item i = it.next(); i != null; i = it.next()) {
                    shipper.send(i.host(), i.kind(), i.file().toString(), i.entry()); // as a live shipper: sent now
                }
                shipper.flush();
            }

            List<ConsumerRecord<byte[], byte[]>> ecs = List.of();
            long until = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (ecs.isEmpty() && System.nanoTime() < until && run.process.isAlive()) {
                ecs = Drain.topic(bootstrap, T.incidentsEcs(), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(5));
            }
            assertEquals(1, ecs.size(), "one incident of web-01's burst; stderr:\n" + run.tail());
            JsonNode doc = new ObjectMapper().readTree(ecs.get(0).value());
            assertEquals("web-01", doc.path("host").path("name").asText());
            assertEquals("LISTEN_BACKLOG_OVERFLOW", doc.path("handoff").path("root_cause").asText());

            List<ConsumerRecord<byte[], byte[]>> incidents = Drain.topic(bootstrap, T.incidents(), IsolationLevel.READ_COMMITTED,
                    Duration.ofSeconds(5));
            assertEquals(1, incidents.size());
            ConsumerRecord<byte[], byte[]> r = incidents.get(0);
            Incident incident = decode(r.value());
            assertEquals(RootCause.LISTEN_BACKLOG_OVERFLOW, incident.getRootCause());
            assertEquals(monthAgo, incident.getStartedAt().atZone(ZoneOffset.UTC).toLocalDate(), "the lines' own time, in the value");
            assertEquals(TimestampType.LOG_APPEND_TIME, r.timestampType(), "the record's time is the broker's");
            assertTrue(r.timestamp() >= t0.toEpochMilli() && r.timestamp() <= System.currentTimeMillis(),
                    "written now, so retention counts from now: " + Instant.ofEpochMilli(r.timestamp()));

            assertEquals(0, run.terminate(Duration.ofSeconds(90)), "SIGTERM is a clean stop; stderr:\n" + run.tail());
            // a warning may name an exception (a broker slow to answer at start); an error or a stack trace may not
            assertEquals(List.of(), run.err().lines().filter(l -> l.startsWith("\tat ") || l.contains(" ERROR ")).toList(), run.tail());
        }
    }

    @Test
    void withTheDocumentedSettingsAnIncidentOfMonthOldLogsSurvivesRetention() throws Exception {
        String bootstrap = broker.bootstrapServers();
        Map<String, String> documented = new TreeMap<>(composeTopics().get(T.incidents()).settings());
        assertEquals("LogAppendTime", documented.get("message.timestamp.type"));
        // segments roll after a second (7 days by default) so that retention can act while the test watches
        Map<String, String> asDocumented = new TreeMap<>(documented);
        asDocumented.put("segment.ms", "1000");
        Map<String, String> withLineTime = new TreeMap<>(asDocumented);
        withLineTime.put("message.timestamp.type", "CreateTime");
        createTopics(bootstrap, Map.of("retention.documented", new Spec(1, asDocumented), "retention.line-time",
                new Spec(1, withLineTime)));

        Instant started = Instant.now().minus(Duration.ofDays(40));
        Incident old = Incident.newBuilder().setId("web-01@" + started).setHost("web-01").setRootCause(RootCause.OOM_KILL)
                .setStartedAt(started).setEndedAt(started.plusSeconds(5)).setRemediation("size pm.max_children to RAM")
                .setConfidence(0.9).build();
        byte[] value = encode(old);
        long sent = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String topic : List.of("retention.documented", "retention.line-time")) {
                // the application's record time for an incident is its start: what it sends, whatever the topic keeps
                p.send(new ProducerRecord<>(topic, null, started.toEpochMilli(), "web-01".getBytes(StandardCharsets.UTF_8),
                        value)).get();
            }
            // a second later, one more record rolls each topic's segment (the old one can then be deleted)
            while (System.currentTimeMillis() < sent + 1_500) {
                Thread.sleep(100); // waiting on the clock is the point: segment.ms counts time
            }
            for (String topic : List.of("retention.documented", "retention.line-time")) {
                p.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), "web-02".getBytes(StandardCharsets.UTF_8),
                        value)).get();
            }
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long lineTimeStart = 0;
            while (lineTimeStart == 0 && System.nanoTime() < until) {
                lineTimeStart = earliest(admin, "retention.line-time");
                Thread.sleep(200); // polling the broker's log start offset
            }
            assertEquals(1, lineTimeStart, "with the line's time as record time the incident is deleted at once");
            assertEquals(0, earliest(admin, "retention.documented"), "with the documented settings it stays");
        }
        List<ConsumerRecord<byte[], byte[]>> kept = Drain.topic(bootstrap, "retention.documented", Duration.ofSeconds(5));
        assertEquals(2, kept.size());
        assertEquals(old, decode(kept.get(0).value()));
    }

    private static long earliest(Admin admin, String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get(10, TimeUnit.SECONDS).offset();
    }

    /** The value as handoff's serializer writes it: 0x00, a schema id, the Avro body. */
    private static byte[] encode(Incident i) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, 0, 0, 0, 1});
        BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
        new SpecificDatumWriter<Incident>(Incident.class).write(i, e);
        e.flush();
        return out.toByteArray();
    }

    /** Reads the Avro body behind the 5-byte prefix with the current schema (the child wrote with it). */
    private static Incident decode(byte[] value) throws IOException {
        return new SpecificDatumReader<Incident>(Incident.class).read(null,
                DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
    }

}
