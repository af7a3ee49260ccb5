package io.handoff.embedded.junit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads a topic from the beginning up to its current end offsets (taken once, at the start) and
 * returns the records in partition order, then offset order. Without a consumer group: nothing is
 * committed.
 */
public final class Drain {
    private Drain() {}

    /** All records of {@code topic} as a {@code read_uncommitted} consumer sees them. */
    public static List<ConsumerRecord<byte[], byte[]>> topic(String bootstrap, String topic, Duration timeout) {
        return topic(bootstrap, topic, IsolationLevel.READ_UNCOMMITTED, timeout);
    }

    /**
     * All records of {@code topic} up to its end offsets; with {@link IsolationLevel#READ_COMMITTED} up to
     * the last stable offset, skipping aborted transactions.
     *
     * @throws AssertionError when the end is not reached within {@code timeout}; the message gives each
     *                        partition's position and end offset
     */
    public static List<ConsumerRecord<byte[], byte[]>> topic(String bootstrap, String topic, IsolationLevel isolation,
                                                             Duration timeout) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT));
        cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        cfg.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new AssertionError("topic '" + topic + "' does not exist (no partitions) at " + bootstrap);
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .sorted(Lag.ORDER).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new TreeMap<>(Lag.ORDER);
            end.putAll(consumer.endOffsets(partitions, timeout));   // the LSO under read_committed
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records = new TreeMap<>(Lag.ORDER);
            partitions.forEach(tp -> records.put(tp, new ArrayList<>()));
            while (!reached(consumer, end, deadline)) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(Math.min(left, 200)))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < end.get(tp)) {
                        records.get(tp).add(r);
                    }
                }
                if (System.nanoTime() >= deadline && !reached(consumer, end, deadline)) {
                    String where = end.keySet().stream()
                            .map(tp -> tp + " at " + consumer.position(tp, Duration.ofSeconds(1)) + " of " + end.get(tp))
                            .collect(Collectors.joining(", "));
                    throw new AssertionError("draining '" + topic + "' (" + isolation + "): end offsets not reached within "
                            + timeout + ": " + where);
                }
            }
            List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
            records.values().forEach(all::addAll);
            return all;
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end, long deadline) {
        Duration left = Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), left) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
