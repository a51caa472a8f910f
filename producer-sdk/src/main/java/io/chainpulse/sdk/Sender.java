package io.chainpulse.sdk;

import io.chainpulse.schema.NodeIds;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaRegistryException;
import io.chainpulse.schema.serde.ConfluentWireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.jctools.queues.MpscArrayQueue;

/**
 * The SDK's two threads. The <em>sender</em> drains the buffer, encodes each event once (Confluent-framed Avro) and
 * either hands it to the Kafka producer (ONLINE) or appends it to the spool (OFFLINE). The <em>replayer</em>, while
 * OFFLINE, waits until the producer has settled what it was given, sends the spool in order, commits the spool
 * cursor after Kafka's acknowledgement, and switches back to ONLINE once the spool is drained.
 *
 * <p>The buffer also carries resource samples. They take the same path to their own topic and schema subject (a
 * {@link Destination} per {@link SpoolRecord.Kind}); the spool records the kind of each record. The resources topic
 * and its schema are only needed once a sample was seen: the first sample goes through the spool while the replayer
 * registers its schema, so a node that records no samples never depends on that topic.
 *
 * <p>Order: per node, events reach Kafka in record order, except when the producer gives up on a batch after
 * {@code delivery.timeout.ms} (an outage longer than that): those events are spooled behind later ones and may be
 * duplicated if the broker had in fact written them. Within that timeout the idempotent producer resends without
 * duplicates, so a broker restart costs neither loss nor duplication.
 */
final class Sender {
    private static final int DRAIN_BATCH = 4_096;
    private static final int REPLAY_BATCH = 8_192;
    private static final long IDLE_PARK_NANOS = 100_000;
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final MpscArrayQueue<Object> queue;
    private final Producer<String, byte[]> producer;
    private final SchemaRegistryClient registry;
    private final Destination events;
    private final Destination samples;
    private final String nodeId;
    private final String chainId;
    private final String idPrefix;
    private final Spool spool;
    private final Counters counters;
    private final ErrorReporter errors;
    private final long stallTimeoutNanos;
    private final Object modeLock = new Object();
    private final AtomicLong outstanding = new AtomicLong();
    private final ProtocolEvent scratch = new ProtocolEvent();
    private final SpecificDatumWriter<ProtocolEvent> eventWriter = new SpecificDatumWriter<>(ProtocolEvent.class);
    private final SpecificDatumWriter<NodeResourceSample> sampleWriter =
            new SpecificDatumWriter<>(NodeResourceSample.class);
    private final Output out = new Output();
    private BinaryEncoder encoder;
    private long sequence;
    private String lastValidForeignId;
    private volatile boolean online;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile boolean stopping;
    private final Thread senderThread;
    private final Thread replayerThread;

    Sender(MpscArrayQueue<Object> queue, Producer<String, byte[]> producer, SchemaRegistryClient registry,
           String topic, String resourcesTopic, String nodeId, String chainId, String instanceId, Spool spool,
           Counters counters, ErrorReporter errors, Duration stallTimeout) {
        this.queue = queue;
        this.producer = producer;
        this.registry = registry;
        this.events = new Destination(topic, ProtocolEvent.getClassSchema());
        this.events.inUse = true;
        this.samples = new Destination(resourcesTopic, NodeResourceSample.getClassSchema());
        this.nodeId = nodeId;
        this.chainId = chainId;
        this.idPrefix = nodeId + ":" + instanceId + ":";
        this.spool = spool;
        this.counters = counters;
        this.errors = errors;
        this.stallTimeoutNanos = stallTimeout.toNanos();
        this.senderThread = new Thread(this::sendLoop, "chainpulse-sdk-sender-" + nodeId);
        this.replayerThread = new Thread(this::replayLoop, "chainpulse-sdk-replayer-" + nodeId);
        senderThread.setDaemon(true);
        replayerThread.setDaemon(true);
        Thread.UncaughtExceptionHandler died = (thread, e) -> errors.report(thread.getName()
                + " died; events are no longer sent (a bug or a broken class path): " + e, e);
        senderThread.setUncaughtExceptionHandler(died);
        replayerThread.setUncaughtExceptionHandler(died);
    }

    void start() {
        senderThread.start();
        replayerThread.start();
    }

    boolean online() {
        return online;
    }

    long outstanding() {
        return outstanding.get();
    }

