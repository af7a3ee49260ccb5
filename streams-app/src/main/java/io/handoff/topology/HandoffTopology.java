package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.CorrelateInput;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.LogEvent;
import io.handoff.avro.SourceKind;
import io.handoff.avro.Warning;
import io.handoff.common.CloseGate;
import io.handoff.common.HandoffMetrics;
import io.handoff.common.LocalStores;
import io.handoff.correlate.CorrelateStores;
import io.handoff.correlate.HostCorrelator;
import io.handoff.fleet.FleetStage;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.siem.EcsFormat;
import io.handoff.siem.EcsMirror;
import io.handoff.topics.Sources;
import io.handoff.topics.TopicNames;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.StoreBuilder;

import java.util.Map;
import java.util.Properties;

/**
 * handoff's Kafka Streams topology, built from the configuration alone (used by the CLI and the tests).
 *
 * <pre>
 * sub-topology "parse" (one branch per log source):
 *   source-raw-&lt;source&gt; (handoff.raw.&lt;source&gt;, bytes) → parse-&lt;source&gt; ─┬→ sink-correlate-input (handoff.correlate-input,
 *                                                                   │     host → CorrelateInput: a LogEvent with signal, else a HostTick)
 *                                                                   ├→ sink-dead-letter (handoff.dead-letter, key → DeadLetter)
 *                                                                   └→ sink-events (handoff.events, host → LogEvent; only with
 *                                                                         handoff.events.enabled)
 * sub-topology "correlate":
 *   source-correlate-input (handoff.correlate-input, event time of the line) → correlate-host
 *       [correlate-host-clock, correlate-open-incidents, correlate-lookback, correlate-lines]
 *       ─┬→ sink-incidents (handoff.incidents, host → Incident: the final record)
 *        ├→ sink-incident-updates (handoff.incident-updates, incident id → Incident: OPEN while in progress, then CLOSED)
 *        ├→ sink-warnings (handoff.warnings, host → Warning)
 *        └→ sink-correlate-dead-letter (handoff.dead-letter: late records)
 * sub-topologies "fleet-rekey" and "fleet-window": the fleet stage ({@link FleetStage}), with the ECS mirror
 *   of incidents and fleet incidents (handoff.incidents-ecs) beside it
 * </pre>
 *
 * Changelogs: {@code <application.id>-correlate-host-clock-changelog} etc. ({@link CorrelateStores}). The {@code describe()}
 * output is pinned by a test.
 */
public final class HandoffTopology {
    private HandoffTopology() {}

    public static final String SINK_EVENTS = "sink-events";
    public static final String SINK_DEAD_LETTER = "sink-dead-letter";
    public static final String SINK_CORRELATE_INPUT = "sink-correlate-input";
    public static final String SOURCE_CORRELATE_INPUT = "source-correlate-input";
    /** The correlator's source, under the name it had when it read {@code handoff.events}. */
    public static final String SOURCE_EVENTS = SOURCE_CORRELATE_INPUT;
    public static final String CORRELATE = "correlate-host";
    public static final String SINK_INCIDENTS = "sink-incidents";
    public static final String SINK_INCIDENT_UPDATES = "sink-incident-updates";
    public static final String SINK_WARNINGS = "sink-warnings";
    public static final String SINK_CORRELATE_DEAD_LETTER = "sink-correlate-dead-letter";
    public static final String ECS_INCIDENTS = "ecs-incidents";
    public static final String SINK_INCIDENTS_ECS = "sink-incidents-ecs";
    public static final String ECS_FLEET_INCIDENTS = "ecs-fleet-incidents";
    public static final String SINK_FLEET_INCIDENTS_ECS = "sink-fleet-incidents-ecs";

    public static String sourceName(SourceKind kind) {
        return "source-raw-" + Sources.name(kind);
    }

    public static String parseName(SourceKind kind) {
        return "parse-" + Sources.name(kind);
    }

    /** The topology with a fresh, private counter registry. */
    public static Topology build(HandoffConfig config) {
        return build(config, new HandoffMetrics());
    }

