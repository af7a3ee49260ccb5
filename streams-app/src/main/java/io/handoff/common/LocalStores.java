package io.handoff.common;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Interactive queries over the running application's local key-value stores. */
public final class LocalStores {
    private LocalStores() {}

    /**
     * Entries of the key-value store {@code name} in this instance's tasks; -1 while the store cannot be
     * queried (starting, rebalancing).
     */
    public static long count(KafkaStreams streams, String name) {
        try {
            ReadOnlyKeyValueStore<Object, Object> store = streams.store(
                    StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
            long n = 0;
            try (KeyValueIterator<Object, Object> it = store.all()) {
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
}