    /** Stops both threads after the buffer is drained (to Kafka or to the spool). */
    void stop(Duration timeout) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        senderThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        replayerThread.interrupt();
        replayerThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }

    // ---- sender thread ----

    private void sendLoop() {
        while (true) {
            int n = queue.drain(this::handle, DRAIN_BATCH);
            if (n == 0) {
                flushSpool();
                if (stopping && queue.isEmpty()) {
                    return;
                }
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
            checkStall();
        }
    }

    private void handle(Object item) {
        SpoolRecord.Kind kind;
        byte[] value;
        String key;
        try {
            if (item instanceof NodeResourceSample sample) {
                kind = SpoolRecord.Kind.RESOURCE_SAMPLE;
                key = sample.getNodeId();
                value = encode(sampleWriter, sample);
            } else {
                ProtocolEvent event = item instanceof Event e ? fill(e) : (ProtocolEvent) item;
                kind = SpoolRecord.Kind.EVENT;
                key = event.getNodeId();
                value = encode(eventWriter, event);
            }
        } catch (RuntimeException | IOException e) {
            // only a bug or an invalid hand-built record gets here; never let it kill the sender
            counters.drop(Counters.DropReason.REJECTED);
            errors.report("event could not be encoded and was dropped: " + e.getMessage(), e);
            return;
        }
        if (!validNodeId(key, kind)) {
            return;
        }
        Destination destination = destination(kind);
        synchronized (modeLock) {
            if (online && destination.schemaId < 0) {
                // the first record of its kind: the replayer registers its schema, then sends it from the spool
                // together with whatever comes meanwhile, in order
                destination.inUse = true;
                online = false;
            }
            if (online && send(destination, key, value, liveCallback(kind, key, value))) {
                return;
            }
            if (online) {
                goOffline("the Kafka producer refused new records (buffer full or metadata unavailable)", null);
            }
            spoolOrDrop(kind, key, value);
        }
    }

    /**
     * The node id of a record built elsewhere ({@link ChainPulseSdk#record(ProtocolEvent)}, a resource sample) must
     * pass the one node-id rule, as the SDK's own id did at build time: checked here, on the sender thread, so the
     * node's thread never pays for it and never sees an exception. The last valid id is remembered, so a stream of
     * records of one node costs one string comparison each.
     */
    private boolean validNodeId(String key, SpoolRecord.Kind kind) {
        if (nodeId.equals(key) || (key != null && key.equals(lastValidForeignId))) {
            return true;
        }
        var problem = NodeIds.problem(key);
        if (problem.isEmpty()) {
            lastValidForeignId = key;
            return true;
        }
        counters.drop(Counters.DropReason.INVALID_NODE_ID);
        errors.report((kind == SpoolRecord.Kind.EVENT ? "an event" : "a resource sample")
                + " was dropped (invalid_node_id): " + problem.get(), null);
        return false;
    }

    private Destination destination(SpoolRecord.Kind kind) {
        return kind == SpoolRecord.Kind.EVENT ? events : samples;
    }

    private ProtocolEvent fill(Event e) {
        ProtocolEvent p = scratch;
        p.setEventId(e.eventId != null ? e.eventId : idPrefix + sequence++);
        p.setEventType(e.type);
        p.setTimestampNs(e.timestampNs);
        p.setNodeId(e.nodeId != null ? e.nodeId : nodeId);
        p.setChainId(chainId);
        p.setTxId(e.txId);
        p.setHeight(e.height);
        p.setBlockHash(e.blockHash);
        p.setRound(e.round);
        p.setTxCount(e.txCount);
        p.setGasUsed(e.gasUsed);
        p.setSizeBytes(e.sizeBytes);
        p.setDurationNs(e.durationNs);
        p.setStatus(e.status);
        p.setLeader(e.leader);
        p.setMetadata(e.metadata != null ? e.metadata : Collections.emptyMap());
        return p;
    }

    /** Confluent-framed Avro; the schema id is stamped when sent (it may not be known yet). */
    private <T extends SpecificRecord> byte[] encode(SpecificDatumWriter<T> writer, T record) throws IOException {
        out.reset();
        out.write(new byte[ConfluentWireFormat.HEADER_SIZE], 0, ConfluentWireFormat.HEADER_SIZE);
        encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
        writer.write(record, encoder);
        return out.toByteArray();
    }

    private Callback liveCallback(SpoolRecord.Kind kind, String key, byte[] value) {
        long sentAt = System.nanoTime();
        return (metadata, exception) -> {
            if (exception == null) {
                counters.sent.increment();
                counters.recordLatency(System.nanoTime() - sentAt);
                lastProgressNanos = System.nanoTime();
            } else if (refusedLogin(exception)) {
                synchronized (modeLock) {
                    goOffline(kafkaFailure(exception), exception);
                    spoolOrDrop(kind, key, value);
                }
            } else if (exception instanceof RetriableException || exception instanceof org.apache.kafka.common.errors.TimeoutException) {
                synchronized (modeLock) {
                    goOffline("Kafka did not acknowledge within delivery.timeout.ms", exception);
                    spoolOrDrop(kind, key, value);
                }
            } else {
                counters.drop(Counters.DropReason.REJECTED);
                errors.report("Kafka refused an event for good: " + exception.getMessage(), exception);
            }
            outstanding.decrementAndGet();
        };
    }

    private boolean send(Destination destination, String key, byte[] value, Callback callback) {
        ConfluentWireFormat.writeHeader(value, destination.schemaId);
        if (outstanding.getAndIncrement() == 0) {
            lastProgressNanos = System.nanoTime();
        }
        try {
            producer.send(new ProducerRecord<>(destination.topic, key, value), callback);
            return true;
        } catch (KafkaException e) {
            // send() threw: the record was not taken, no callback will come
            outstanding.decrementAndGet();
            return false;
        }
    }

    private void spoolOrDrop(SpoolRecord.Kind kind, String key, byte[] value) {
        byte[] record;
        try {
            record = new SpoolRecord(kind, key, value).encode();
        } catch (IllegalArgumentException e) {
            counters.drop(Counters.DropReason.REJECTED);
            errors.report("an event could not be spooled and was dropped: " + e.getMessage(), e);
            return;
        }
        try {
            if (spool.append(record)) {
                counters.spooled.increment();
            } else {
                counters.drop(Counters.DropReason.SPOOL_FULL);
                errors.report("the spool in " + spool.directory() + " is full: events are being dropped", null);
            }
        } catch (IOException e) {
            counters.drop(Counters.DropReason.SPOOL_FULL);
            errors.report("cannot write the spool in " + spool.directory() + ": " + e.getMessage(), e);
        }
    }

    private void checkStall() {
        if (online && outstanding.get() > 0 && System.nanoTime() - lastProgressNanos > stallTimeoutNanos) {
            synchronized (modeLock) {
                goOffline("Kafka acknowledged nothing for " + TimeUnit.NANOSECONDS.toMillis(stallTimeoutNanos)
                        + " ms", null);
            }
        }
    }

    /**
     * A refused login (SASL or TLS) or a denied permission: the operator's to fix, in the configuration or the ACLs,
     * never the event's fault, so the events wait in the spool (which outlives a restart with the right settings).
     */
    static boolean refusedLogin(Throwable e) {
        return e instanceof AuthenticationException || e instanceof AuthorizationException;
    }

    /**
     * The error to tell: a refused login named as such, with the settings to check; no answer in time as such (it may
     * be a refused login not told yet); anything else as unreachable.
     */
    static String kafkaFailure(Throwable e) {
        if (e instanceof AuthenticationException) {
            return "Kafka refused the SDK's credentials (" + e.getMessage() + "); check security.protocol, "
                    + "sasl.mechanism, sasl.jaas.config and the ssl.truststore settings";
        }
        if (e instanceof AuthorizationException) {
            return "Kafka denied the SDK's principal access (" + e.getMessage() + "); it needs WRITE and DESCRIBE on "
                    + "the events and resources topics";
        }
        if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
            // no answer within max.block.ms: a broker down or out of reach, and a login it refuses (which the client
            // tells only now and then, to one of its callers), look the same here
            return "no answer from Kafka (" + e.getMessage() + "): is it up and reachable, and do security.protocol, "
                    + "sasl.* and ssl.* match its listener?";
        }
        return "Kafka unreachable (" + e.getMessage() + ")";
    }

    private void goOffline(String why, Throwable cause) {
        if (online) {
            online = false;
            errors.report(why + "; spooling events to " + spool.directory(), cause);
        }
    }

    private void flushSpool() {
        try {
            spool.flush();
        } catch (IOException e) {
            errors.report("cannot flush the spool in " + spool.directory() + ": " + e.getMessage(), e);
        }
    }

    // ---- replayer thread ----

    private void replayLoop() {
        Duration backoff = MIN_BACKOFF;
        while (!stopping) {
            try {
                if (online || outstanding.get() > 0) {
                    // online: nothing to replay; outstanding: the producer still holds records sent before the
                    // outage, which must be settled first to keep the order
                    Thread.sleep(20);
                    continue;
                }
                if (replayOnce()) {
                    backoff = MIN_BACKOFF;
                } else {
                    Thread.sleep(backoff.toMillis());
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | IOException e) {
                errors.report("replaying the spool failed: " + e.getMessage(), e);
                spool.rewind();
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** One step while offline; false when Kafka or the registry is still unreachable. */
    private boolean replayOnce() throws IOException {
        if (!ready(events) || (samples.inUse && !ready(samples))) {
            return false;
        }
        Spool.Batch batch = spool.read(REPLAY_BATCH);
        for (String corruption : batch.corruptions()) {
            errors.report(corruption + ": the events in those bytes are lost (" + spool.corruptRecords()
                    + " corrupt spool record(s) so far)", null);
        }
        if (batch.entries().isEmpty()) {
            synchronized (modeLock) {
                if (spool.drained()) {
                    online = true;
                    lastProgressNanos = System.nanoTime();
                    errors.recovered("Kafka reachable: events go straight to the broker again");
                }
            }
            return true;
        }
        return replay(batch);
    }

    /** Registers the destination's schema unless done, and checks that Kafka knows its topic; false when not. */
    private boolean ready(Destination destination) {
        if (destination.schemaId < 0) {
            try {
                destination.schemaId = registry.register(destination.subject, destination.schema);
            } catch (SchemaRegistryException e) {
                if (e.httpStatus().orElse(0) == 409) {
                    // a newer or foreign schema the subject's compatibility level forbids: nothing is dropped, the
                    // events wait in the spool until the registry accepts ours (level relaxed, subject cleaned up)
                    errors.report("the schema registry refused the schema of subject '" + destination.subject
                            + "' as incompatible; events are kept in the spool (" + spool.directory()
                            + ") until it is accepted. Registry: " + e.getMessage(), e);
                } else {
                    errors.report("schema registry unreachable or refused the schema of subject "
                            + destination.subject + ": " + e.getMessage(), e);
                }
                return false;
            } catch (RuntimeException e) {
                errors.report("schema registry unreachable or refused the schema of subject " + destination.subject
                        + ": " + e.getMessage(), e);
                return false;
            }
        }
        try {
            producer.partitionsFor(destination.topic);
        } catch (KafkaException e) {
            errors.report(kafkaFailure(e), e);
            return false;
        }
        return true;
    }

    private boolean replay(Spool.Batch batch) throws IOException {
        List<Spool.Entry> entries = batch.entries();
        BitSet settled = new BitSet(entries.size());
        // set by a failed send; KafkaProducer reports some failures (metadata timeout) through the callback, inside
        // send(): stop there, or the entries after it would be acknowledged, rewound and sent twice
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        for (int i = 0; i < entries.size(); i++) {
            int index = i;
            SpoolRecord record = SpoolRecord.decode(entries.get(i).data());
            Destination destination = destination(record.kind());
            if (destination.schemaId < 0) {
                // the first of its kind in this run (e.g. spooled by an earlier run): register its schema first
                destination.inUse = true;
                if (!ready(destination)) {
                    break;
                }
            }
            boolean taken = send(destination, record.key(), record.value(), (metadata, exception) -> {
                if (exception == null) {
                    counters.replayed.increment();
                    counters.sent.increment();
                    lastProgressNanos = System.nanoTime();
                    synchronized (settled) {
                        settled.set(index);
                    }
                } else if (refusedLogin(exception)) {
                    failed.set(true);
                    errors.report("replaying the spool paused: " + kafkaFailure(exception), exception);
                } else if (exception instanceof RetriableException
                        || exception instanceof org.apache.kafka.common.errors.TimeoutException) {
                    failed.set(true);
                    errors.report("replaying the spool paused, Kafka did not take a spooled event: " + exception, exception);
                } else {
                    counters.drop(Counters.DropReason.REJECTED);
                    errors.report("Kafka refused a spooled event for good: " + exception.getMessage(), exception);
                    synchronized (settled) {
                        settled.set(index);
                    }
                }
                outstanding.decrementAndGet();
            });
            if (!taken || failed.get()) {
                break;
            }
        }
        producer.flush();
        int prefix;
        synchronized (settled) {
            prefix = settled.nextClearBit(0);
        }
        if (prefix > 0) {
            spool.commit(entries.get(prefix - 1).end());
        }
        if (prefix < entries.size()) {
            spool.rewind();
            return false;
        }
        return true;
    }

    /** Where one kind of record goes: its topic, its schema subject {@code <topic>-value} and the schema's id. */
    private static final class Destination {
        final String topic;
        final String subject;
        final Schema schema;
        /** -1 until the replayer registered the schema. */
        volatile int schemaId = -1;
        /** Once true, the replayer keeps this destination ready before it goes ONLINE. */
        volatile boolean inUse;

        Destination(String topic, Schema schema) {
            this.topic = topic;
            this.subject = topic + "-value";
            this.schema = schema;
        }
    }

    /** A ByteArrayOutputStream without synchronisation, reused for every event. */
    private static final class Output extends ByteArrayOutputStream {
        Output() {
            super(512);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        private void ensure(int extra) {
            if (count + extra > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + extra));
            }
        }

        @Override
        public void reset() {
            count = 0;
        }

        @Override
        public byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf, count);
        }
    }
}
