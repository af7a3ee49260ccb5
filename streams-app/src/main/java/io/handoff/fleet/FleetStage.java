package io.handoff.fleet;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.CorrelateInput;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.common.CloseGate;
import io.handoff.common.HandoffMetrics;
import io.handoff.common.LocalStores;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.topics.TopicNames;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The fleet stage: one spike on many hosts of a fleet becomes one {@link FleetIncident} — hosts that
 * share a trigger (an FPM reload in their chains) whatever labels they got, with the breakdown of hosts
 * per label; other hosts of the same moment by their root cause — and a spike that comes back at the
 * same UTC time of day is named as a schedule.
 *
 * <pre>
 * in sub-topology "correlate" (a second child of the correlator's source, no change to the correlator):
 *   source-correlate-input → fleet-activity-tap → fleet-activity-repartition (internal: host → Heartbeat, partitioned by fleet)
 * sub-topology "fleet-rekey":
 *   fleet-source-incidents (handoff.incidents, host → Incident) → fleet-rekey
 *       → fleet-repartition (internal: fleet|trigger → Member, partitioned by fleet)
 * sub-topology "fleet-window":
 *   fleet-repartition-source + fleet-activity-repartition-source → fleet-input (merge) → fleet-window
 *       [fleet-open-windows, fleet-window-hosts, fleet-active-hosts, fleet-recurrence]
 *       → fleet-sink-incidents (handoff.fleet-incidents: fleet|cause → FleetIncident)
 * </pre>
 *
 * The two hops are Kafka Streams repartition topics ({@code <application.id>-fleet-repartition} and
 * {@code <application.id>-fleet-activity-repartition}, {@link #internalTopics(String)}): Streams creates
 * them with the partition count of their input topics and purges what it has committed, so users
 * create only the topics they read or write. Both are partitioned by fleet label alone
 * ({@link FleetPartitioner}): one task sees a fleet's heartbeats and all its incidents. See
 * docs/FLEET.md for the design and the scale analysis.
 */
public final class FleetStage {
    private FleetStage() {}

    public static final String ACTIVITY_TAP = "fleet-activity-tap";
    public static final String SOURCE_INCIDENTS = "fleet-source-incidents";
    public static final String REKEY = "fleet-rekey";
    /** The repartition of the incidents: {@code <application.id>-fleet-repartition}. */
    public static final String REPARTITION = "fleet-repartition";
    /** The repartition of the heartbeats: {@code <application.id>-fleet-activity-repartition}. */
    public static final String ACTIVITY_REPARTITION = "fleet-activity-repartition";
    public static final String INPUT = "fleet-input";
    public static final String WINDOW = "fleet-window";
    public static final String SINK_FLEET_INCIDENTS = "fleet-sink-incidents";

    public static final String OPEN_STORE = "fleet-open-windows";
    public static final String HOSTS_STORE = "fleet-window-hosts";
    public static final String ACTIVE_STORE = "fleet-active-hosts";
    public static final String RECURRENCE_STORE = "fleet-recurrence";

    /**
     * The stage's two internal topics, named by Kafka Streams after the application id: incidents
     * re-keyed by fleet and trigger, and the hosts' heartbeats, both partitioned by fleet.
     */
    public static List<String> internalTopics(String applicationId) {
        return List.of(applicationId + "-" + REPARTITION, applicationId + "-" + ACTIVITY_REPARTITION);
    }

    /**
     * How long after its window a host incident may arrive: the correlator's quiet period and grace
     * (an incident is emitted only after them) plus one fleet window (a burst up to that long).
     */
    public static Duration grace(HandoffConfig config) {
        return config.quietPeriod().plus(config.grace()).plus(config.fleetWindow());
    }

    /** The key of the fleet-incident topic: {@code <fleet>|<ROOT_CAUSE>} ("" for the default fleet). */
    public static String fleetKey(String fleet, RootCause cause) {
        return (fleet == null ? "" : fleet) + "|" + cause.name();
    }

    /**
     * The key of the repartition topic: {@code <fleet>|<trigger>}, the trigger an FPM reload
     * ({@code FPM_RELOAD}) or the root cause (the topic is partitioned by fleet alone).
     */
    public static String groupKey(String fleet, String trigger) {
        return (fleet == null ? "" : fleet) + "|" + trigger;
    }

    /** The stage's two streams, for the stages that hang off them (the SIEM mirror). */
    public record Streams(KStream<String, Incident> incidents, KStream<String, FleetIncident> fleetIncidents) {}

    /**
     * Adds the fleet stage to a topology under construction: the activity tap as a second child of
     * {@code input} (the correlator's input, keyed and partitioned by host), and the window reading
     * {@code handoff.incidents}. Avro serdes are configured from {@code config.streams()}.
     *
     * @param idle       the gate on the wall-clock idle close ({@link CloseGate}): {@code handoff replay} opens it
     *                   once every host incident has reached the stage
     * @param fleetSerde the serde of {@code handoff.fleet-incidents}, as the topology gives every output
     */
    public static Streams addTo(StreamsBuilder builder, KStream<String, CorrelateInput> input, HandoffConfig config,
                                HandoffMetrics metrics, CloseGate idle, Serde<FleetIncident> fleetSerde) {
        TopicNames t = config.topics();
        SpecificAvroSerde<Incident> incidentSerde = SpecificAvroSerde.forValues(Incident.class, config.streams());

        // the incidents' hop first: sub-topology ids follow the order of first nodes (fleet-rekey before fleet-window)
        KStream<String, Incident> incidents = builder.stream(t.incidents(),
                Consumed.with(Serdes.String(), incidentSerde).withOffsetResetPolicy(AutoOffsetReset.earliest())
                        .withName(SOURCE_INCIDENTS));
        KStream<String, Member> members = incidents
                .process(FleetRekey::new, Named.as(REKEY))
                .repartition(Repartitioned.<String, Member>as(REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(Member.SERDE)
                        .withStreamPartitioner(new FleetPartitioner<>(Member::fleet)));

        KStream<String, Heartbeat> activity = input
                .process(ActivityTap::new, Named.as(ACTIVITY_TAP))
                .repartition(Repartitioned.<String, Heartbeat>as(ACTIVITY_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(Heartbeat.SERDE)
                        .withStreamPartitioner(new FleetPartitioner<>(Heartbeat::fleet)));

        builder.addStateStore(store(OPEN_STORE, WindowHeader.SERDE));
        builder.addStateStore(store(HOSTS_STORE, Member.SERDE));
        builder.addStateStore(store(ACTIVE_STORE, Serdes.Long()));
        builder.addStateStore(store(RECURRENCE_STORE, WindowHeader.HISTORY));
        KStream<String, FleetIncident> fleetIncidents = upcast(members)
                .merge(upcast(activity), Named.as(INPUT))
                .process(() -> new FleetWindowProcessor(config, metrics, idle), Named.as(WINDOW),
                        OPEN_STORE, HOSTS_STORE, ACTIVE_STORE, RECURRENCE_STORE);
        fleetIncidents.to(t.fleetIncidents(), Produced.with(Serdes.String(), fleetSerde).withName(SINK_FLEET_INCIDENTS));
        return new Streams(incidents, fleetIncidents);
    }

    /** The window takes members and heartbeats in one stream and tells them apart by type. */
    @SuppressWarnings("unchecked")
    private static KStream<String, Object> upcast(KStream<String, ?> stream) {
        return (KStream<String, Object>) stream;
    }

    /**
     * Open fleet windows in the running application's local stores (interactive query over
     * {@value #OPEN_STORE}); -1 while the store cannot be queried (starting, rebalancing). A replay
     * is finished when this is 0 after the incidents and the fleet topics are consumed: windows close
     * when the fleet's event time passes them, and the rest after {@code idleClose} of wall-clock
     * silence of the stage's input.
     */
    public static long openWindows(KafkaStreams streams) {
        return LocalStores.count(streams, OPEN_STORE);
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde)
                .withLoggingEnabled(Map.of());
    }

}