    /**
     * The topology. Avro serdes are configured from {@code config.streams()} ({@code schema.registry.url}
     * and the other Confluent serde keys).
     *
     * @param metrics where the processors count (the CLI keeps it for its summary)
     */
    public static Topology build(HandoffConfig config, HandoffMetrics metrics) {
        return build(config, metrics, CloseGate.always());
    }

    /**
     * As above, with a gate on the wall-clock idle close: {@code handoff replay} passes
     * {@link CloseGate#afterInput()} and opens it stage by stage as their input is consumed.
     */
    public static Topology build(HandoffConfig config, HandoffMetrics metrics, CloseGate idle) {
        TopicNames topics = config.topics();
        Serde<LogEvent> events = outputSerde(LogEvent.class, config, metrics);
        Serde<CorrelateInput> correlateInput = outputSerde(CorrelateInput.class, config, metrics);
        Serde<DeadLetter> deadLetters = outputSerde(DeadLetter.class, config, metrics);
        Serde<Incident> incidents = outputSerde(Incident.class, config, metrics);
        Serde<Warning> warnings = outputSerde(Warning.class, config, metrics);

        // The sources and the fleet stage through the DSL (the fleet's two hops are Streams repartition topics,
        // which only the DSL declares); the sinks of the parsers and the correlator through the Processor API
        // on the built topology. Sub-topologies are numbered in the order their first node is added: parse 0,
        // correlate 1, fleet-rekey 2, fleet-window 3 (task ids, and so the local state directories, stay put).
        StreamsBuilder builder = new StreamsBuilder();
        String[] parsers = new String[SourceKind.values().length];
        int i = 0;
        String eventsSink = config.eventsTopic() ? SINK_EVENTS : null;
        for (SourceKind kind : SourceKind.values()) {
            builder.stream(topics.raw(kind), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(sourceName(kind)))
                    .process(() -> new ParseProcessor(kind, config, metrics, eventsSink, SINK_CORRELATE_INPUT, SINK_DEAD_LETTER),
                            Named.as(parseName(kind)));
            parsers[i++] = parseName(kind);
        }
        KStream<String, CorrelateInput> input = builder.stream(topics.correlateInput(),
                Consumed.with(Serdes.String(), correlateInput).withTimestampExtractor(new LogEventTimestampExtractor())
                        .withOffsetResetPolicy(AutoOffsetReset.earliest()).withName(SOURCE_CORRELATE_INPUT));
        FleetStage.Streams fleet = FleetStage.addTo(builder, input, config, metrics, idle,
                outputSerde(FleetIncident.class, config, metrics));
        // SIEM: an ECS JSON mirror of incidents and fleet incidents, keyed by incident id
        Serde<String> ecs = Serdes.serdeFrom(new BoundedSerializer<>(new StringSerializer(), maxRecordBytes(config), metrics),
                new StringDeserializer());
        fleet.incidents().process(() -> new EcsMirror<Incident>(Incident::getId, EcsFormat::incident), Named.as(ECS_INCIDENTS))
                .to(topics.incidentsEcs(), Produced.with(Serdes.String(), ecs).withName(SINK_INCIDENTS_ECS));
        fleet.fleetIncidents().process(() -> new EcsMirror<FleetIncident>(FleetIncident::getId, EcsFormat::fleet),
                        Named.as(ECS_FLEET_INCIDENTS))
                .to(topics.incidentsEcs(), Produced.with(Serdes.String(), ecs).withName(SINK_FLEET_INCIDENTS_ECS));
        Topology t = builder.build();

        t.addSink(SINK_CORRELATE_INPUT, topics.correlateInput(), new StringSerializer(), correlateInput.serializer(), parsers);
        t.addSink(SINK_DEAD_LETTER, topics.deadLetter(), new ByteArraySerializer(), deadLetters.serializer(), parsers);
        if (config.eventsTopic()) {
            t.addSink(SINK_EVENTS, topics.events(), new StringSerializer(), events.serializer(), parsers);
        }

        t.addProcessor(CORRELATE, () -> new HostCorrelator(config, metrics, idle, SINK_INCIDENTS, SINK_INCIDENT_UPDATES,
                SINK_WARNINGS, SINK_CORRELATE_DEAD_LETTER), SOURCE_CORRELATE_INPUT);
        for (StoreBuilder<?> store : CorrelateStores.builders()) {
            t.addStateStore(store, CORRELATE);
        }
        t.addSink(SINK_INCIDENTS, topics.incidents(), new StringSerializer(), incidents.serializer(), CORRELATE);
        t.addSink(SINK_INCIDENT_UPDATES, topics.incidentUpdates(), new StringSerializer(), incidents.serializer(), CORRELATE);
        t.addSink(SINK_WARNINGS, topics.warnings(), new StringSerializer(), warnings.serializer(), CORRELATE);
        t.addSink(SINK_CORRELATE_DEAD_LETTER, topics.deadLetter(), new ByteArraySerializer(), deadLetters.serializer(),
                CORRELATE);
        return t;
    }

