package io.chainpulse.cli;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The one shape of every long-running ChainPulse service — processor, anomaly detector, both sinks, notify, dashboard —
 * whichever way it is started: its command ({@code ./chainpulse sink-es}) and the demo call the same
 * {@code XCommand.start(settings, metricsPort)}, so the demo runs each service exactly as production does, each with its
 * own {@code /metrics} and {@code /health}. A service is running once {@code start} returns; {@link #died()} completes
 * with the reason when it can no longer go on (a Streams client in ERROR, a loop that threw, a refused login);
 * {@link #close()} stops its work, then its endpoint.
 *
 * <pre>{@code
 * Service sink = SinkPushgatewayCommand.start(values, 9464);
 * return ServiceLifetime.await("sink-pushgateway", sink);   // 0 when asked to stop; 70 after a death
 * }</pre>
 */
final class Service implements AutoCloseable {
    private final String name;
    private final ServiceEndpoint endpoint;
    private final AutoCloseable work;
    private final CompletionStage<String> died;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    private Service(String name, ServiceEndpoint endpoint, AutoCloseable work, CompletionStage<String> died) {
        this.name = name;
        this.endpoint = endpoint;
        this.work = work;
        this.died = died;
    }

    /**
     * A service whose work already runs on threads of its own (Kafka Streams, the dashboard's consumers):
     * {@code /metrics} and {@code /health} on {@code metricsPort} (0 = any free port) with {@code metrics} bound.
     */
    static Service running(String name, int metricsPort, BooleanSupplier healthy, Consumer<MeterRegistry> metrics,
                           AutoCloseable work, CompletionStage<String> died) {
        ServiceEndpoint endpoint = ServiceEndpoint.start(name, metricsPort, healthy);
        try {
            metrics.accept(endpoint.registry());
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
        return new Service(name, endpoint, work, died);
    }

    /**
     * A service whose work is one blocking loop ({@code run()} until {@code work} is closed): the loop runs on the
     * thread {@code chainpulse-NAME}. A loop that returns was asked to stop; one that throws is the service's death,
     * reported with Kafka's refusal named ({@link ServiceLifetime#refusal}). {@code healthy} must turn false as the loop
     * ends.
     */
    static Service looping(String name, int metricsPort, BooleanSupplier healthy, Consumer<MeterRegistry> metrics,
                           Runnable loop, AutoCloseable work) {
        CompletableFuture<String> died = new CompletableFuture<>();
        Service service = running(name, metricsPort, healthy, metrics, work, died);
        Thread thread = new Thread(() -> {
            try {
                loop.run();
                service.finished.complete(null);
            } catch (RuntimeException | Error e) {
                e.printStackTrace();
                died.complete(ServiceLifetime.refusal(name, e));
            }
        }, "chainpulse-" + name);
        thread.setDaemon(true);
        thread.start();
        return service;
    }

    String name() {
        return name;
    }

    /** Completes with why the service cannot go on; never completes for a service that is only closed. */
    CompletionStage<String> died() {
        return died;
    }

    /** Completes when a loop service's loop returned (closed, or its work done); never for other services. */
    CompletionStage<Void> finished() {
        return finished;
    }

    /** Port of its {@code /metrics} and {@code /health}. */
    int metricsPort() {
        return endpoint.port();
    }

    /** Stops the work (a loop's {@code close()} waits for {@code run()} to end), then the endpoint. */
    @Override
    public void close() {
        try {
            work.close();
        } catch (Exception e) {
            System.err.println("chainpulse " + name + ": closing failed: " + e);
        } finally {
            endpoint.close();
        }
    }
}
