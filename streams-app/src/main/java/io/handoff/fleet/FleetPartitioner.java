package io.handoff.fleet;

import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Partitions the fleet stage's two inputs by <em>fleet label alone</em> (murmur2 of the label, ""
 * for the default fleet), so that a fleet's heartbeats and all its incidents, whatever their root
 * cause, meet in one task: the task that counts the fleet's active hosts is the one that closes its
 * windows. Both are Kafka Streams repartition topics that take the partition count of their input
 * ({@code handoff.incidents}, {@code handoff.events}), which must be equal, as for every host-keyed topic.
 */
final class FleetPartitioner<K, V> implements StreamPartitioner<K, V> {
    private final Function<V, String> fleetOf;

    FleetPartitioner(Function<V, String> fleetOf) {
        this.fleetOf = fleetOf;
    }

    static int partition(String fleet, int numPartitions) {
        byte[] b = (fleet == null ? "" : fleet).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(b)) % numPartitions;
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, K key, V value, int numPartitions) {
        return Optional.of(Set.of(partition(fleetOf.apply(value), numPartitions)));
    }
}
