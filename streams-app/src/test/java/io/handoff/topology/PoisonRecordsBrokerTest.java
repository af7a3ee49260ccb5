package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.Incident;
import io.handoff.common.HandoffMetrics;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.KafkaBroker;
import io.handoff.embedded.junit.Lag;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * handoff's exception handlers on a real broker under exactly_once_v2: a processor that throws on one
 * record, an output too large for the producer and a text output too large to cut each leave one clear
 * trace (a dead letter, or a cut output) in the same transaction, the records around them come out, and
 * the application keeps running with every input consumed.
 */
@KafkaBroker.Use
class PoisonRecordsBrokerTest {

    /** in: "ok N", "boom", "huge" → out: an Incident per line (huge: 2 MB of evidence), "text": a 3 MB string. */
    static final class Poisonous implements Processor<String, String, String, Object> {
        private ProcessorContext<String, Object> context;

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, String> r) {
            switch (r.value()) {
                case "boom" -> throw new IllegalArgumentException("no incident for a line that says boom");
                case "huge" -> context.forward(r.withValue(BoundedOutputTest.incident(50, 40_000)), "avro");
                case "text" -> context.forward(r.withValue("x".repeat(3 * 1024 * 1024)), "text");
                default -> context.forward(r.withValue(BoundedOutputTest.incident(1, 100)), "avro");
            }
        }
    }

    @Test
    void poisonRecordsBecomeDeadLettersInTheTransactionAndTheRestFlows(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String prefix = "poison-" + UUID.randomUUID().toString().substring(0, 8);
        String registry = "mock://" + prefix;
        HandoffConfig config = HandoffConfig.defaults().withStreams(Map.of("schema.registry.url", registry));
        TopicNames t = new TopicNames(prefix);
        String in = prefix + ".in";
        String out = prefix + ".out";
        String text = prefix + ".text";
        KafkaBroker.createTopics(Map.of(in, 1, out, 1, text, 1, t.deadLetter(), 1));
        HandoffMetrics metrics = new HandoffMetrics();
        Serde<Incident> incidents = HandoffTopology.outputSerde(Incident.class, config, metrics);
        Topology top = new Topology();
        top.addSource("in", new StringDeserializer(), new StringDeserializer(), in);
        top.addProcessor("poisonous", Poisonous::new, "in");
        top.addSink("avro", out, new StringSerializer(), incidents.serializer(), "poisonous");
        top.addSink("text", text, new StringSerializer(),
                new BoundedSerializer<>(new StringSerializer(), HandoffTopology.maxRecordBytes(config), metrics), "poisonous");

        HandoffConfig withPrefix = config.withTopics(t);
        String appId = prefix + "-app";
        Properties p = HandoffTopology.streamsProperties(withPrefix, appId, metrics);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("handoff-poison").toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));

        List<String> lines = List.of("ok 1", "boom", "ok 2", "huge", "ok 3", "text", "ok 4");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (String l : lines) {
                producer.send(new ProducerRecord<>(in, "web-01", l)).get();
            }
        }
        AtomicReference<Throwable> failed = new AtomicReference<>();
        try (KafkaStreams streams = new KafkaStreams(top, p)) {
            streams.setUncaughtExceptionHandler(e -> {
                failed.set(e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            Lag.awaitConsumed(bootstrap, appId, List.of(in), IsolationLevel.READ_UNCOMMITTED, Duration.ofSeconds(60));
            assertEquals(null, failed.get(), "no stream thread failed");
            assertEquals(KafkaStreams.State.RUNNING, streams.state());
        }
        List<ConsumerRecord<byte[], byte[]>> outs = Drain.topic(bootstrap, out, IsolationLevel.READ_COMMITTED, Duration.ofSeconds(10));
        assertEquals(5, outs.size(), "ok 1..4 and the huge one, cut");
        SpecificAvroSerde<Incident> read = SpecificAvroSerde.forValues(Incident.class, Map.of("schema.registry.url", registry));
        Incident huge = read.deserializer().deserialize(out, outs.get(2).value());
        assertEquals(50, huge.getEvidence().size());
        assertTrue(outs.get(2).value().length <= HandoffTopology.maxRecordBytes(config));
        assertTrue(huge.getEvidence().get(0).getLine().contains(" …[cut by handoff: "));
        assertEquals(List.of(), Drain.topic(bootstrap, text, IsolationLevel.READ_COMMITTED, Duration.ofSeconds(5)));

        List<ConsumerRecord<byte[], byte[]>> dl = Drain.topic(bootstrap, t.deadLetter(), IsolationLevel.READ_COMMITTED,
                Duration.ofSeconds(10));
        SpecificAvroSerde<DeadLetter> dls = SpecificAvroSerde.forValues(DeadLetter.class, Map.of("schema.registry.url", registry));
        List<String> stages = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : dl) {
            DeadLetter d = dls.deserializer().deserialize(t.deadLetter(), r.value());
            stages.add(d.getStage() + " " + d.getSourceOffset() + " " + (d.getOriginalSize() == null ? "whole" : d.getOriginalSize()));
            if (d.getStage().equals("process")) {
                assertEquals("boom", StandardCharsets.UTF_8.decode(d.getOriginal()).toString());
                assertEquals("processor poisonous failed on this record: IllegalArgumentException: no incident for a line that"
                        + " says boom", d.getReason());
            }
        }
        assertEquals(List.of("process 1 whole", "produce 5 " + (3 * 1024 * 1024)), stages);
        assertEquals(1, metrics.get("dead-letters", "source", "in", "stage", "process"));
        assertEquals(1, metrics.get("dead-letters", "source", "text", "stage", "produce"));
        assertEquals(1, metrics.get("truncated", "source", "out"));
    }
}
