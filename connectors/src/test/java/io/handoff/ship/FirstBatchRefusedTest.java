package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.RestartableBroker;
import io.handoff.raw.Envelope;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker refuses the shipper's first batch to a partition with a retriable error while a later batch to the
 * same partition is on its way: the shipper must still deliver both, in order.
 *
 * <p>This is how {@code ShipperTest} failed on a loaded machine. The in-process broker publishes a new topic to
 * its metadata cache before its replica manager hosts the partitions, and answers a produce request in between
 * with NOT_LEADER_OR_FOLLOWER, appending nothing. A broker with no state for an idempotent, non-transactional
 * producer on a partition accepts that producer's batch whatever its sequence (the first-sequence check of
 * KIP-890 guards transactional producers only); so a second request (sequence 1) already in flight behind the
 * refused one (sequence 0) was written once the partition was ready, and the retried first batch was refused
 * as out of order (incoming 0, current end sequence 1) on every retry until the delivery timeout: the record
 * was lost, and the shipper said so. With one request in flight the second batch leaves only after the first
 * is written.
 *
 * <p>Here the refusal is made deterministic by a relay between the clients and a real in-process broker: it
 * flips a byte inside the record batch of the first produce request it sees, so that the broker refuses that
 * batch with CORRUPT_MESSAGE (retriable, checked before anything is appended, like NOT_LEADER_OR_FOLLOWER), and
 * holds the broker's answer until the test has seen whether the producer sends another request meanwhile.
 */
class FirstBatchRefusedTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** How long a producer is given to send a second request while its first is unanswered. */
    private static final Duration PIPELINE_WINDOW = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void aFirstBatchRefusedOnceIsDeliveredBeforeTheNext() throws Exception {
        Outcome o = shipTwoWithTheFirstRefused(Map.of());
        assertNull(o.failure, "both entries should be delivered");
        assertEquals(List.of(ShipperTest.KERN_1, ShipperTest.KERN_2), o.messages, "the topic in offset order");
        assertFalse(o.pipelined, "the shipper's producer sent a request while its first produce request was unanswered");
    }

    /**
     * The same with five requests in flight, Kafka's default and the shipper's setting before: the relay
     * reproduces the loss, so that the test above can fail.
     */
    @Test
    void withFiveRequestsInFlightTheRefusedFirstBatchIsLost() throws Exception {
        Outcome o = shipTwoWithTheFirstRefused(Map.of(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5));
        assertTrue(o.pipelined, "with five in flight the second request should leave before the first is answered");
        ShipException e = o.failure;
        assertTrue(e != null, "the first entry should fail");
        assertTrue(e.getCause() instanceof OutOfOrderSequenceException || e.getCause() instanceof TimeoutException,
                "refused as out of order until the delivery timeout: " + e);
        assertEquals(0, e.offset(), "the failed entry is the first");
        assertEquals(List.of(ShipperTest.KERN_2), o.messages, "the second entry written, the first lost");
    }

    private record Outcome(boolean pipelined, ShipException failure, List<String> messages) {}

    private Outcome shipTwoWithTheFirstRefused(Map<String, Object> overrides) throws Exception {
        TopicNames topics = new TopicNames("refused");
        String topic = topics.raw(SourceKind.KERN);
        try (CorruptingRelay relay = new CorruptingRelay();
             RestartableBroker broker = new RestartableBroker(dir.resolve("kafka"),
                     Map.of("advertised.listeners", "PLAINTEXT://" + relay.address()))) {
            broker.start();
            relay.forwardTo(broker.port());
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                // answered by the partition's leader from its log: the partition is hosted, nothing else refuses
                admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest()))
                        .all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            Map<String, Object> cfg = new HashMap<>(Map.of(
                    ProducerConfig.LINGER_MS_CONFIG, 0,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 12_000));
            cfg.putAll(overrides);
            ShipException failure = null;
            boolean pipelined = false;
            try (Shipper shipper = Shipper.create(broker.bootstrapServers(), topics, cfg)) {
                shipper.send(SourceKind.KERN, Envelope.of(ShipperTest.KERN_1, "web-06", "/var/log/kern.log", 0));
                assertTrue(relay.refusalArrived.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                        "the broker did not answer the first produce request");
                shipper.send(SourceKind.KERN, Envelope.of(ShipperTest.KERN_2, "web-06", "/var/log/kern.log",
                        ShipperTest.KERN_1.length() + 2L));
                // with five in flight the second request leaves at once; with one, not before the answer is released
                pipelined = relay.requestBehind.await(PIPELINE_WINDOW.toMillis(), TimeUnit.MILLISECONDS);
                relay.release();
                try {
                    shipper.flush();
                } catch (ShipException e) {
                    failure = e;
                }
            } catch (ShipException e) {
                failure = failure != null ? failure : e;   // close() throws what flush() has not reported
            }
            List<String> messages = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : Drain.topic(broker.bootstrapServers(), topic, TIMEOUT)) {
                Envelope.Decoded d = Envelope.decode(r.key(), r.value());
                assertTrue(d.ok(), "record does not decode: " + d.error());
                messages.add(d.envelope().message());
            }
            assertEquals(1, relay.corrupted.get(), "one produce request corrupted");
            return new Outcome(pipelined, failure, messages);
        }
    }

    /**
     * A TCP relay to the broker, advertised by the broker as its address so that every client connects through
     * it. It flips the last byte of every record batch in the first produce request it sees (the broker's CRC
     * check refuses them), holds the broker's answer to that request until {@link #release()}, and counts a
     * request sent on that connection meanwhile. Frames are Kafka's: a 4-byte size, then the request header
     * (api key, version, correlation id, …) or the response's correlation id.
     */
    static final class CorruptingRelay implements AutoCloseable {
        final CountDownLatch refusalArrived = new CountDownLatch(1);
        final CountDownLatch requestBehind = new CountDownLatch(1);
        final AtomicInteger corrupted = new AtomicInteger();
        private final CountDownLatch released = new CountDownLatch(1);
        private final AtomicBoolean armed = new AtomicBoolean(true);
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        CorruptingRelay() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        void forwardTo(int brokerPort) {
            start("relay-accept", () -> {
                while (!closed) {
                    try {
                        Socket client = server.accept();
                        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                        sockets.add(client);
                        sockets.add(upstream);
                        Connection c = new Connection();
                        start("relay-requests", () -> pump(client, upstream, frame -> request(c, frame)));
                        start("relay-responses", () -> pump(upstream, client, frame -> response(c, frame)));
                    } catch (IOException e) {
                        return;   // closed
                    }
                }
            });
        }

        void release() {
            released.countDown();
        }

        private static final class Connection {
            volatile int refusedCorrelationId = -1;
        }

        private void request(Connection c, byte[] frame) {
            if (c.refusedCorrelationId >= 0 && released.getCount() > 0) {
                requestBehind.countDown();
            }
            ByteBuffer buf = ByteBuffer.wrap(frame);
            if (buf.getShort(0) != ApiKeys.PRODUCE.id || !armed.compareAndSet(true, false)) {
                return;
            }
            RequestHeader header = RequestHeader.parse(buf);
            ProduceRequest produce = ProduceRequest.parse(new ByteBufferAccessor(buf), header.apiVersion());
            for (ProduceRequestData.TopicProduceData t : produce.data().topicData()) {
                for (ProduceRequestData.PartitionProduceData p : t.partitionData()) {
                    ByteBuffer records = ((MemoryRecords) p.records()).buffer();   // a view of the frame
                    int last = records.limit() - 1;
                    records.put(last, (byte) ~records.get(last));
                    corrupted.incrementAndGet();
                }
            }
            c.refusedCorrelationId = header.correlationId();
        }

        private void response(Connection c, byte[] frame) {
            if (ByteBuffer.wrap(frame).getInt(0) == c.refusedCorrelationId) {
                refusalArrived.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private interface Inspect {
            void frame(byte[] frame);
        }

        private static void pump(Socket from, Socket to, Inspect inspect) {
            try (DataInputStream in = new DataInputStream(from.getInputStream());
                 DataOutputStream out = new DataOutputStream(to.getOutputStream())) {
                while (true) {
                    int size;
                    try {
                        size = in.readInt();
                    } catch (EOFException e) {
                        return;
                    }
                    byte[] frame = new byte[size];
                    in.readFully(frame);
                    inspect.frame(frame);
                    out.writeInt(size);
                    out.write(frame);
                    out.flush();
                }
            } catch (IOException e) {
                // a client or the broker closed the connection: both directions end
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        private static void start(String name, Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }

        @Override
        public void close() throws IOException {
            closed = true;
            released.countDown();
            server.close();
            sockets.forEach(CorruptingRelay::closeQuietly);
        }
    }
}
