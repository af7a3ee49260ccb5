package io.handoff.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starts its own broker (not the shared one) to check start, topics and close. */
class EmbeddedKafkaTest {

    @Test
    void startsASingleNodeThatCreatesTopicsIdempotentlyAndCleansUp(@TempDir Path dir) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir);
        Path logDir = kafka.logDir();
        try {
            assertTrue(kafka.bootstrapServers().matches("127\\.0\\.0\\.1:\\d+"), kafka.bootstrapServers());
            assertTrue(logDir.startsWith(dir), "log dir " + logDir + " expected under " + dir);
            assertTrue(Files.isDirectory(logDir));
            System.out.println("embedded broker start: " + kafka.startupTime().toMillis() + " ms");

            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                Collection<Node> nodes = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                assertEquals(1, nodes.size());
                assertEquals(1, nodes.iterator().next().id());

                assertEquals(List.of("t.a"), kafka.createTopics(Map.of("t.a", 3)));
                // existing topic: no error, nothing created, partition count untouched
                assertEquals(List.of(), kafka.createTopics(Map.of("t.a", 5)));
                TopicDescription d = admin.describeTopics(List.of("t.a")).allTopicNames().get(10, TimeUnit.SECONDS).get("t.a");
                assertEquals(3, d.partitions().size());
                assertEquals(1, d.partitions().get(0).replicas().size());
            }
            // broker-side loggers are quiet unless configured otherwise
            assertEquals("warn", System.getProperty("org.slf4j.simpleLogger.log.kafka"));
            assertFalse(LoggerFactory.getLogger("kafka.server.BrokerServer").isInfoEnabled());
        } finally {
            kafka.close();
        }
        assertFalse(Files.exists(logDir), "log dir should be deleted on close: " + logDir);
        assertTrue(Files.isDirectory(dir), "the caller's folder is kept");
        kafka.close();   // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kafka.createTopics(Map.of("x", 1)));
        assertEquals("embedded Kafka broker is closed", e.getMessage());
    }

    /**
     * The broker lists a new topic's leaders in its metadata before it hosts the partitions, and refuses a
     * produce request in between with NOT_LEADER_OR_FOLLOWER. A producer that may not retry sends one record
     * to each partition of six new topics right after {@code createTopics}: every one must be written. With a
     * wait on the metadata alone this failed in nearly every round on a loaded machine.
     */
    @Test
    void createdTopicsTakeWritesAtOnce() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.RETRIES_CONFIG, 0,
                     ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int round = 0; round < 3; round++) {
                Map<String, Integer> topics = new LinkedHashMap<>();
                for (int t = 0; t < 6; t++) {
                    topics.put("ready-" + round + "-" + t, 3);
                }
                assertEquals(Set.copyOf(topics.keySet()), Set.copyOf(kafka.createTopics(topics)));
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (String topic : topics.keySet()) {
                    for (int p = 0; p < 3; p++) {
                        sent.add(producer.send(new ProducerRecord<>(topic, p, null, new byte[]{1})));
                    }
                }
                for (Future<RecordMetadata> f : sent) {
                    assertEquals(0, f.get(30, TimeUnit.SECONDS).offset());   // throws what the broker refused
                }
            }
        }
    }

    @Test
    void temporaryFolderIsRemovedOnClose() {
        Path root;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            root = kafka.logDir().getParent();
            assertTrue(Files.isDirectory(kafka.logDir()));
        }
        assertFalse(Files.exists(root), "temporary root should be deleted: " + root);
    }
}
