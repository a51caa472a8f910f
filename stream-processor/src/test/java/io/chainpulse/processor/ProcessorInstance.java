package io.chainpulse.processor;

import java.util.HashMap;
import java.util.Map;

/**
 * A processor instance in a JVM of its own, for tests that kill it: {@code ProcessorInstance key=value…} with
 * {@link ProcessorConfig} keys, plus {@code streams.}-prefixed Kafka Streams settings. Prints {@value #RUNNING} each
 * time Kafka Streams reaches RUNNING, and runs until it is killed.
 */
public final class ProcessorInstance {
    static final String RUNNING = "processor instance RUNNING";
    /** Printed with UP or DOWN each time {@link StreamProcessorApp#healthy()} changes. */
    static final String HEALTH = "processor instance health ";

    private ProcessorInstance() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, Object> settings = new HashMap<>();
        Map<String, Object> streams = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String key = arg.substring(0, eq);
            if (key.startsWith("streams.")) {
                streams.put(key.substring("streams.".length()), arg.substring(eq + 1));
            } else {
                settings.put(key, arg.substring(eq + 1));
            }
        }
        StreamProcessorApp app = new StreamProcessorApp(new ProcessorConfig(settings), streams);
        app.start();
        // polled: the app's own state listener watches for a fatal error
        org.apache.kafka.streams.KafkaStreams.State last = null;
        boolean healthy = false;
        System.out.println(HEALTH + "DOWN");
        while (true) {
            org.apache.kafka.streams.KafkaStreams.State now = app.streams().state();
            if (now == org.apache.kafka.streams.KafkaStreams.State.RUNNING && last != now) {
                System.out.println(RUNNING);
                System.out.flush();
            }
            last = now;
            if (app.healthy() != healthy) { // what /health would answer, as it changes
                healthy = !healthy;
                System.out.println(HEALTH + (healthy ? "UP" : "DOWN"));
                System.out.flush();
            }
            Thread.sleep(50);
        }
    }
}
