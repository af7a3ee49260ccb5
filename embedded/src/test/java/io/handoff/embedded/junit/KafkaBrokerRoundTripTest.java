package io.handoff.embedded.junit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaBroker.Use
class KafkaBrokerRoundTripTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @BeforeAll
    static void topics() {
        KafkaBroker.createTopics(Map.of("rt.idempotent", 2, "rt.tx", 1));
    }

    private static KafkaProducer<String, String> producer(String bootstrap, String transactionalId) {
        Map<String, Object> cfg = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all"));
        if (transactionalId != null) {
            cfg.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(cfg, new StringSerializer(), new StringSerializer());
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).collect(Collectors.toList());
    }

    @Test
    void idempotentProducerRoundTrip(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        assertEquals(bootstrap, KafkaBroker.bootstrapServers());
        try (KafkaProducer<String, String> p = producer(bootstrap, null)) {
            for (int i = 0; i < 100; i++) {
                p.send(new ProducerRecord<>("rt.idempotent", i % 2, "k" + i, "v" + i)).get(10, TimeUnit.SECONDS);
            }
        }
        List<ConsumerRecord<byte[], byte[]>> records = Drain.topic(bootstrap, "rt.idempotent", TIMEOUT);
        List<String> expected = new ArrayList<>();
        IntStream.range(0, 100).filter(i -> i % 2 == 0).forEach(i -> expected.add("v" + i));
        IntStream.range(0, 100).filter(i -> i % 2 == 1).forEach(i -> expected.add("v" + i));
        assertEquals(expected, values(records), "partition 0 in order, then partition 1");
        assertEquals(0, records.get(0).partition());
        assertEquals(1, records.get(99).partition());
    }

    @Test
    void abortedTransactionIsInvisibleUnderReadCommitted(@KafkaBroker.Bootstrap String bootstrap) {
        try (KafkaProducer<String, String> p = producer(bootstrap, "rt-tx-1")) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("rt.tx", "h", "committed-1"));
            p.send(new ProducerRecord<>("rt.tx", "h", "committed-2"));
            p.commitTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>("rt.tx", "h", "aborted-1"));
            p.send(new ProducerRecord<>("rt.tx", "h", "aborted-2"));
            p.flush();
            p.abortTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>("rt.tx", "h", "committed-3"));
            p.commitTransaction();
        }
        assertEquals(List.of("committed-1", "committed-2", "committed-3"),
                values(Drain.topic(bootstrap, "rt.tx", IsolationLevel.READ_COMMITTED, TIMEOUT)));
        List<String> uncommitted = values(Drain.topic(bootstrap, "rt.tx", IsolationLevel.READ_UNCOMMITTED, TIMEOUT));
        assertEquals(List.of("committed-1", "committed-2", "aborted-1", "aborted-2", "committed-3"), uncommitted);
        assertTrue(KafkaBroker.bootstrapServers().startsWith("127.0.0.1:") || !bootstrap.isEmpty());
    }
}
