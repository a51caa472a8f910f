package io.chainpulse.processor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A key-value store whose every entry lives deserialized in memory and is written back to a logged (RocksDB) store
 * once per commit, instead of being serialized into and out of a store on every access.
 *
 * <p>Why: the processor's stores are small by design — pairs in flight, open windows — but touched by nearly every
 * event. Through Kafka Streams' record cache each access serializes the key, looks it up in a byte-keyed tree, and
 * decodes or encodes the value (for a window, its whole DDSketch); that was the largest cost of the processor's stream
 * threads (benchmarks/README.md). Here an access is a hash lookup on the live object; an entry created and deleted
 * within one commit interval (a pair that completes, a window that opens and closes during catch-up) never reaches
 * RocksDB or the changelog.
 *
 * <p>Exactly-once holds because the write-back happens in {@link #flushCache()}, which Kafka Streams calls on every
 * store before it flushes the producer and commits the transaction with the input offsets — the hook its own record
 * cache uses (the internal {@link CachedStateStore} contract; {@code WriteBackStoreTest} pins it). A committed input
 * offset therefore always has its state changes in the same transaction's changelog records; after a crash the
 * RocksDB store is restored from the changelog and memory reloads from it on first access.
 *
 * <p>Contract for callers: {@link #get} returns the live object; a change to it must be followed by {@link #put}
 * (which marks it for write-back). Memory holds exactly the store's entries, so it is bounded the way the store is.
 * Entries are unordered: only {@link #all()} iterates. Without a changelog and without persistence (a batch run over a
 * file) there is nothing to write back and memory is the store.
 */
final class WriteBackStore<K, V> implements KeyValueStore<K, V>, CachedStateStore<byte[], byte[]> {

    private static final class Entry<K, V> {
        final K key;
        V value; // null: deleted, the tombstone not written back yet
        boolean dirty;
        boolean stored; // the inner store (and its changelog) holds a value for the key

        Entry(K key, V value, boolean stored) {
            this.key = key;
            this.value = value;
            this.stored = stored;
        }
    }

    private final KeyValueStore<Bytes, byte[]> inner;
    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;
    private final boolean writeBack;
    private final Map<K, Entry<K, V>> memory = new HashMap<>();
    private final List<Entry<K, V>> dirty = new ArrayList<>();
    private boolean loaded;

    private WriteBackStore(KeyValueStore<Bytes, byte[]> inner, Serde<K> keySerde, Serde<V> valueSerde,
                           boolean writeBack) {
        this.inner = inner;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.writeBack = writeBack;
    }

    /**
     * RocksDB with a changelog topic underneath for the service; in memory without a changelog for a batch run over a
     * file (nothing to recover, and every changelog record would cost a trip through the driver).
     */
    static <K, V> StoreBuilder<WriteBackStore<K, V>> builder(String name, Serde<K> keySerde, Serde<V> valueSerde,
                                                             ProcessorConfig config) {
        boolean batch = config.inMemoryStores();
        StoreBuilder<KeyValueStore<Bytes, byte[]>> inner = Stores.keyValueStoreBuilder(
                batch ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name), Serdes.Bytes(),
                Serdes.ByteArray()).withCachingDisabled();
        return new Builder<>(batch ? inner.withLoggingDisabled() : inner, keySerde, valueSerde);
    }

    /**
     * Writing back to {@code inner} at each {@link #flushCache()}, whatever {@code inner} is: lets a test stand an
     * in-memory store for RocksDB and its changelog, and crash (drop what was not written back) with {@link #clearCache()}.
     */
    static <K, V> WriteBackStore<K, V> over(KeyValueStore<Bytes, byte[]> inner, Serde<K> keySerde, Serde<V> valueSerde) {
        return new WriteBackStore<>(inner, keySerde, valueSerde, true);
    }

    @Override
    public V get(K key) {
        load();
        Entry<K, V> entry = memory.get(key);
        return entry == null ? null : entry.value;
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            delete(key);
            return;
        }
        load();
        Entry<K, V> entry = memory.get(key);
        if (entry == null) {
            entry = new Entry<>(key, value, false);
            memory.put(key, entry);
        } else {
            entry.value = value;
        }
        markDirty(entry);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public V delete(K key) {
        load();
        Entry<K, V> entry = memory.get(key);
        if (entry == null) {
            return null;
        }
        V old = entry.value;
        if (entry.stored) {
            entry.value = null;
            markDirty(entry);
        } else {
            memory.remove(key); // never written back: nothing to delete underneath
            entry.dirty = false;
        }
        return old;
    }

    /** A snapshot of the entries, unordered: callers may put and delete while iterating. */
    @Override
    public KeyValueIterator<K, V> all() {
        load();
        List<KeyValue<K, V>> snapshot = new ArrayList<>(memory.size());
        for (Entry<K, V> entry : memory.values()) {
            if (entry.value != null) {
                snapshot.add(KeyValue.pair(entry.key, entry.value));
            }
        }
        return new SnapshotIterator<>(snapshot.iterator());
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        throw new UnsupportedOperationException(name() + " keeps its entries unordered: use all()");
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        return all();
    }

    @Override
    public long approximateNumEntries() {
        load();
        return memory.size();
    }

    /** Writes the entries changed since the last commit to the store, so they are in the commit's changelog. */
    @Override
    public void flushCache() {
        if (dirty.isEmpty()) {
            return;
        }
        List<KeyValue<Bytes, byte[]>> writes = new ArrayList<>(dirty.size());
        for (Entry<K, V> entry : dirty) {
            if (!entry.dirty) {
                continue; // deleted before it was ever written back
            }
            entry.dirty = false;
            Bytes key = Bytes.wrap(keySerde.serializer().serialize(inner.name(), entry.key));
            if (entry.value == null) {
                writes.add(KeyValue.pair(key, null));
                memory.remove(entry.key);
            } else {
                writes.add(KeyValue.pair(key, valueSerde.serializer().serialize(inner.name(), entry.value)));
                entry.stored = true;
            }
        }
        dirty.clear();
        inner.putAll(writes);
    }

    /** Forgets the memory (Kafka Streams calls this when it recycles the task); it reloads from the store. */
    @Override
    public void clearCache() {
        memory.clear();
        dirty.clear();
        loaded = false;
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<byte[], byte[]> listener, boolean sendOldValues) {
        return false;
    }

    private void markDirty(Entry<K, V> entry) {
        if (writeBack && !entry.dirty) {
            entry.dirty = true;
            dirty.add(entry);
        }
    }

    private void load() {
        if (loaded) {
            return;
        }
        try (KeyValueIterator<Bytes, byte[]> stored = inner.all()) {
            while (stored.hasNext()) {
                KeyValue<Bytes, byte[]> kv = stored.next();
                K key = keySerde.deserializer().deserialize(inner.name(), kv.key.get());
                memory.put(key, new Entry<>(key, valueSerde.deserializer().deserialize(inner.name(), kv.value), true));
            }
        }
        loaded = true;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        inner.init(context, root);
    }

    @Override
    public void flush() {
        flushCache();
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        flushCache();
        inner.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public void close() {
        clearCache();
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    private record SnapshotIterator<K, V>(Iterator<KeyValue<K, V>> entries) implements KeyValueIterator<K, V> {
        @Override
        public boolean hasNext() {
            return entries.hasNext();
        }

        @Override
        public KeyValue<K, V> next() {
            return entries.next();
        }

        @Override
        public K peekNextKey() {
            throw new NoSuchElementException("peekNextKey is not supported on a snapshot");
        }

        @Override
        public void close() {}
    }

    /** Builds the store around the key-value store underneath; Kafka Streams' record cache is never used (this is the cache). */
    private record Builder<K, V>(StoreBuilder<KeyValueStore<Bytes, byte[]>> inner, Serde<K> keySerde,
                                 Serde<V> valueSerde) implements StoreBuilder<WriteBackStore<K, V>> {
        @Override
        public StoreBuilder<WriteBackStore<K, V>> withCachingEnabled() {
            return this;
        }

        @Override
        public StoreBuilder<WriteBackStore<K, V>> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<WriteBackStore<K, V>> withLoggingEnabled(Map<String, String> config) {
            return new Builder<>(inner.withLoggingEnabled(config), keySerde, valueSerde);
        }

        @Override
        public StoreBuilder<WriteBackStore<K, V>> withLoggingDisabled() {
            return new Builder<>(inner.withLoggingDisabled(), keySerde, valueSerde);
        }

        @Override
        public WriteBackStore<K, V> build() {
            KeyValueStore<Bytes, byte[]> store = inner.build();
            return new WriteBackStore<>(store, keySerde, valueSerde, inner.loggingEnabled() || store.persistent());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
