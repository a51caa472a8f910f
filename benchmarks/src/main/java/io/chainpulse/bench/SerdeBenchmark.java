package io.chainpulse.bench;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.registry.InMemorySchemaRegistry;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of encoding and decoding one {@link ProtocolEvent} in the Confluent wire format, schema id already cached
 * (the steady state: the registry is called once per topic).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class SerdeBenchmark {
    private static final String TOPIC = Topics.EVENTS.name();

    private AvroSerializer<ProtocolEvent> serializer;
    private AvroDeserializer<ProtocolEvent> deserializer;
    private ProtocolEvent event;
    private byte[] bytes;

    @Setup
    public void setUp() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("bench");
        serializer = new AvroSerializer<>(registry, true);
        deserializer = new AvroDeserializer<>(ProtocolEvent.class, registry);
        event = ProtocolEvent.newBuilder()
                .setEventId("v7-000000001234")
                .setEventType(EventType.block_finalization)
                .setTimestampNs(1_753_784_501_635_923_000L)
                .setNodeId("v7")
                .setChainId("mainnet")
                .setHeight(18_000_123L)
                .setBlockHash("0x9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f")
                .setTxCount(142)
                .setGasUsed(14_988_123L)
                .setSizeBytes(88_123L)
                .setLeader("v3")
                .setMetadata(Map.of("client", "geth/1.14.8"))
                .build();
        bytes = serializer.serialize(TOPIC, event);
    }

    @Benchmark
    public byte[] encode() {
        return serializer.serialize(TOPIC, event);
    }

    @Benchmark
    public ProtocolEvent decode() {
        return deserializer.deserialize(TOPIC, bytes);
    }
}
