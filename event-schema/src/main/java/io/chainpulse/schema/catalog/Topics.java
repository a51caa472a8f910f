package io.chainpulse.schema.catalog;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import java.time.Duration;
import java.util.List;

/**
 * The topic catalog: every topic between ChainPulse's modules, named once (modules meet only through these). Kafka
 * Streams' internal repartition and changelog topics are not listed: each application owns and names them.
 * {@code up}, {@code demo} and {@code docker/init/topic-init.sh} create exactly these.
 */
public final class Topics {
    private static final Duration DAY = Duration.ofDays(1);

    /** The default names as compile-time constants, for annotations (picocli defaults); code uses the topics. */
    public static final class Names {
        public static final String EVENTS = "chainpulse.events";
        public static final String RESOURCES = "chainpulse.resources";
        public static final String KPIS = "chainpulse.kpis";
        public static final String LATE_EVENTS = "chainpulse.late-events";
        public static final String ANOMALIES = "chainpulse.anomalies";
        public static final String ANOMALIES_CURRENT = "chainpulse.anomalies.current";
        public static final String DEAD_LETTERS = "chainpulse.dead-letters";
        public static final String SINK_ES_DLQ = "chainpulse.sink-es.dlq";

        private Names() {}
    }

    public static final Topic<String, ProtocolEvent> EVENTS = new Topic<>(Names.EVENTS, String.class,
            ProtocolEvent.class, false, null, "node id",
            "producer SDK, `ingest`, `replay`, other-language producers", "stream-processor",
            "protocol events from the nodes (retained by size: replays and restarts re-read them)");
    public static final Topic<String, NodeResourceSample> RESOURCES = new Topic<>(Names.RESOURCES,
            String.class, NodeResourceSample.class, false, DAY.multipliedBy(7), "node id",
            "producer SDK (`collectResources`, `recordResources`), `collect`", "stream-processor",
            "node resource samples");
    public static final Topic<String, KpiWindow> KPIS = new Topic<>(Names.KPIS, String.class,
            KpiWindow.class, false, DAY.multipliedBy(30), "metric|scope|node|window start", "stream-processor",
            "anomaly-detector, sink-es, sink-pushgateway, dashboard, `report`", "final KPI windows");
    public static final Topic<String, ProtocolEvent> LATE_EVENTS = new Topic<>(Names.LATE_EVENTS,
            String.class, ProtocolEvent.class, false, DAY.multipliedBy(7), "node id", "stream-processor",
            "operators (`./chainpulse tail`)", "late and future events with their reason");
    public static final Topic<String, Anomaly> ANOMALIES = new Topic<>(Names.ANOMALIES, String.class,
            Anomaly.class, false, DAY.multipliedBy(30), "incident id", "anomaly-detector",
            "sink-es, notify, `alerts`, dashboard, `report`", "anomaly transitions");
    public static final Topic<String, Anomaly> ANOMALIES_CURRENT = new Topic<>(Names.ANOMALIES_CURRENT,
            String.class, Anomaly.class, true, null, "incident id", "anomaly-detector", "sink-pushgateway, notify",
            "current state per incident (compacted: sinks rebuild from it)");
    public static final Topic<byte[], byte[]> DEAD_LETTERS = new Topic<>(Names.DEAD_LETTERS, byte[].class,
            byte[].class, false, DAY.multipliedBy(30), "the source record's key bytes", "every service",
            "operators (`./chainpulse dead-letters`)", "records a service could not decode or process");

    public static final Topic<byte[], byte[]> SINK_ES_DLQ = new Topic<>(Names.SINK_ES_DLQ, byte[].class,
            byte[].class, false, DAY.multipliedBy(30), "the source record's key bytes", "sink-es",
            "operators", "KPI and anomaly records Elasticsearch rejected for good, with the reason in headers");

    /** Every topic, in pipeline order. */
    public static final List<Topic<?, ?>> ALL = List.of(EVENTS, RESOURCES, KPIS, LATE_EVENTS, ANOMALIES,
            ANOMALIES_CURRENT, DEAD_LETTERS, SINK_ES_DLQ);

    private Topics() {}

    /** The names of every topic. */
    public static List<String> names() {
        return ALL.stream().map(Topic::name).toList();
    }

    /** The names of the topics whose values are Avro (one registry subject each). */
    public static List<String> avroNames() {
        return ALL.stream().filter(Topic::avro).map(Topic::name).toList();
    }
}
