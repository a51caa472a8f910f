package io.chainpulse.cli;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How a long-running service command ends. Either the JVM is asked to stop (SIGTERM, Ctrl-C): a shutdown hook closes
 * the service and the command returns 0. Or the service dies on its own (its Kafka Streams client in ERROR, a sink's
 * loop that cannot go on): its {@code /health} is 503 from that moment, and after {@link #LINGER} — so that a probe or
 * a scrape sees it — the command returns {@link #DIED}, with which the process exits, for systemd
 * ({@code Restart=on-failure}) or Kubernetes to restart it. Libraries only report a death ({@code died()}, or their
 * loop throwing); the command owns the process and its exit.
 *
 * <pre>{@code
 * return ServiceLifetime.await("sink-es", SinkEsCommand.start(config, metricsPort));   // any {@link Service}
 * }</pre>
 */
final class ServiceLifetime {
    /** Exit code of a service that died and wants a restart (sysexits' EX_SOFTWARE). */
    static final int DIED = 70;
    /** How long a dead service keeps answering 503 before the process exits. */
    static final Duration LINGER = Duration.ofSeconds(2);

    private ServiceLifetime() {}

    /**
     * Blocks until the JVM shuts down (then 0, the service closed by the shutdown hook), the service's loop returns
     * (then 0: its work is done, e.g. --duration) or the service dies (then {@link #DIED}, after the linger).
     */
    static int await(String command, Service service) throws InterruptedException {
        CompletionStage<String> died = service.died();
        CountDownLatch ended = new CountDownLatch(1);
        service.finished().thenRun(ended::countDown);
        AtomicReference<String> death = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("chainpulse " + command + ": closing failed: " + e);
            }
            ended.countDown();
        }, "chainpulse-" + command + "-stop"));
        died.thenAccept(reason -> {
            death.set(reason);
            ended.countDown();
        });
        ended.await();
        if (death.get() == null) {
            return 0;
        }
        System.err.println("chainpulse " + command + ": " + death.get() + "; /health answers 503; exiting with code "
                + DIED + " in " + LINGER.toSeconds() + " s so that the supervisor restarts the process");
        Thread.sleep(LINGER.toMillis());
        return DIED;
    }

    /** What to tell when {@link #refusedByKafka}: Kafka's own words and the settings (or ACLs) to check. */
    static String refusal(String command, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.AuthenticationException) {
                return "Kafka refused " + command + "'s credentials (" + t.getMessage()
                        + "): check security.protocol, sasl.*, ssl.*";
            }
            if (t instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return "Kafka denied " + command + "'s principal access (" + t.getMessage() + "): check its ACLs";
            }
        }
        return "cannot go on (" + e + ")";
    }

    /** Kafka refused the service's login or denied its principal, anywhere in {@code e}'s causes. */
    static boolean refusedByKafka(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.AuthenticationException
                    || t instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return true;
            }
        }
        return false;
    }
}
