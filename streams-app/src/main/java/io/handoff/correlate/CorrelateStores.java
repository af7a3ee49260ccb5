package io.handoff.correlate;

import io.handoff.avro.HostClock;
import io.handoff.avro.LogEvent;
import io.handoff.avro.LookbackRing;
import io.handoff.avro.OpenIncident;
import io.handoff.serde.VersionedAvroSerde;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.List;
import java.util.Map;

/**
 * The correlator's four stores: names, keys, typed value serdes. Every value is a versioned Avro record
 * ({@link VersionedAvroSerde}: the bytes name the schema version they were written with, resolved
 * against {@code avro-history} when read), and each store that existed before this layout keeps its
 * name and reads what the previous encoding wrote, so changelogs restore across the upgrade.
 *
 * <table>
 *   <caption>stores</caption>
 *   <tr><th>store</th><th>key</th><th>value</th><th>who has an entry</th></tr>
 *   <tr><td>{@value #CLOCK}</td><td>host</td><td>{@link HostClock}: per-source clocks, where the last closed
 *       incident ended, recent access counts</td><td>every host (a quiet host costs this alone)</td></tr>
 *   <tr><td>{@value #OPEN}</td><td>host</td><td>{@link OpenIncident}: counters of the open incident or
 *       pending warning</td><td>hosts with one open (the index of open incidents)</td></tr>
 *   <tr><td>{@value #LOOKBACK}</td><td>host</td><td>{@link LookbackRing}: counters of the look-back
 *       ring</td><td>hosts with evidence and nothing open</td></tr>
 *   <tr><td>{@value #LINES}</td><td>{@code host NUL i|l NUL kind NUL slot}</td><td>{@link LogEvent}: one kept line
 *       (slots: an incident's look-back {@code b0..b7}, from its first error on {@code a0..a8}; a ring's {@code 0..15})</td>
 *       <td>the kept lines of open incidents ({@code i}) and look-back rings ({@code l})</td></tr>
 * </table>
 *
 * All four are logged (changelog {@code <application.id>-<store>-changelog}) and cached: they are
 * written per record.
 */
public final class CorrelateStores {
    private CorrelateStores() {}

    public static final String CLOCK = "correlate-host-clock";
    public static final String OPEN = "correlate-open-incidents";
    public static final String LOOKBACK = "correlate-lookback";
    public static final String LINES = "correlate-lines";

    /** All of them, in the order the processor declares them. */
    public static final List<String> NAMES = List.of(CLOCK, OPEN, LOOKBACK, LINES);

    /** The store builders, for {@code Topology.addStateStore}. */
    public static List<StoreBuilder<?>> builders() {
        return List.of(store(CLOCK, valueSerde(CLOCK)), store(OPEN, valueSerde(OPEN)), store(LOOKBACK, valueSerde(LOOKBACK)),
                store(LINES, valueSerde(LINES)));
    }

    /**
     * A new serde of a store's values (with the reader of the encoding that predates it), for the
     * store builders and for whoever measures or inspects the state.
     */
    public static Serde<?> valueSerde(String store) {
        switch (store) {
            case CLOCK: return VersionedAvroSerde.of(HostClock.class, LegacyState::clock);
            case OPEN: return VersionedAvroSerde.of(OpenIncident.class, LegacyState::open);
            case LOOKBACK: return VersionedAvroSerde.of(LookbackRing.class, LegacyState::ring);
            case LINES: return VersionedAvroSerde.of(LogEvent.class);
            default: throw new IllegalArgumentException("no correlator store named '" + store + "': expected one of " + NAMES);
        }
    }

    @SuppressWarnings("unchecked")
    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<?> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), (Serde<V>) values)
                .withLoggingEnabled(Map.of())
                .withCachingEnabled();
    }

    // ---- keys of the lines store ----

    static final char SEP = '\u0000';
    /** Namespace of an open incident's kept lines. */
    static final char INCIDENT = 'i';
    /** Namespace of a look-back ring's lines. */
    static final char RING = 'l';

    /** Prefix of every kept line of {@code host} in namespace {@code ns}. */
    static String linePrefix(String host, char ns) {
        return host + SEP + ns + SEP;
    }

    /** {@code slot}: {@code b0}..{@code b7} (an incident's look-back), {@code a0}..{@code a8} (from its first error on), {@code 0}..{@code 15} (a ring). */
    static String lineKey(String host, char ns, String kind, String slot) {
        return linePrefix(host, ns) + kind + SEP + slot;
    }
}
