package io.handoff.fleet;

import io.handoff.topology.CloseGate;

import io.handoff.app.HandoffConfig;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.topics.TopicNames;
import io.handoff.topology.HandoffMetrics;
import io.handoff.topology.HandoffTopology;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
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
 * in sub-topology "correlate" (a second child of source-events, no change to the correlator):
 *   source-events → fleet-activity-tap → fleet-sink-activity (&lt;prefix&gt;.fleet-activity: host → Heartbeat, partitioned by fleet)
 * sub-topology "fleet-rekey":
 *   fleet-source-incidents (handoff.incidents, host → Incident) → fleet-rekey
 *       → fleet-sink-repartition (&lt;prefix&gt;.fleet-repartition: fleet|trigger → Member, partitioned by fleet)
 * sub-topology "fleet-window":
 *   fleet-source-repartition + fleet-source-activity → fleet-window
 *       [fleet-open-windows, fleet-window-hosts, fleet-active-hosts, fleet-recurrence]
 *       → fleet-sink-incidents (handoff.fleet-incidents: fleet|cause → FleetIncident)
 * </pre>
 *
 * The two fleet topics are partitioned by fleet label alone ({@link FleetPartitioner}): one task sees a
 * fleet's heartbeats and all its incidents. They are plain topics (the Processor API cannot declare
 * internal topics), created with the others: {@link #topics(TopicNames)}, {@link #topicConfig(String)}.
 * See docs/FLEET.md for the design and the scale analysis.
 */
public final class FleetStage {
    private FleetStage() {}

    public static final String ACTIVITY_TAP = "fleet-activity-tap";
    public static final String SINK_ACTIVITY = "fleet-sink-activity";
    public static final String SOURCE_INCIDENTS = "fleet-source-incidents";
    public static final String REKEY = "fleet-rekey";
    public static final String SINK_REPARTITION = "fleet-sink-repartition";
    public static final String SOURCE_REPARTITION = "fleet-source-repartition";
    public static final String SOURCE_ACTIVITY = "fleet-source-activity";
    public static final String WINDOW = "fleet-window";
    public static final String SINK_FLEET_INCIDENTS = "fleet-sink-incidents";

    public static final String OPEN_STORE = "fleet-open-windows";
    public static final String HOSTS_STORE = "fleet-window-hosts";
    public static final String ACTIVE_STORE = "fleet-active-hosts";
    public static final String RECURRENCE_STORE = "fleet-recurrence";

    /** Incidents re-keyed by fleet and trigger, partitioned by fleet: {@code <prefix>.fleet-repartition}. */
    public static String repartitionTopic(TopicNames t) {
        return t.prefix() + ".fleet-repartition";
    }

    /** Heartbeats, keyed by host, partitioned by fleet, compacted: {@code <prefix>.fleet-activity}. */
    public static String activityTopic(TopicNames t) {
        return t.prefix() + ".fleet-activity";
    }

    /** The topics the stage adds to handoff's catalogue; create them with the same partition count as the others. */
    public static List<String> topics(TopicNames t) {
        return List.of(repartitionTopic(t), activityTopic(t));
    }

    /**
     * Topic configuration for {@code NewTopic.configs(...)}: the activity topic is compacted (the latest
     * heartbeat per host is all that matters, so it stays as small as the fleet); the repartition topic
     * is read once, but its record times are the incidents' event times (the window reads them), so
     * time-based retention would delete the members of a catch-up of old logs before they are read: it is
     * bounded by size instead (256 MiB per partition, about a million members).
     */
    public static Map<String, String> topicConfig(String topic) {
        if (topic.endsWith(".fleet-activity")) {
            return Map.of("cleanup.policy", "compact");
        }
        if (topic.endsWith(".fleet-repartition")) {
            return Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", String.valueOf(256L << 20));
        }
        return Map.of();
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

    /** {@link #addTo(Topology, HandoffConfig, HandoffMetrics)} with a private counter registry. */
    public static void addTo(Topology topology, HandoffConfig config) {
        addTo(topology, config, new HandoffMetrics());
    }

    /**
     * Adds the fleet stage to a topology that already holds handoff's correlator (built by
     * {@link HandoffTopology#build}): it hangs the activity tap off {@link HandoffTopology#SOURCE_EVENTS}
     * and reads {@code handoff.incidents}. Avro serdes are configured from {@code config.streams()}.
     */
    public static void addTo(Topology topology, HandoffConfig config, HandoffMetrics metrics) {
        addTo(topology, config, metrics, CloseGate.always());
    }

    /** As above, with the replay's gate on the wall-clock idle close ({@link CloseGate}). */
    public static void addTo(Topology topology, HandoffConfig config, HandoffMetrics metrics, CloseGate idle) {
        TopicNames t = config.topics();
        SpecificAvroSerde<Incident> incidents = SpecificAvroSerde.forValues(Incident.class, config.streams());
        Serde<FleetIncident> fleetIncidents = HandoffTopology.outputSerde(FleetIncident.class, config, metrics);

        topology.addProcessor(ACTIVITY_TAP, () -> new ActivityTap(SINK_ACTIVITY), HandoffTopology.SOURCE_EVENTS);
        topology.addSink(SINK_ACTIVITY, activityTopic(t), new StringSerializer(), Heartbeat.SERDE.serializer(),
                new FleetPartitioner<String, Heartbeat>(Heartbeat::fleet), ACTIVITY_TAP);

        topology.addSource(AutoOffsetReset.earliest(), SOURCE_INCIDENTS, new StringDeserializer(),
                incidents.deserializer(), t.incidents());
        topology.addProcessor(REKEY, () -> new FleetRekey(SINK_REPARTITION), SOURCE_INCIDENTS);
        topology.addSink(SINK_REPARTITION, repartitionTopic(t), new StringSerializer(), Member.SERDE.serializer(),
                new FleetPartitioner<String, Member>(Member::fleet), REKEY);

        topology.addSource(AutoOffsetReset.earliest(), SOURCE_REPARTITION, new StringDeserializer(),
                Member.SERDE.deserializer(), repartitionTopic(t));
        topology.addSource(AutoOffsetReset.earliest(), SOURCE_ACTIVITY, new StringDeserializer(),
                Heartbeat.SERDE.deserializer(), activityTopic(t));
        topology.addProcessor(WINDOW, () -> new FleetWindowProcessor(config, metrics, idle),
                SOURCE_REPARTITION, SOURCE_ACTIVITY);
        topology.addStateStore(store(OPEN_STORE, WindowHeader.SERDE), WINDOW);
        topology.addStateStore(store(HOSTS_STORE, Member.SERDE), WINDOW);
        topology.addStateStore(store(ACTIVE_STORE, Serdes.Long()), WINDOW);
        topology.addStateStore(store(RECURRENCE_STORE, WindowHeader.HISTORY), WINDOW);
        topology.addSink(SINK_FLEET_INCIDENTS, t.fleetIncidents(), new StringSerializer(), fleetIncidents.serializer(),
                WINDOW);
    }

    /**
     * Open fleet windows in the running application's local stores (interactive query over
     * {@value #OPEN_STORE}); -1 while the store cannot be queried (starting, rebalancing). A replay
     * is finished when this is 0 after the incidents and the fleet topics are consumed: windows close
     * when the fleet's event time passes them, and the rest after {@code idleClose} of wall-clock
     * silence of the stage's input.
     */
    public static long openWindows(KafkaStreams streams) {
        try {
            ReadOnlyKeyValueStore<String, WindowHeader> store = streams.store(
                    StoreQueryParameters.fromNameAndType(OPEN_STORE, QueryableStoreTypes.<String, WindowHeader>keyValueStore()));
            long n = 0;
            try (KeyValueIterator<String, WindowHeader> it = store.all()) {
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
            }
            return n;
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde)
                .withLoggingEnabled(Map.of());
    }

}
