package io.chainpulse.bench;

import io.chainpulse.schema.EventType;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.stack.KafkaBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one SDK record call on the node's thread ({@code sdk.event(type).height(h).record()}), as a latency
 * distribution (JMH sample mode: p50, p99 …), with the real local broker up and with nothing listening on the broker
 * port. JMH calls in a tight loop, far faster than any sender can publish, so the buffer is mostly full and most
 * calls take the counted-drop path; {@code SdkLoadHarness} measures the same call at a paced, realistic rate.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@State(Scope.Benchmark)
public class SdkRecordBenchmark {
    @Param({"up", "down"})
    public String broker;

    private KafkaBroker kafka;
    private ChainPulseSdk sdk;
    private Path dir;
    private long height;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sdk-record-bench");
        String bootstrap;
        if (broker.equals("up")) {
            kafka = KafkaBroker.inDirectory(dir.resolve("kafka")).start();
            kafka.createTopics(1, "bench.events");
            bootstrap = kafka.bootstrapServers();
        } else {
            try (ServerSocket socket = new ServerSocket(0)) {
                bootstrap = "127.0.0.1:" + socket.getLocalPort();
            }
        }
        sdk = ChainPulseSdk.builder().nodeId("bench").bootstrapServers(bootstrap)
                .schemaRegistryUrl("mock://record-bench").topic("bench.events")
                .spoolDirectory(dir.resolve("spool")).errorListener((m, c) -> {}).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sdk.close(Duration.ofSeconds(5));
        System.out.println();
        System.out.println("SDK stats (" + broker + "): " + sdk.stats());
        if (kafka != null) {
            kafka.close();
        }
        TempDirs.delete(dir);
    }

    @Benchmark
    public void record() {
        sdk.event(EventType.consensus_vote).height(height++).round(0).record();
    }
}
