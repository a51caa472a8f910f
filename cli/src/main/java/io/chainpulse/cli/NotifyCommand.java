package io.chainpulse.cli;

import io.chainpulse.anomaly.notify.NotifyConfig;
import io.chainpulse.anomaly.notify.WebhookService;
import io.chainpulse.schema.catalog.Topics;
import io.micrometer.core.instrument.FunctionCounter;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./chainpulse notify --url URL --alertmanager URL}: anomaly transitions to webhooks and Alertmanager. */
@Command(name = "notify",
        mixinStandardHelpOptions = true,
        description = {
            "Post every anomaly transition from the anomaly topic to webhooks: the anomalies.jsonl JSON, or with "
                    + "--slack a Slack-compatible {\"text\": …}, with an Idempotency-Key header. Retries "
                    + "429/5xx/connection errors with backoff until delivered, in order per incident, committing only "
                    + "what was delivered; after max.age.ms an undeliverable transition goes to the dead-letter topic. "
                    + "Its own consumer group: a slow webhook never holds back the pipeline.",
            "With --alertmanager, every transition also goes to Alertmanager's /api/v2/alerts (labels alertname, "
                    + "chain, node, metric, severity, detector), with the same guarantees, and the firing alerts are "
                    + "posted again every alertmanager.resend.interval.ms (rebuilt from the current-anomalies topic "
                    + "at start), so neither a notify nor an Alertmanager restart loses one.",
            "Settings: see the 'Webhook notifier' table of ./chainpulse config; --set key=value for any of them."})
final class NotifyCommand implements Callable<Integer> {

    @Option(names = {"--url", "--webhook"}, description = "Webhook URL (repeatable; an empty one is ignored). A URL "
            + "holding a secret is better set as webhook.urls in --config, CHAINPULSE_SET_WEBHOOK_URLS or --set "
            + "webhook.urls=@FILE, out of ps.")
    List<URI> urls = new ArrayList<>();

    @Option(names = "--alertmanager", split = ",",
            description = "Alertmanager base URL, e.g. http://alertmanager:9093 (repeatable or comma-separated: the "
                    + "members of one cluster, each posted every alert; one accepting delivers it). --url, "
                    + "--alertmanager or both; at least one.")
    List<URI> alertmanagers = new ArrayList<>();

    @Option(names = "--dashboard-url",
            description = "The dashboard, linked from each alert as its generatorURL (default: http://127.0.0.1:8088/).")
    String dashboardUrl;

    @Option(names = "--min-severity",
            description = "Post only incidents of this severity or above (INFO, LOW, MEDIUM, HIGH, CRITICAL), to "
                    + "every destination; an incident that passed also has its later transitions posted (default: "
                    + "INFO, everything).")
    String minSeverity;

    @Option(names = "--slack", description = "Send Slack-compatible text payloads.")
    boolean slack;

    @Option(names = "--max-attempts", hidden = true,
            description = "Ignored: notify retries until delivered or max.age.ms (kept so existing scripts run).")
    Integer maxAttempts;

    @Option(names = "--topic", description = "Anomaly topic (default: " + Topics.Names.ANOMALIES + ").")
    String topic;

    @Option(names = "--group", description = "Consumer group (default: chainpulse-notify).")
    String group;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--metrics-port", defaultValue = "9468",
            description = "Port of /metrics and /health on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
    int metricsPort;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> values = values();
        if (kafka.printed(values)) {
            return 0;
        }
        Service service;
        try {
            service = start(values, metricsPort);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        System.out.println("posting anomaly transitions from " + values.getOrDefault(NotifyConfig.TOPIC,
                Topics.Names.ANOMALIES) + " to webhooks and Alertmanagers; "
                + "metrics and health on http://127.0.0.1:" + service.metricsPort() + "/metrics and /health; Ctrl-C to stop.");
        return ServiceLifetime.await("notify", service);
    }

    /** The notifier, running, with its {@code /metrics} and {@code /health}: what {@code notify} runs, and the demo. */
    static Service start(Map<String, Object> values, int metricsPort) {
        WebhookService service = WebhookService.create(values);
        return Service.looping("notify", metricsPort, service::healthy, registry -> {
            service.deadLetters().bindTo(registry);
            counter(registry, "delivered", "Transitions posted to a webhook or Alertmanager (one per URL).",
                    s -> s.delivered(), service);
            counter(registry, "retries", "Failed delivery attempts, retried with backoff.", s -> s.retries(), service);
            counter(registry, "dead.lettered", "Transitions sent to the dead-letter topic (refused for good, or "
                    + "undeliverable within max.age.ms).", s -> s.deadLettered(), service);
            counter(registry, "duplicates", "Redelivered transitions skipped.", s -> s.duplicates(), service);
            counter(registry, "filtered", "Transitions below --min-severity skipped.", s -> s.filtered(), service);
            counter(registry, "alertmanager.resent", "Firing alerts posted to Alertmanager again.", s -> s.resent(),
                    service);
            counter(registry, "alertmanager.resend.failures", "Resend rounds an Alertmanager did not accept.",
                    s -> s.resendFailures(), service);
        }, service::run, service);
    }

    /** The notifier's settings: see {@link KafkaOptions} for the layers; the named options win. */
    Map<String, Object> values() {
        Map<String, String> flags = new HashMap<>();
        // an empty --url (docker-compose's unset ${CHAINPULSE_WEBHOOK_URL:-}) is no webhook
        List<String> webhooks = urls.stream().map(URI::toString).filter(url -> !url.isBlank()).toList();
        if (!webhooks.isEmpty()) {
            flags.put(NotifyConfig.WEBHOOK_URLS, String.join(",", webhooks));
        }
        if (!alertmanagers.isEmpty()) {
            flags.put(NotifyConfig.ALERTMANAGER_URLS,
                    alertmanagers.stream().map(URI::toString).collect(Collectors.joining(",")));
        }
        flags.put(NotifyConfig.DASHBOARD_URL, dashboardUrl);
        flags.put(NotifyConfig.MIN_SEVERITY, minSeverity);
        flags.put(NotifyConfig.WEBHOOK_SLACK, slack ? "true" : null);
        flags.put(NotifyConfig.TOPIC, topic);
        flags.put(NotifyConfig.GROUP_ID, group);
        Map<String, Object> values = kafka.settings(NotifyConfig.CONFIG, flags);
        if (blank(values.get(NotifyConfig.WEBHOOK_URLS)) && blank(values.get(NotifyConfig.ALERTMANAGER_URLS))) {
            throw new IllegalArgumentException("notify needs a destination: --url URL (a webhook), --alertmanager URL, "
                    + "or both");
        }
        return values;
    }

    private static boolean blank(Object value) {
        return value == null || value.toString().isBlank();
    }

    private static void counter(io.micrometer.core.instrument.MeterRegistry registry, String name, String description,
                                ToDoubleFunction<WebhookService> value, WebhookService service) {
        FunctionCounter.builder("chainpulse.notify." + name, service, value).description(description)
                .register(registry);
    }
}
