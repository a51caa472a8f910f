package io.chainpulse.dashboard;

import java.util.Map;
import io.chainpulse.schema.serde.AvroSerdeConfig;
import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A live web page on localhost showing the pipeline's KPIs and anomalies: network TPS, consensus latency
 * p50/p95/p99 per node, propagation delay p95 per node, block time, and the anomaly feed, refreshed every second.
 *
 * <pre>{@code
 * try (Dashboard dashboard = Dashboard.builder()
 *         .bootstrapServers("127.0.0.1:9092")
 *         .schemaRegistryUrl("http://127.0.0.1:8081/apis/ccompat/v7")
 *         .port(8088)                                    // 0: any free port
 *         .build()) {                                    // every bad setting named at once
 *     dashboard.start();
 *     System.out.println("open " + dashboard.uri());
 *     ...
 * }
 * }</pre>
 *
 * <p>It is a consumer of its own: it reads the KPI topic ({@code KpiWindow}) and the anomaly topic ({@code Anomaly}
 * transitions) with every partition assigned — no consumer group, nothing committed — starting from the last
 * {@value #HISTORY_MINUTES} minutes, and keeps a bounded view in memory (see {@link DashboardView}: 15 minutes of
 * windows per metric, scope and node, at most 900 windows per series and 512 series, the last 200 anomaly
 * transitions). Browsers only read that view, so any number of open pages never touch Kafka or the pipeline.
 * The server listens on the loopback interface only.
 */
public final class Dashboard implements AutoCloseable {
    static final int HISTORY_MINUTES = 15;
    static final Duration HISTORY = Duration.ofMinutes(HISTORY_MINUTES);

    private final Builder settings;
    private final DashboardView view = new DashboardView(HISTORY);
    private final DeadLetterCounter deadLetters = new DeadLetterCounter("dashboard");
    private DashboardServer server;
    private TopicTail tail;
    private Thread consumerThread;
    private boolean closed;
    private final CompletableFuture<String> died = new CompletableFuture<>();

    private Dashboard(Builder settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the consumer and the HTTP server; returns once the page is being served. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("dashboard closed; build a new one");
        }
        if (server != null) {
            throw new IllegalStateException("dashboard already started at " + server.uri());
        }
        DashboardServer started = new DashboardServer(settings.bind, settings.port, view);
        try {
            tail = new TopicTail(settings.bootstrapServers, settings.clientSettings,
                    AvroSerdeConfig.registryClient(settings.schemaRegistryUrl, settings.clientSettings),
                    settings.kpiTopic, settings.anomalyTopic, HISTORY, view, Clock.systemUTC(), deadLetters);
        } catch (RuntimeException e) { // e.g. no resolvable bootstrap server
            started.close();
            throw e;
        }
        server = started;
        TopicTail consumer = tail;
        consumerThread = new Thread(() -> {
            try {
                consumer.run();
            } catch (RuntimeException | Error e) {
                died.complete(e.getMessage() != null ? e.getMessage() : e.toString());
                throw e;
            }
        }, "chainpulse-dashboard-consumer");
        consumerThread.setDaemon(true);
        consumerThread.start();
    }

    /** Where the page is, e.g. {@code http://127.0.0.1:8088/}. */
    public synchronized URI uri() {
        if (server == null) {
            throw new IllegalStateException("dashboard not started: call start() first");
        }
        return server.uri();
    }

    DashboardView view() {
        return view;
    }

    /** Records the dashboard sent to the dead letters, by source topic. */
    public DeadLetterCounter deadLetters() {
        return deadLetters;
    }

    /** False while the consumer waits for the schema registry, after it {@link #died()} (or before start). */
    public synchronized boolean healthy() {
        return tail != null && !closed && !died.isDone() && !tail.waitingForRegistry();
    }

    /**
     * Completes, with the reason, when the consumer stopped for good on its own (e.g. Kafka refused its credentials);
     * never after {@link #close()}. The page keeps serving what it had; the owner decides whether to exit.
     */
    public CompletionStage<String> died() {
        return died.minimalCompletionStage();
    }

    /** Stops serving and consuming; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            server.close();
            tail.close();
            try {
                consumerThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Settings of a {@link Dashboard}; {@link #build()} checks them all and names every bad one. */
    public static final class Builder {
        private String bootstrapServers;
        private String schemaRegistryUrl;
        private String kpiTopic = Topics.KPIS.name();
        private String anomalyTopic = Topics.ANOMALIES.name();
        private int port = 8088;
        private String bind;
        private Map<String, Object> clientSettings = Map.of();

        private Builder() {}

        /** Kafka brokers, {@code host:port[,host:port...]}; required. */
        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** Confluent-compatible schema registry the records' schemas are in; required. */
        public Builder schemaRegistryUrl(String schemaRegistryUrl) {
            this.schemaRegistryUrl = schemaRegistryUrl;
            return this;
        }

        /** Topic of {@code KpiWindow} records (default {@code chainpulse.kpis}). */
        public Builder kpiTopic(String kpiTopic) {
            this.kpiTopic = kpiTopic;
            return this;
        }

        /** Topic of {@code Anomaly} transitions (default {@code chainpulse.anomalies}). */
        public Builder anomalyTopic(String anomalyTopic) {
            this.anomalyTopic = anomalyTopic;
            return this;
        }

        /** Port on 127.0.0.1 (default 8088; 0: any free port, see {@link Dashboard#uri()}). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Address to listen on (default: loopback only, since the page has no authentication). A container sets
         * {@code 0.0.0.0} and leaves access control to its network.
         */
        public Builder bind(String address) {
            this.bind = address;
            return this;
        }

        /**
         * Kafka client keys for its consumer and dead-letter producer ({@code security.protocol}, {@code sasl.*},
         * {@code ssl.*}, {@code consumer.*}, {@code producer.*}; see {@link ClientSettings}) and the registry's
         * credentials and TLS keys ({@link AvroSerdeConfig}); other keys are ignored. Default: none.
         */
        public Builder clientSettings(Map<String, ?> settings) {
            this.clientSettings = Map.copyOf(settings);
            return this;
        }

        /** @throws IllegalArgumentException naming every bad setting and its value */
        public Dashboard build() {
            List<String> problems = new ArrayList<>();
            requireText(problems, "bootstrapServers", bootstrapServers);
            requireText(problems, "schemaRegistryUrl", schemaRegistryUrl);
            requireText(problems, "kpiTopic", kpiTopic);
            requireText(problems, "anomalyTopic", anomalyTopic);
            if (bind != null && bind.isBlank()) {
                problems.add("bind must not be blank: '" + bind + "'");
            }
            if (port < 0 || port > 65535) {
                problems.add("port must be in 0..65535: " + port);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid dashboard settings: " + String.join("; ", problems));
            }
            Builder copy = new Builder();
            copy.bootstrapServers = bootstrapServers.strip();
            copy.schemaRegistryUrl = schemaRegistryUrl.strip();
            copy.kpiTopic = kpiTopic.strip();
            copy.anomalyTopic = anomalyTopic.strip();
            copy.port = port;
            copy.bind = bind == null ? null : bind.strip();
            copy.clientSettings = clientSettings;
            return new Dashboard(copy);
        }

        private static void requireText(List<String> problems, String name, String value) {
            if (value == null) {
                problems.add(name + " is required");
            } else if (value.isBlank()) {
                problems.add(name + " must not be blank: '" + value + "'");
            }
        }
    }
}
