package io.chainpulse.cli;

import io.chainpulse.simulator.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./chainpulse demo}: the whole pipeline on this machine, a live simulated network, a fault after a minute. */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run everything on this machine: the real local stack (Kafka broker, schema registry, Elasticsearch node, "
                    + "Pushgateway where installed), the KPI processor, the anomaly detector, the Elasticsearch and "
                    + "Pushgateway sinks, the webhook notifier posting to a console receiver, the live dashboard, and a "
                    + "simulated network "
                    + "publishing live through the producer SDK, with a slow validator (v3, 3x) from 60 s to 150 s.",
            "Prints where to look; Ctrl-C (or --duration) stops everything cleanly. Starts from an empty "
                    + "--data-dir each time."})
final class DemoCommand implements Callable<Integer> {

    static final String DEFAULT_FAULT = "slow_validator:v3:60s-150s:3";

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop after this long (e.g. 120s, 5m) instead of waiting for Ctrl-C.")
    Duration duration;

    @Option(names = "--scenario", defaultValue = "baseline",
            description = "Built-in scenario (baseline, high-load, byzantine, partition) or a YAML file; it runs "
                    + "until the demo stops (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--fault", description = "Fault KIND:NODE:START-END[:MAGNITUDE] instead of the default "
            + DEFAULT_FAULT + " (repeatable; 'none' for no fault).")
    List<String> faults = List.of(DEFAULT_FAULT);

    @Option(names = "--window", defaultValue = "10s", converter = DurationConverter.class,
            description = "KPI window size (default: ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--grace", defaultValue = "5s", converter = DurationConverter.class,
            description = "Grace period for out-of-order events (default: ${DEFAULT-VALUE}).")
    Duration grace;

    @Option(names = "--elasticsearch", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Start Elasticsearch and the Elasticsearch sink (default: on; --no-elasticsearch saves "
                    + "~1 GB and a minute of start-up).")
    boolean elasticsearch;

    @Option(names = "--dashboard-port", defaultValue = "8088", description = "Dashboard port (default: ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "An anomaly detector setting for the demo's "
            + "detector (see ./chainpulse config), e.g. --set memory.leak.windows=6 to flag a fast leak within a "
            + "minute. Repeatable.")
    java.util.Map<String, String> set = new java.util.LinkedHashMap<>();

    @Option(names = "--data-dir", defaultValue = ".chainpulse/demo",
            description = "Where the servers keep their data; emptied at start (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        // Kafka's clients and Streams warn about routine things (transactions retried, topics being created): their
        // logs (slf4j-simple writes to whatever System.err is at the time) go to a file, so the console shows the demo.
        Path log = dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + ".log");
        java.nio.file.Files.createDirectories(log.getParent());
        System.setErr(new java.io.PrintStream(java.nio.file.Files.newOutputStream(log), true,
                java.nio.charset.StandardCharsets.UTF_8));
        System.out.println("logs of every part: " + log);
        Demo.Settings settings = new Demo.Settings(dataDir, scenario(), window, grace, elasticsearch, false,
                dashboardPort, set);
        CountDownLatch stopped = new CountDownLatch(1);
        Demo[] demo = new Demo[1];
        Thread hook = new Thread(() -> {
            System.out.println("stopping the demo ...");
            synchronized (demo) {
                if (demo[0] != null) {
                    demo[0].close();
                }
            }
            stopped.countDown();
        }, "chainpulse-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        synchronized (demo) {
            demo[0] = Demo.start(settings, System.out);
        }
        System.out.println();
        demo[0].urls().forEach((what, url) -> System.out.printf("  %-28s %s%n", what, url));
        System.out.println();
        System.out.println(duration == null ? "Ctrl-C to stop." : "stopping after " + duration.toSeconds() + " s.");
        long started = System.nanoTime();
        long deadline = duration == null ? Long.MAX_VALUE : started + duration.toNanos();
        while (System.nanoTime() < deadline
                && !stopped.await(Math.min(15_000_000_000L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            System.out.printf("t+%d s: %,d events published, %d anomaly transitions posted to the webhook%n",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), demo[0].eventsPublished(),
                    demo[0].webhookPosts().size());
        }
        if (stopped.getCount() > 0) { // --duration: stop here rather than in the hook
            Runtime.getRuntime().removeShutdownHook(hook);
            hook.run();
        }
        return 0;
    }

    Scenario scenario() throws java.io.IOException {
        Scenario s = SimulateCommand.scenario(scenario);
        // a live demo runs until stopped: the scenario's own length would end the network after a minute
        s = s.withDuration(duration == null ? Duration.ofDays(1) : duration.plusMinutes(1));
        if (!(faults.size() == 1 && faults.get(0).equals("none"))) {
            for (String fault : faults) {
                s = s.withFault(SimulateCommand.parseFault(fault));
            }
        }
        return s;
    }
}
