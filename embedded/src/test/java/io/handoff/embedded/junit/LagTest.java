package io.handoff.embedded.junit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaBroker.Use
class LagTest {

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group, String isolation) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Test
    void reportsRemainingLagPerPartitionAndReturnsOnceConsumed(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        KafkaBroker.createTopics(Map.of("lag.a", 2));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("lag.a", i < 6 ? 0 : 1, "k", "v" + i)).get(10, TimeUnit.SECONDS);
            }
        }
        TopicPartition p0 = new TopicPartition("lag.a", 0);
        TopicPartition p1 = new TopicPartition("lag.a", 1);

        // nothing committed yet: the whole topic is lag
        Lag.NotConsumed none = assertThrows(Lag.NotConsumed.class, () -> Lag.awaitConsumed(bootstrap, "lag-g",
                List.of("lag.a"), IsolationLevel.READ_UNCOMMITTED, Duration.ofMillis(300)));
        assertEquals(Map.of(p0, 6L, p1, 4L), none.remaining());

        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, "lag-g", "read_uncommitted")) {
            c.commitSync(Map.of(p0, new OffsetAndMetadata(4), p1, new OffsetAndMetadata(4)));
            Lag.NotConsumed partial = assertThrows(Lag.NotConsumed.class, () -> Lag.awaitConsumed(bootstrap, "lag-g",
                    List.of("lag.a"), IsolationLevel.READ_UNCOMMITTED, Duration.ofMillis(300)));
            assertEquals(Map.of(p0, 2L), partial.remaining());
            assertTrue(partial.getMessage().contains("lag.a-0 committed 4 end 6 (lag 2)"), partial.getMessage());
            assertTrue(partial.getMessage().startsWith("consumer group 'lag-g' did not consume [lag.a]"), partial.getMessage());

            c.commitSync(Map.of(p0, new OffsetAndMetadata(6)));
            assertDoesNotThrow(() -> Lag.awaitConsumed(bootstrap, "lag-g", List.of("lag.a"),
                    IsolationLevel.READ_UNCOMMITTED, Duration.ofSeconds(10)));
        }
    }

    @Test
    void waitsForAConsumerThatCatchesUpConcurrently(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        KafkaBroker.createTopics(Map.of("lag.tx", 1));
        Map<String, Object> pc = new HashMap<>();
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pc.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lag-tx");
        try (KafkaProducer<String, String> p = new KafkaProducer<>(pc, new StringSerializer(), new StringSerializer())) {
            p.initTransactions();
            p.beginTransaction();
            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>("lag.tx", "k", "v" + i));
            }
            p.commitTransaction();
        }
        // 5 records + 1 commit marker: the read_committed end (LSO) is 6, where a read_committed consumer commits
        AtomicInteger seen = new AtomicInteger();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, "lag-tx-g", "read_committed")) {
                c.subscribe(List.of("lag.tx"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (seen.get() < 5 && System.nanoTime() < deadline) {
                    seen.addAndGet(c.poll(Duration.ofMillis(100)).count());
                }
                c.commitSync();
            }
        }, "lag-reader");
        reader.start();
        Lag.awaitConsumed(bootstrap, "lag-tx-g", List.of("lag.tx"), IsolationLevel.READ_COMMITTED, Duration.ofSeconds(25));
        reader.join(TimeUnit.SECONDS.toMillis(25));
        assertEquals(5, seen.get(), "the reader should have seen the 5 committed records");
        try (Admin admin = Admin.create(
                Map.of("bootstrap.servers", bootstrap))) {
            assertEquals(Map.of(new TopicPartition("lag.tx", 0), 0L),
                    Lag.lag(admin, "lag-tx-g", List.of("lag.tx"), IsolationLevel.READ_COMMITTED));
            assertEquals(6L, admin.listConsumerGroupOffsets("lag-tx-g").partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(new TopicPartition("lag.tx", 0)).offset());
        }
    }
}
