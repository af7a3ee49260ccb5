package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.common.HandoffMetrics;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.KafkaBroker;
import io.handoff.embedded.junit.Lag;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real pipeline on a real broker under exactly_once_v2: raw lines → parse → events → correlate →
 * incidents, verified with a read_committed consumer; waits on consumer-group lag, never sleeps.
 */
@KafkaBroker.Use
class ExactlyOnceBrokerTest {

    @Test
    void oomBurstShippedRawBecomesExactlyOneCommittedIncident(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8);
        String scope = "mock://" + prefix;
        HandoffConfig config = HandoffConfig.of(Map.of("handoff.topic-prefix", prefix, "handoff.idle-close", "2s",
                "handoff.max-event-age", "0", "schema.registry.url", scope));
        TopicNames t = config.topics();
        Map<String, Integer> topics = new HashMap<>();
        for (SourceKind k : SourceKind.values()) topics.put(t.raw(k), 1);
        topics.put(t.correlateInput(), 2);
        topics.put(t.incidents(), 1);
        topics.put(t.incidentUpdates(), 1);
        topics.put(t.warnings(), 1);
        topics.put(t.deadLetter(), 1);
        topics.put(t.fleetIncidents(), 1);
        topics.put(t.incidentsEcs(), 1);
        KafkaBroker.createTopics(topics);

        List<Harness.Line> lines = List.of(
                Harness.line(SourceKind.KERN, "2026-11-21T00:00:02,000000+00:00 Out of memory: Killed process 22077 (php-fpm8.2) total-vm:812340kB, anon-rss:256144kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:680kB oom_score_adj:0"),
                Harness.line(SourceKind.PHP_FPM, HandoffTopologyTest.fpm("00:00:02", "WARNING", "[pool www] child 22077 exited on signal 9 (SIGKILL) after 12.345678 seconds from start")),
                Harness.line(SourceKind.NGINX_ERROR, HandoffTopologyTest.error("00:00:02", "error", HandoffTopologyTest.RESET)),
                Harness.line(SourceKind.NGINX_ACCESS, HandoffTopologyTest.access("00:00:02", 502, "GET /import HTTP/1.1")),
                Harness.line(SourceKind.NGINX_ACCESS, HandoffTopologyTest.access("00:00:03", 200, "GET / HTTP/1.1")));
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Harness.Line l : lines) {
                p.send(new ProducerRecord<>(t.raw(l.kind()), "web-it".getBytes(StandardCharsets.UTF_8),
                        l.text().getBytes(StandardCharsets.UTF_8))).get();
            }
        }

        String appId = prefix + "-app";
        HandoffMetrics metrics = new HandoffMetrics();
        Properties props = HandoffTopology.streamsProperties(config, appId, metrics);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("handoff-it").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        try (KafkaStreams streams = new KafkaStreams(HandoffTopology.build(config, metrics), props)) {
            streams.start();
            List<String> raw = new ArrayList<>();
            for (SourceKind k : SourceKind.values()) raw.add(t.raw(k));
            Lag.awaitConsumed(bootstrap, appId, raw, IsolationLevel.READ_UNCOMMITTED, Duration.ofSeconds(60));
            Lag.awaitConsumed(bootstrap, appId, List.of(t.correlateInput()), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(60));
            // the burst closes on wall-clock idleness (2 s); wait for its committed output, bounded
            SpecificAvroSerde<Incident> serde = new SpecificAvroSerde<>(Incident.class);
            serde.configure(Map.of("schema.registry.url", scope), false);
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<ConsumerRecord<byte[], byte[]>> out = List.of();
            while (out.isEmpty() && System.nanoTime() < until) {
                out = Drain.topic(bootstrap, t.incidents(), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(10));
            }
            assertEquals(1, out.size(), "exactly one committed incident");
            Incident i = serde.deserializer().deserialize(t.incidents(), out.get(0).value());
            assertEquals(RootCause.OOM_KILL, i.getRootCause(), i.getSummary());
            assertEquals("web-it", i.getHost());
            assertEquals(1L, i.getStatusCounts().get("502"));
            assertEquals(22077, i.getCulprit().getPid());
            assertEquals(0L, HandoffTopology.openIncidents(streams));
            assertEquals(5, metrics.total("lines"));
            assertTrue(Drain.topic(bootstrap, t.deadLetter(), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(10)).isEmpty());
        }
    }
}
