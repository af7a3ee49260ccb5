package io.handoff.embedded.junit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Waits until a consumer group has consumed everything in some topics: its committed offset equals
 * the end offset of every partition. Integration tests wait on this instead of sleeping.
 *
 * <p>For topics written in transactions, pass {@link IsolationLevel#READ_COMMITTED}: the end offset is
 * then the last stable offset, which is where a {@code read_committed} consumer (a Streams app under
 * exactly-once) stops and commits.
 */
public final class Lag {
    private static final long POLL_MS = 50;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private Lag() {}

    /** Thrown when the group did not catch up in time; {@link #remaining()} holds the lag per partition. */
    public static final class NotConsumed extends AssertionError {
        private final Map<TopicPartition, Long> remaining;

        NotConsumed(String message, Map<TopicPartition, Long> remaining) {
            super(message);
            this.remaining = Map.copyOf(remaining);
        }

        /** Partitions with lag left (end offset − committed offset, committed counting as 0 when absent). */
        public Map<TopicPartition, Long> remaining() {
            return remaining;
        }
    }

    /**
     * Polls until {@code groupId} has committed the end offset of every partition of {@code topics}.
     *
     * @throws NotConsumed when {@code timeout} passes first; the message lists each partition's
     *                     committed and end offsets
     */
    public static void awaitConsumed(String bootstrap, String groupId, Collection<String> topics,
                                     IsolationLevel isolation, Duration timeout) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            awaitConsumed(admin, groupId, topics, isolation, timeout);
        }
    }

    /** Like {@link #awaitConsumed(String, String, Collection, IsolationLevel, Duration)} with a caller's admin. */
    public static void awaitConsumed(Admin admin, String groupId, Collection<String> topics,
                                     IsolationLevel isolation, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Snapshot last;
        while (true) {
            last = snapshot(admin, groupId, topics, isolation);
            if (last.remaining().isEmpty()) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
            pause();
        }
        throw new NotConsumed("consumer group '" + groupId + "' did not consume " + topics + " (" + isolation
                + ") within " + timeout + "; remaining lag: " + last.describe(), last.remaining());
    }

    /** The current lag per partition (zero-lag partitions included). */
    public static Map<TopicPartition, Long> lag(Admin admin, String groupId, Collection<String> topics,
                                                IsolationLevel isolation) {
        Snapshot s = snapshot(admin, groupId, topics, isolation);
        Map<TopicPartition, Long> lag = new TreeMap<>(ORDER);
        s.end.forEach((tp, end) -> lag.put(tp, end - s.committed.getOrDefault(tp, 0L)));
        return lag;
    }

    static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private record Snapshot(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> remaining() {
            Map<TopicPartition, Long> r = new TreeMap<>(ORDER);
            end.forEach((tp, e) -> {
                long lag = e - committed.getOrDefault(tp, 0L);
                if (lag != 0) {
                    r.put(tp, lag);
                }
            });
            return r;
        }

        String describe() {
            return remaining().keySet().stream()
                    .map(tp -> tp + " committed " + (committed.containsKey(tp) ? committed.get(tp) : "none")
                            + " end " + end.get(tp) + " (lag " + (end.get(tp) - committed.getOrDefault(tp, 0L)) + ")")
                    .collect(Collectors.joining(", "));
        }
    }

    private static Snapshot snapshot(Admin admin, String groupId, Collection<String> topics, IsolationLevel isolation) {
        Map<String, TopicDescription> described = get(admin.describeTopics(topics).allTopicNames(),
                "describe topics " + topics);
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        described.values().forEach(d -> d.partitions().forEach(
                p -> specs.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> end = new HashMap<>();
        get(admin.listOffsets(specs, new ListOffsetsOptions(isolation)).all(), "list end offsets of " + topics)
                .forEach((tp, info) -> end.put(tp, info.offset()));
        Map<TopicPartition, OffsetAndMetadata> offsets = get(
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(),
                "list committed offsets of group '" + groupId + "'");
        Map<TopicPartition, Long> committed = new HashMap<>();
        offsets.forEach((tp, om) -> {
            if (om != null && end.containsKey(tp)) {
                committed.put(tp, om.offset());
            }
        });
        return new Snapshot(committed, end);
    }

    static <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + ": no answer from the broker within " + CALL_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        }
    }

    static void pause() {
        try {
            Thread.sleep(POLL_MS);   // polling interval of a bounded wait on a broker-side condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for consumer lag", e);
        }
    }
}
