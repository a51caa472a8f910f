package io.chainpulse.processor;

import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * Where the processor's stores keep their bytes: RocksDB with changelog topics for the service; in memory without
 * changelogs for a batch run over a file (nothing to recover, and every changelog record would cost a trip through the
 * driver). Processors see them through {@link WriteBackStore}.
 */
final class StateStores {
    private StateStores() {}

    static KeyValueBytesStoreSupplier keyValue(String name, ProcessorConfig config) {
        return config.inMemoryStores() ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name);
    }
}
