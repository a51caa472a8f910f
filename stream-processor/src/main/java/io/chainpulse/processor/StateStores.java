package io.chainpulse.processor;

import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor's own key-value stores: RocksDB with changelog topics for the service; in memory without changelogs
 * for a batch run over a file (nothing to recover, and every changelog record would cost a trip through the driver).
 */
final class StateStores {
    private StateStores() {}

    /**
     * The service's stores are cached (Kafka Streams' record cache, flushed on every commit): a start event's entry
     * that its complete event deletes within the same commit interval never reaches RocksDB or the changelog.
     */
    static <S extends org.apache.kafka.streams.processor.StateStore> StoreBuilder<S> logged(StoreBuilder<S> builder,
                                                                                           ProcessorConfig config) {
        return config.inMemoryStores() ? builder.withLoggingDisabled() : builder.withCachingEnabled();
    }

    static KeyValueBytesStoreSupplier keyValue(String name, ProcessorConfig config) {
        return config.inMemoryStores() ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name);
    }
}
