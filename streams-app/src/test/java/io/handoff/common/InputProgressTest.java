package io.handoff.common;

import io.handoff.embedded.junit.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link InputProgress} on a real broker: a partition is caught up once the group has committed what it
 * held at the previous look, the raw topics must be caught up whole, and a confirmation goes stale.
 */
@KafkaBroker.Use
class InputProgressTest {

    @Test
    void caughtUpOnceTheGroupCommittedWhatThePartitionHeldAtThePreviousLook(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String p = "ip-" + UUID.randomUUID().toString().substring(0, 8);
        String raw = p + ".raw";
        String events = p + ".events";
        String group = p + "-app";
        KafkaBroker.createTopics(Map.of(raw, 1, events, 2));
        AtomicLong now = new AtomicLong(1_000_000);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                     new StringSerializer(), new StringSerializer())) {
            InputProgress progress = InputProgress.manual(admin, group, List.of(raw), events, Duration.ofSeconds(1), now::get);
            progress.look();
            assertFalse(progress.caughtUp(0), "one look confirms nothing: it has no earlier end to compare with");
            now.addAndGet(1_000);
            progress.look();
            assertTrue(progress.caughtUp(0) && progress.caughtUp(1), "empty topics: nothing to catch up with");

            producer.send(new ProducerRecord<>(events, 0, "web-01", "a line")).get();
            producer.send(new ProducerRecord<>(events, 0, "web-01", "another")).get();
            now.addAndGet(5_000);
            progress.look(); // sees the two records
            now.addAndGet(1_000);
            progress.look(); // the group has committed nothing
            assertFalse(progress.caughtUp(0), "two records not consumed");
            assertTrue(progress.caughtUp(1), "partition 1 is empty and was confirmed just now");

            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(events, 0), new OffsetAndMetadata(2))).all().get();
            now.addAndGet(1_000);
            progress.look();
            assertTrue(progress.caughtUp(0));

            producer.send(new ProducerRecord<>(raw, 0, "web-01", "a raw line")).get();
            now.addAndGet(1_000);
            progress.look();
            now.addAndGet(1_000);
            progress.look();
            now.addAndGet(3_000);
            assertFalse(progress.caughtUp(0), "a raw line not yet parsed holds every partition");
            assertFalse(progress.caughtUp(1));

            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(raw, 0), new OffsetAndMetadata(1))).all().get();
            progress.look();
            assertTrue(progress.caughtUp(0) && progress.caughtUp(1));
            now.addAndGet(3_001);
            assertFalse(progress.caughtUp(0), "a confirmation older than three looks no longer counts");
            assertTrue(progress.reachable());
        }
    }
}
