package io.handoff.app;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How far an application has got, read from offsets rather than guessed from time: used by
 * {@code handoff replay} and {@code handoff bench} to know when every line has been processed.
 */
public final class Offsets {
    private static final long TIMEOUT_S = 30;

    private Offsets() {}

    /** End offsets of every partition of {@code topics}. */
    public static Map<TopicPartition, Long> end(Admin admin, List<String> topics, IsolationLevel isolation) {
        try {
            Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS).forEach((name, d) ->
                    d.partitions().forEach(p -> spec.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listOffsets(spec, new ListOffsetsOptions(isolation)).all().get(TIMEOUT_S, TimeUnit.SECONDS)
                    .forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading end offsets of " + topics, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading end offsets of " + topics + ": " + e.getMessage(), e);
        }
    }

    /**
     * For transactionally written topics: per partition, the offset after the last data record.
     * Transaction markers take offsets too, so the end offset overstates what a consumer commits.
     */
    public static Map<TopicPartition, Long> lastData(Admin admin, String bootstrap, List<String> topics) {
        Map<TopicPartition, Long> end = end(admin, topics, IsolationLevel.READ_COMMITTED);
        Map<TopicPartition, Long> out = new HashMap<>();
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Streams purges a repartition topic up to what it has committed: a seek before its start reads from there
        cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                out.put(e.getKey(), lastDataOffset(c, e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    private static long lastDataOffset(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, long end) {
        long back = 4;
        while (true) {
            long from = Math.max(0, end - back);
            c.assign(List.of(tp));
            c.seek(tp, from);
            long last = -1;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.position(tp) < end && System.nanoTime() < until) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    last = Math.max(last, r.offset());
                }
            }
            if (last >= 0) {
                return last + 1;
            }
            if (from == 0) {
                return 0;
            }
            back *= 4;
        }
    }

    /** Whether {@code groupId}'s committed offsets have reached the targets (empty partitions need nothing). */
    public static boolean consumed(Admin admin, String groupId, Map<TopicPartition, Long> targets) {
        Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, groupId);
        for (Map.Entry<TopicPartition, Long> t : targets.entrySet()) {
            if (t.getValue() == 0) {
                continue;
            }
            OffsetAndMetadata c = committed.get(t.getKey());
            if (c == null || c.offset() < t.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sum of {@code groupId}'s committed offsets over the partitions of {@code topics}: how many records
     * it has consumed from them, for progress (on a transactional topic the commit markers count too,
     * one per partition and transaction).
     */
    public static long committedTotal(Admin admin, String groupId, Collection<String> topics) {
        long total = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed(admin, groupId).entrySet()) {
            if (e.getValue() != null && topics.contains(e.getKey().topic())) {
                total += e.getValue().offset();
            }
        }
        return total;
    }

    /** Where a partition's freshly written backlog starts and ends. */
    public record Span(long start, long end) {}

    /**
     * Whether a paused topology ({@code instances}, which go on fetching while paused) holds a freshly
     * written backlog so that, once resumed, its tasks merge their input partitions by timestamp without
     * taking a partition for done while it still has records: for every partition of {@code backlog},
     * its main consumer has returned records of the backlog, and it knows the partition's end (the lag
     * of its latest fetch is above zero, or it has read to the end), or the task's buffer is full
     * ({@code bufferedPerPartition} records past the start: Streams stops fetching the partition then,
     * and fetches again long before the buffer runs dry). Read from the consumers' {@code records-lead}
     * (position minus log start, which is 0 on topics that keep their records, as replay's and the
     * bench's do) and {@code records-lag} metrics.
     *
     * <p>A task takes an empty partition whose latest known lag is 0 as done once
     * {@code max.task.idle.ms} has passed, and a lag learnt before the backlog was complete can be 0.
     */
    public static boolean backlogFetched(Collection<KafkaStreams> instances, Map<TopicPartition, Span> backlog,
                                         long bufferedPerPartition) {
        Map<TopicPartition, Double> lead = new HashMap<>();
        Map<TopicPartition, Double> lag = new HashMap<>();
        for (KafkaStreams streams : instances) {
            for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
                MetricName m = e.getKey();
                String client = m.tags().getOrDefault("client-id", "");
                boolean mainConsumer = client.endsWith("-consumer") && !client.endsWith("restore-consumer");
                if (mainConsumer && m.group().equals("consumer-fetch-manager-metrics") && m.tags().containsKey("topic")
                        && m.tags().containsKey("partition") && e.getValue().metricValue() instanceof Double d
                        && !d.isNaN()) {
                    TopicPartition tp = new TopicPartition(m.tags().get("topic"), Integer.parseInt(m.tags().get("partition")));
                    if (m.name().equals("records-lead")) {
                        lead.merge(tp, d, Math::max);
                    } else if (m.name().equals("records-lag")) {
                        lag.put(tp, d);
                    }
                }
            }
        }
        for (Map.Entry<TopicPartition, Span> b : backlog.entrySet()) {
            Span span = b.getValue();
            if (span.end() <= span.start()) {
                continue;
            }
            TopicPartition tp = b.getKey();
            // metric tags spell the topic's dots as underscores
            TopicPartition tag = new TopicPartition(tp.topic().replace('.', '_'), tp.partition());
            Double position = lead.getOrDefault(tp, lead.get(tag));
            Double behind = lag.getOrDefault(tp, lag.get(tag));
            if (position == null || position <= span.start()) {
                return false; // nothing of the backlog fetched yet
            }
            boolean knowsMore = behind != null && behind > 0;
            boolean atEnd = position >= span.end();
            boolean bufferFull = position - span.start() >= bufferedPerPartition;
            if (!knowsMore && !atEnd && !bufferFull) {
                return false;
            }
        }
        return true;
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String groupId) {
        try {
            return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the offsets of " + groupId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading the offsets of " + groupId + ": " + e.getMessage(), e);
        }
    }
}
