package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.common.CloseGate;
import io.handoff.common.HandoffMetrics;
import io.handoff.common.InputProgress;
import io.handoff.embedded.EmbeddedKafka;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.Lag;
import io.handoff.embedded.junit.RestartableBroker;
import io.handoff.fleet.FleetStage;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.handoff.topology.HandoffTopologyTest.RESET;
import static io.handoff.topology.HandoffTopologyTest.access;
import static io.handoff.topology.HandoffTopologyTest.error;
import static io.handoff.topology.HandoffTopologyTest.fpm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One incident, one record, whatever the outages: the real pipeline under exactly_once_v2 on a real
 * KRaft broker that goes away in the middle of a burst for longer than the idle close, then comes back,
 * and the burst goes on. With the gate {@code handoff run} uses ({@link CloseGate#live} over
 * {@link InputProgress}), the host's silence during the outage does not count: one incident comes out,
 * with the lines from before and after the outage. (Counting the outage's wall-clock time as the host's
 * silence, as the correlator once did, closes the burst when the broker returns: a first record with the
 * four 502s from before the outage, then the rest.)
 */
class BrokerOutageTest {
    static final Duration IDLE_CLOSE = Duration.ofSeconds(8);
    static final String OOM = "2026-11-21T00:00:02,000000+00:00 Out of memory: Killed process 22077 (php-fpm8.2) total-vm:812340kB, anon-rss:256144kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:680kB oom_score_adj:0";

    record Line(SourceKind kind, String text) {}

    static List<Line> seconds(int from, int to) {
        List<Line> l = new ArrayList<>();
        for (int s = from; s <= to; s++) {
            String t = String.format("00:00:%02d", s);
            l.add(new Line(SourceKind.NGINX_ERROR, error(t, "error", RESET)));
            l.add(new Line(SourceKind.NGINX_ACCESS, access(t, 502, "GET /import HTTP/1.1")));
            l.add(new Line(SourceKind.NGINX_ACCESS, access(t, 200, "GET / HTTP/1.1")));
        }
        return l;
    }

    static void ship(String bootstrap, TopicNames t, List<Line> lines) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "delivery.timeout.ms", 120_000, "request.timeout.ms", 30_000), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Line l : lines) {
                p.send(new ProducerRecord<>(t.raw(l.kind()), "web-out".getBytes(StandardCharsets.UTF_8),
                        l.text().getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }

    @Test
    void aBrokerOutageMidBurstLongerThanTheIdleCloseGivesOneIncidentWithEveryCount(@TempDir Path dir) throws Exception {
        try (RestartableBroker broker = new RestartableBroker(dir.resolve("kafka"))) {
            broker.start();
            String bootstrap = broker.bootstrapServers();
            String scope = "mock://broker-outage-test";
            HandoffConfig config = HandoffConfig.defaults().withIdleClose(IDLE_CLOSE)
                    .withStreams(Map.of("schema.registry.url", scope));
            TopicNames t = config.topics();
            Map<String, Integer> topics = new HashMap<>();
            for (SourceKind k : SourceKind.values()) topics.put(t.raw(k), 1);
            for (String n : List.of(t.correlateInput(), t.incidents(), t.incidentUpdates(), t.warnings(), t.deadLetter(),
                    t.fleetIncidents(), t.incidentsEcs())) topics.put(n, 1);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                EmbeddedKafka.createTopics(admin, topics, Duration.ofSeconds(30));
            }
            List<String> raw = new ArrayList<>();
            for (SourceKind k : SourceKind.values()) raw.add(t.raw(k));

            String appId = "outage-app";
            Properties props = HandoffTopology.streamsProperties(config, appId, new HandoffMetrics());
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(dir, "state").toString());
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            // a transaction open when the broker goes away survives an outage shorter than this, and commits
            // when the broker is back: what an idle close during the outage wrote then goes out
            props.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), 60_000);
            HandoffMetrics metrics = new HandoffMetrics();
            try (InputProgress progress = InputProgress.start(Map.of("bootstrap.servers", bootstrap), appId, raw, t.correlateInput(),
                    Duration.ofSeconds(1));
                 KafkaStreams streams = new KafkaStreams(HandoffTopology.build(config, metrics, CloseGate.live(progress)), props)) {
                streams.start();
                List<Line> before = new ArrayList<>(List.of(new Line(SourceKind.KERN, OOM), new Line(SourceKind.PHP_FPM,
                        fpm("00:00:02", "WARNING", "[pool www] child 22077 exited on signal 9 (SIGKILL) after 12.345678 seconds from start"))));
                before.addAll(seconds(2, 5));
                ship(bootstrap, t, before);
                Lag.awaitConsumed(bootstrap, appId, raw, IsolationLevel.READ_UNCOMMITTED, Duration.ofSeconds(90));
                Lag.awaitConsumed(bootstrap, appId, List.of(t.correlateInput()), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(90));
                SpecificAvroSerde<Incident> serde = SpecificAvroSerde.forValues(Incident.class, Map.of("schema.registry.url", scope));
                // the burst is open and its provisional verdict is out: nothing is left to commit when the broker goes
                long open = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                boolean verdict = false;
                while (!verdict && System.nanoTime() < open) {
                    for (ConsumerRecord<byte[], byte[]> r : Drain.topic(bootstrap, t.incidentUpdates(), IsolationLevel.READ_COMMITTED,
                            Duration.ofSeconds(10))) {
                        verdict |= serde.deserializer().deserialize(t.incidentUpdates(), r.value()).getRootCause() == RootCause.OOM_KILL;
                    }
                }
                assertTrue(verdict, "the provisional OOM_KILL verdict went out");
                Lag.awaitConsumed(bootstrap, appId, FleetStage.internalTopics(appId), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(60));
                assertEquals(List.of(), Drain.topic(bootstrap, t.incidents(), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(30)),
                        "the burst is open");

                broker.stop();
                // the outage: two and a half times the idle close with the host silent (its shipper would buffer)
                Thread.sleep(IDLE_CLOSE.toMillis() * 5 / 2);
                broker.start();
                ship(bootstrap, t, seconds(6, 9));
                Lag.awaitConsumed(bootstrap, appId, raw, IsolationLevel.READ_UNCOMMITTED, Duration.ofSeconds(120));
                Lag.awaitConsumed(bootstrap, appId, List.of(t.correlateInput()), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(120));

                // the burst is over: the host stays silent and its incident closes on the idle close, once
                List<ConsumerRecord<byte[], byte[]>> out = List.of();
                long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (out.isEmpty() && System.nanoTime() < until) {
                    out = Drain.topic(bootstrap, t.incidents(), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(10));
                }
                assertEquals(1, out.size(), "exactly one committed incident");
                Incident i = serde.deserializer().deserialize(t.incidents(), out.get(0).value());
                assertEquals("web-out@2026-11-21T00:00:02Z", i.getId());
                assertEquals(RootCause.OOM_KILL, i.getRootCause(), i.getSummary());
                assertEquals(Map.of("502", 8L), i.getStatusCounts(), "the 502s before and after the outage");
                assertEquals(Map.of("104", 8L), i.getUpstreamErrorsByErrno());
                assertEquals(16, i.getTotalRequests());
                assertEquals(Instant.parse("2026-11-21T00:00:09Z"), i.getEndedAt());
                assertEquals(IncidentStatus.CLOSED, i.getStatus());

                List<ConsumerRecord<byte[], byte[]>> updates = Drain.topic(bootstrap, t.incidentUpdates(),
                        IsolationLevel.READ_COMMITTED, Duration.ofSeconds(30));
                assertTrue(updates.size() >= 2, "OPEN at least once, then CLOSED: " + updates.size());
                long closed = 0;
                for (ConsumerRecord<byte[], byte[]> r : updates) {
                    assertEquals(i.getId(), new String(r.key(), StandardCharsets.UTF_8));
                    if (serde.deserializer().deserialize(t.incidentUpdates(), r.value()).getStatus() == IncidentStatus.CLOSED) {
                        closed++;
                    }
                }
                assertEquals(1, closed, "one final record on the updates topic too");
                assertEquals(List.of(), Drain.topic(bootstrap, t.deadLetter(), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(30)));
            }
        }
    }
}
