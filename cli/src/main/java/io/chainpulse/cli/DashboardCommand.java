package io.chainpulse.cli;

import io.chainpulse.dashboard.Dashboard;
import io.chainpulse.schema.catalog.Topics;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./chainpulse dashboard}: the live web page of KPIs and anomalies on localhost. */
@Command(name = "dashboard",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a live page on http://127.0.0.1:PORT/: network TPS, consensus latency p50/p95/p99 and propagation "
                    + "delay p95 per node, block time, and the anomaly feed, refreshed every second.",
            "Reads the last 15 minutes of " + Topics.Names.KPIS + " and " + Topics.Names.ANOMALIES + " with its own consumer (no "
                    + "consumer group), so browsers never touch the pipeline. Runs until Ctrl-C."})
final class DashboardCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--port", defaultValue = "8088",
            description = "Port of the page (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--bind", description = "Address to serve the page on (default: loopback only; 0.0.0.0 in a "
            + "container, behind your own access control: the page has no login).")
    String bind;
    @Option(names = "--metrics-port", defaultValue = "9469",
            description = "Port of /metrics and /health on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
    int metricsPort;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> settings = kafka.settings(null, Map.of());
        if (kafka.printed(settings)) {
            return 0;
        }
        String bootstrapServers = KafkaOptions.bootstrapServers(settings);
        String registryUrl = KafkaOptions.registryUrl(settings);
        Dashboard dashboard = Dashboard.builder().bootstrapServers(bootstrapServers).schemaRegistryUrl(registryUrl)
                .clientSettings(settings)
                .kpiTopic(Topics.KPIS.name()).anomalyTopic(Topics.ANOMALIES.name()).port(port).bind(bind).build();
        Service service = start(dashboard, metricsPort);
        System.out.println("dashboard on " + dashboard.uri() + " (KPIs from " + Topics.KPIS.name() + ", anomalies from "
                + Topics.ANOMALIES.name() + " at " + bootstrapServers + "); Ctrl-C to stop.");
        // stopped by the JVM (0), or its consumer died, e.g. Kafka refused its credentials (70, after /health 503)
        return ServiceLifetime.await("dashboard", service);
    }

    /** The dashboard, started, with its {@code /metrics} and {@code /health}: what {@code dashboard} runs, and the demo. */
    static Service start(Dashboard dashboard, int metricsPort) {
        dashboard.start();
        return Service.running("dashboard", metricsPort, dashboard::healthy, dashboard.deadLetters()::bindTo,
                dashboard, dashboard.died());
    }
}
