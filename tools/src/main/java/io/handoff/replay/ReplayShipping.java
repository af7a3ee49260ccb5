package io.handoff.replay;

import com.sun.management.UnixOperatingSystemMXBean;
import io.handoff.avro.SourceKind;
import io.handoff.config.HandoffConfig;
import io.handoff.ship.ReplaySource;
import io.handoff.ship.ShipSummary;
import io.handoff.ship.Shipper;
import io.handoff.topics.Sources;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Ships a replay folder on its own thread, in batches of hosts whose files fit an open-file budget
 * ({@link ReplaySource#batches}), while the caller watches the topology.
 *
 * <h2>Order</h2>
 * A parse task merges its six raw partitions by record timestamp, and each record carries its line's
 * event time as timestamp, so the task sees every host's lines in the order they were written &mdash;
 * as long as every partition already holds what it is compared with. That holds when the task reads
 * a backlog. It does not when the task has caught up and new records trickle in: Streams takes a
 * partition it has seen empty and caught up for {@code max.task.idle.ms} as having nothing more, and
 * when one raw topic's new records come back from a fetch before another's, the first is processed
 * ahead by as much event time as its records span (a fetch of access lines spans minutes), and the
 * other source's lines of the same seconds arrive late. A batched replay catches up at the end of
 * every batch: shipped in three batches while the topology ran, a 300-host folder had 2,264 of its
 * 20,000 lines arrive late (62 with each batch in one transaction, 619 to 1,252 with transactions of
 * 5 s of event time each, depending on the machine's load).
 *
 * <p>So the {@link Gate} runs each batch as a backlog: before a batch the application must have
 * consumed everything shipped so far (the next batch starts back at the beginning of the folder's
 * time span and must not interleave with the previous one) and stops processing; after it, the
 * application goes on once its consumer has fetched every raw partition the batch wrote to.
 */
final class ReplayShipping implements AutoCloseable {
    /** Most files one batch keeps open, whatever the limit allows: each costs a read buffer. */
    static final int MAX_BATCH_FILES = 2048;

    /** What the application does around each batch. */
    interface Gate {
        /**
         * Before a batch: waits until the application has consumed everything shipped so far, then
         * stops its processing.
         *
         * @param stopped true once the replay is abandoned: return at once
         */
        void beforeBatch(BooleanSupplier stopped);

        /** After a batch: waits until the application has fetched the batch from every partition, then resumes it. */
        void afterBatch(BooleanSupplier stopped);
    }

    private final List<ReplaySource> batches;
    private final int budget;
    private final long totalBytes;
    private final Thread thread;
    /** Entries per source, written by the shipping thread, read once {@link #done()}. */
    private final Map<String, Long> perSource = new TreeMap<>();
    private volatile long entries;
    private volatile long bytesDone;
    private volatile long bytesInBatch;
    private volatile int batch;
    private volatile boolean done;
    private volatile boolean stopped;
    private volatile Throwable failure;

    private ReplayShipping(ReplaySource source, long totalBytes, int budget, HandoffConfig config,
                           ReplaySource.EntryClock clock, Gate gate) {
        this.budget = budget;
        this.batches = source.batches(budget);
        this.totalBytes = totalBytes;
        this.thread = new Thread(() -> run(config, clock, gate), "handoff-replay-shipper");
        this.thread.setDaemon(true);
    }

    /**
     * Starts shipping {@code source} ({@code totalBytes} of logs, for progress) with at most {@code budget}
     * files open. Nothing here reads the files: what goes wrong with them is reported by {@link #failure()}.
     */
    static ReplayShipping start(ReplaySource source, long totalBytes, int budget, HandoffConfig config,
                                ReplaySource.EntryClock clock, Gate gate) {
        ReplayShipping s = new ReplayShipping(source, totalBytes, budget, config, clock, gate);
        s.thread.start();
        return s;
    }

    /**
     * How many of the folder's files one batch may open: a quarter of the file descriptors this process
     * has left, since the rest of the run keeps opening files after this is decided (Kafka's clients,
     * an in-process broker's segments, and RocksDB, which keeps every SST file of its stores open and
     * writes more of them while the correlator's state churns: with a limit of 300 descriptors and half
     * of them for the folder, RocksDB ran out), at most {@value #MAX_BATCH_FILES}, at least one host's files.
     */
    static int openFileBudget() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean u) {
            long free = u.getMaxFileDescriptorCount() - u.getOpenFileDescriptorCount();
            return (int) Math.max(ReplaySource.MAX_FILES_PER_HOST, Math.min(MAX_BATCH_FILES, free / 4));
        }
        return 256;
    }

    private void run(HandoffConfig config, ReplaySource.EntryClock clock, Gate gate) {
        Map<String, Object> producer = new HashMap<>();
        config.streams().forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k)) {
                producer.put(k, v);
            }
        });
        producer.remove(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
        // Replay writes into topics created a moment ago. A broker can still answer NOT_LEADER_OR_FOLLOWER
        // then; with several requests in flight the idempotent producer's retried first batch meets its own
        // later batches and loops on OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout (seen on the
        // in-process broker, about one run in three). One request in flight keeps the order without gaps;
        // batching keeps the throughput.
        producer.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        Map<String, String> sourceOfTopic = new HashMap<>();
        for (SourceKind k : SourceKind.values()) {
            sourceOfTopic.put(config.topics().raw(k), Sources.name(k));
        }
        try (Shipper shipper = Shipper.create(config.streams().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG),
                config.topics(), producer)) {
            for (int b = 0; b < batches.size() && !stopped; b++) {
                batch = b + 1;
                gate.beforeBatch(() -> stopped);
                long before = entries;
                ShipSummary s = shipper.ship(batches.get(b), clock, p -> {
                    if (stopped) {
                        throw new CancellationException("replay stopped");
                    }
                    entries = before + p.entries();
                    bytesInBatch = p.bytesRead();
                });
                entries = before + s.entries();
                bytesDone += bytesInBatch;
                bytesInBatch = 0;
                s.perTopic().forEach((topic, count) -> perSource.merge(sourceOfTopic.getOrDefault(topic, topic),
                        count.entries(), Long::sum));
                gate.afterBatch(() -> stopped);
            }
            done = !stopped;
        } catch (CancellationException e) {
            // stopped by close(): the caller reports why
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }

    int batches() {
        return batches.size();
    }

    int budget() {
        return budget;
    }

    /** The batch being shipped (1-based). */
    int batch() {
        return batch;
    }

    long entries() {
        return entries;
    }

    long bytesRead() {
        return bytesDone + bytesInBatch;
    }

    long totalBytes() {
        return totalBytes;
    }

    boolean done() {
        return done;
    }

    /** Why shipping stopped, or null. */
    Throwable failure() {
        return failure;
    }

    /** Entries per source, once {@link #done()}. */
    String perSource() {
        return perSource.entrySet().stream().map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d",
                e.getValue())).collect(Collectors.joining(", "));
    }

    /** Waits up to {@code ms} for shipping to end by itself; true if it has. */
    boolean awaitEnd(long ms) throws InterruptedException {
        thread.join(ms);
        return !thread.isAlive();
    }

    /** Stops shipping (if it still runs) and waits for the thread. */
    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
