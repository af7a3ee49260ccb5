package io.handoff.common;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Whether a running application is caught up with its input, per partition of the correlator's input
 * topic, for {@link CloseGate#live}. Every {@code every} it asks the broker for the last stable offsets of
 * the watched topics and for the application's committed offsets. A partition is confirmed once the
 * application has committed what it held at the previous look (whatever was there a moment ago has been
 * processed), and unconfirmed as soon as a look finds it behind. The correlator's partition {@code p} is caught up while the raw topics are confirmed whole
 * (a line still in them is on its way to some partition of the correlator's input) and partition
 * {@code p} of its input is confirmed. A look that fails (the broker away) confirms nothing; a
 * confirmation older than three looks no longer counts, so an outage or a backlog closes the gate within
 * a few seconds, and only a successful look opens it again.
 *
 * <p>Committed offsets skip transaction markers (Streams commits its consumer's position when it has no
 * buffered record), but a commit can land just before the last marker is read: on the correlator's
 * input, which the application writes in transactions, a committed offset one short of the end counts as
 * caught up. The raw topics (written by shippers, no markers) must be consumed to the end.
 */
public final class InputProgress implements CloseGate.Progress, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InputProgress.class);

    private final Admin admin;
    private final String groupId;
    private final List<String> whole;
    private final String topic;
    private final long everyMs;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    /** End offsets of the previous successful look. */
    private Map<TopicPartition, Long> previousEnd = Map.of();
    /** Partition → wall-clock ms of its latest confirmation. */
    private final Map<TopicPartition, Long> confirmed = new ConcurrentHashMap<>();
    /** The partitions of the topics watched whole, as of the last look. */
    private volatile Set<TopicPartition> wholePartitions = Set.of();
    private volatile boolean reachable;

    private InputProgress(Admin admin, String groupId, List<String> whole, String topic, Duration every,
                          LongSupplier clock, boolean schedule) {
        this.admin = admin;
        this.groupId = groupId;
        this.whole = List.copyOf(whole);
        this.topic = topic;
        this.everyMs = every.toMillis();
        this.clock = clock;
        if (schedule) {
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "handoff-input-progress");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::look, 0, everyMs, TimeUnit.MILLISECONDS);
        } else {
            this.timer = null;
        }
    }

    /**
     * Watches the application (consumer group {@code groupId}, its application id) consume the topics
     * {@code whole} (the raw topics) and, per partition, {@code topic} (the correlator's input), looking
     * every {@code every}, through an admin client made of {@code adminConfig} (closed with this).
     */
    public static InputProgress start(Map<String, Object> adminConfig, String groupId, List<String> whole,
                                      String topic, Duration every) {
        Map<String, Object> config = new HashMap<>(adminConfig);
        config.putIfAbsent("client.id", groupId + "-input-progress");
        return new InputProgress(Admin.create(config), groupId, whole, topic, every, System::currentTimeMillis, true);
    }

    /** For tests: looks only when {@link #look()} is called, at the given clock. */
    static InputProgress manual(Admin admin, String groupId, List<String> whole, String topic, Duration every,
                                LongSupplier clock) {
        return new InputProgress(admin, groupId, whole, topic, every, clock, false);
    }

    @Override
    public boolean caughtUp(int partition) {
        long now = clock.getAsLong();
        if (!fresh(new TopicPartition(topic, partition), now)) {
            return false;
        }
        for (TopicPartition tp : wholePartitions) {
            if (!fresh(tp, now)) {
                return false;
            }
        }
        return true;
    }

    private boolean fresh(TopicPartition tp, long now) {
        Long at = confirmed.get(tp);
        return at != null && now - at <= 3 * everyMs;
    }

    /** Whether the last look reached the broker. */
    public boolean reachable() {
        return reachable;
    }

    /** One look: the end offsets now, the committed offsets now, compared with the end offsets of the previous look. */
    void look() {
        long timeout = Math.max(1_000, 2 * everyMs);
        try {
            List<String> topics = new ArrayList<>(whole);
            topics.add(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Set<TopicPartition> wholeNow = new HashSet<>();
            admin.describeTopics(topics).allTopicNames().get(timeout, TimeUnit.MILLISECONDS).forEach((name, d) ->
                    d.partitions().forEach(p -> {
                        TopicPartition tp = new TopicPartition(name, p.partition());
                        latest.put(tp, OffsetSpec.latest());
                        if (!name.equals(topic)) {
                            wholeNow.add(tp);
                        }
                    }));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED).timeoutMs((int) timeout)).all()
                    .get(timeout, TimeUnit.MILLISECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId,
                    new ListConsumerGroupOffsetsOptions().timeoutMs((int) timeout)).partitionsToOffsetAndMetadata()
                    .get(timeout, TimeUnit.MILLISECONDS);
            long now = clock.getAsLong();
            for (Map.Entry<TopicPartition, Long> before : previousEnd.entrySet()) {
                OffsetAndMetadata c = committed.get(before.getKey());
                long done = c == null ? 0 : c.offset();
                // the input is written in transactions (exactly-once): its end may be a marker the commit has not passed
                long slack = before.getKey().topic().equals(topic) ? 1 : 0;
                if (before.getValue() == 0 || done >= before.getValue() - slack) {
                    confirmed.put(before.getKey(), now);
                } else {
                    confirmed.remove(before.getKey()); // behind: known now, not only once the last confirmation ages
                }
            }
            previousEnd = end;
            wholePartitions = wholeNow;
            reachable = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            if (reachable) {
                LOG.info("input progress of {}: the broker did not answer ({}); silence of hosts does not count until it does",
                        topic, e.getCause() == null ? e : e.getCause());
            }
            reachable = false;
            previousEnd = Map.of();
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        admin.close(Duration.ofSeconds(5));
    }
}