    /**
     * The Avro serde of an output topic, configured from {@code config.streams()}: its serializer keeps every
     * record under the producer's {@code max.request.size} ({@link BoundedSerializer}), so that no output can
     * poison a transaction. Every sink of an Avro value uses one.
     */
    public static <T extends SpecificRecord> Serde<T> outputSerde(Class<T> type, HandoffConfig config,
                                                                                       HandoffMetrics metrics) {
        SpecificAvroSerde<T> avro = SpecificAvroSerde.forValues(type, config.streams());
        return Serdes.serdeFrom(new BoundedSerializer<>(avro.serializer(), maxRecordBytes(config), metrics),
                avro.deserializer());
    }

    /** The largest output value: the producer's {@code max.request.size} (1 MiB by default) less room for the rest. */
    public static int maxRecordBytes(HandoffConfig config) {
        Map<String, String> s = config.streams();
        String v = s.getOrDefault(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                s.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        int max = 1024 * 1024;
        if (v != null) {
            try {
                max = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, v,
                        "expected a number of bytes");
            }
        }
        return BoundedSerializer.limitFor(max);
    }

    /**
     * Open incidents and pending warnings in the running application's local stores (interactive
     * query over {@value CorrelateStores#OPEN}); -1 while the store cannot be queried
     * (starting, rebalancing). A replay is finished when this is 0 and the output is drained:
     * incidents close when the host's event time passes their quiet period, and the rest after
     * {@code idleClose} of wall-clock silence.
     */
    public static long openIncidents(KafkaStreams streams) {
        return LocalStores.count(streams, CorrelateStores.OPEN);
    }

    /**
     * Kafka Streams properties: exactly_once_v2, explicit internal names enforced, and no record that can
     * stop the application: Avro that does not deserialize ({@link DeadLetterDeserializationHandler}), a
     * processor that throws on a record ({@link DeadLetterProcessingHandler}) and an output the broker
     * cannot take ({@link DeadLetterProductionHandler}) each become a dead letter in the same transaction;
     * then everything in {@code config.streams()} on top (bootstrap.servers, schema.registry.url,
     * state.dir, or {@code processing.guarantee=at_least_once} as a named choice).
     *
     * @param metrics counter registry the dead-letter handler counts in (the one given to
     *                {@link #build(HandoffConfig, HandoffMetrics)}); null for none
     */
    public static Properties streamsProperties(HandoffConfig config, String applicationId, HandoffMetrics metrics) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        p.put(DeadLetterOutput.TOPIC, config.topics().deadLetter());
        if (metrics != null) {
            p.put(DeadLetterOutput.METRICS, metrics);
        }
        p.put(StreamsConfig.producerPrefix("acks"), "all");
        // no global stores; opting in now is what Kafka 5.0 will do by default (and silences its warning)
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.putAll(config.streams());
        return p;
    }
}
