package io.chainpulse.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.tools.ConsumerPerformance;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * Kafka's own ProducerPerformance and ConsumerPerformance, run in this JVM against the same broker and topic sizes
 * as the pipeline under test, so every ChainPulse figure is reported next to the ceiling Kafka itself reaches.
 */
final class KafkaCeiling {
    private static final Pattern PRODUCER_RATE = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec");

    private KafkaCeiling() {}

    /** Records/s of ProducerPerformance: {@code records} of {@code recordSize} bytes, lz4, linger 5 ms, acks=all. */
    static double producerRecordsPerSecond(String bootstrap, String topic, long records, int recordSize) {
        String out = capture(() -> ProducerPerformance.main(new String[] {
            "--bootstrap-server", bootstrap, "--topic", topic,
            "--num-records", Long.toString(records), "--record-size", Integer.toString(recordSize),
            "--throughput", "-1",
            "--command-property", "compression.type=lz4", "linger.ms=5", "acks=all", "batch.size=65536"}));
        Matcher last = null;
        for (Matcher m = PRODUCER_RATE.matcher(out); m.find(); ) {
            last = PRODUCER_RATE.matcher(m.group());
            last.find();
        }
        if (last == null) {
            throw new IllegalStateException("ProducerPerformance printed no rate:\n" + out);
        }
        return Double.parseDouble(last.group(2));
    }

    /** Records/s of ConsumerPerformance reading {@code records} from the start of {@code topic}. */
    static double consumerRecordsPerSecond(String bootstrap, String topic, long records) {
        String out = capture(() -> ConsumerPerformance.main(new String[] {
            "--bootstrap-server", bootstrap, "--topic", topic, "--messages", Long.toString(records),
            "--timeout", "60000"}));
        // Header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
        String[] lines = out.strip().split("\n");
        for (int i = 0; i < lines.length - 1; i++) {
            if (lines[i].startsWith("start.time")) {
                String[] header = lines[i].split(",\\s*");
                String[] values = lines[i + 1].split(",\\s*");
                for (int c = 0; c < header.length; c++) {
                    if (header[c].trim().equals("nMsg.sec")) {
                        return Double.parseDouble(values[c].trim());
                    }
                }
            }
        }
        throw new IllegalStateException("ConsumerPerformance printed no nMsg.sec:\n" + out);
    }

    private interface Task {
        void run() throws Exception;
    }

    private static String capture(Task task) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            task.run();
        } catch (Exception e) {
            throw new IllegalStateException("Kafka perf tool failed: " + e, e);
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
