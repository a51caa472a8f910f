package io.chainpulse.cli;

import io.chainpulse.anomaly.notify.WebhookNotifier;
import io.chainpulse.anomaly.notify.WebhookService;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./chainpulse notify --url URL}: anomaly transitions to webhooks. */
@Command(name = "notify",
        mixinStandardHelpOptions = true,
        description = {
            "Post every anomaly transition from the anomaly topic to webhooks: the anomalies.jsonl JSON, or with "
                    + "--slack a Slack-compatible {\"text\": …}. Retries 429/5xx/connection errors with backoff; posts "
                    + "each transition once. Its own consumer group: a slow webhook never holds back the pipeline."})
final class NotifyCommand implements Callable<Integer> {

    @Option(names = "--url", required = true, description = "Webhook URL (repeatable).")
    List<URI> urls;

    @Option(names = "--slack", description = "Send Slack-compatible text payloads.")
    boolean slack;

    @Option(names = "--max-attempts", defaultValue = "8", description = "Attempts per post (default: ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Option(names = "--topic", defaultValue = Topics.ANOMALIES, description = "Anomaly topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--group", defaultValue = "chainpulse-notify", description = "Consumer group (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--registry-url", defaultValue = "http://127.0.0.1:8081/apis/ccompat/v7",
            description = "Schema registry (default: ${DEFAULT-VALUE}).")
    String registryUrl;

    @Option(names = "--metrics-port", defaultValue = "9468",
            description = "Port of /metrics and /health on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
    int metricsPort;

    @Override
    public Integer call() throws InterruptedException {
        WebhookService service = new WebhookService(bootstrapServers, registryUrl, topic, group,
                new WebhookNotifier(urls, slack, maxAttempts, Duration.ofMillis(200)));
        ServiceEndpoint endpoint = ServiceEndpoint.start("notify", metricsPort, service::healthy);
        service.deadLetters().bindTo(endpoint.registry());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            endpoint.close();
        }, "chainpulse-notify-stop"));
        System.out.println("posting anomaly transitions from " + topic + " to " + urls.size() + " webhook(s); metrics "
                + "and health on http://127.0.0.1:" + endpoint.port() + "/metrics and /health; Ctrl-C to stop.");
        service.run();
        return 0;
    }
}
