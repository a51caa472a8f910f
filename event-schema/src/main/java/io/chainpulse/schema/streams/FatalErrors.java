package io.chainpulse.schema.streams;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stream thread's uncaught exception does to a ChainPulse Kafka Streams app's client (the KPI processor's, the
 * anomaly detector's), and how the process owning the client learns that it is gone for good ({@link #died()}), so
 * that it can exit and be restarted by its supervisor.
 *
 * <ul>
 *   <li>{@code REPLACE_THREAD} when the exception is transient — a Kafka {@link RetriableException} anywhere in its
 *   causes (a timeout, a broker or leader not available), or a bare {@link KafkaException} as the root cause (a client
 *   that gave up without a more specific type, e.g. the producer's "unhandled error in EndTxnResponse" when a
 *   just-restarted broker answered a commit with an unknown server error; only a new client helps, and a new thread
 *   has new clients), or a transaction the broker aborted under the producer ({@link InvalidTxnStateException},
 *   {@link InvalidProducerEpochException}: a coordinator back from an outage aborts the transactions left open longer
 *   than {@code transaction.timeout.ms}; the new thread's producer starts a new one) — at most
 *   {@value #MAX_REPLACEMENTS} times in
 *   {@link #REPLACEMENT_WINDOW}: the tasks go to a new thread and resume from their last commit (exactly-once).</li>
 *   <li>{@code SHUTDOWN_CLIENT} for everything else — a bug, an {@link Error}, a missing or forbidden topic, a
 *   transient error that keeps coming back — since a new thread would fail the same way, forever, while the process
 *   looked alive. The client goes to {@code ERROR}, {@code /health} turns 503 and {@link #died()} completes.</li>
 * </ul>
 * {@code SHUTDOWN_APPLICATION} is never used: one instance's fault must not stop the instances that are well.
 *
 * <pre>{@code
 * FatalErrors fatal = FatalErrors.watch(streams, "processor");
 * fatal.died().thenAccept(reason -> ...exit non-zero...);
 * fatal.closing(); streams.close(timeout);     // an intended stop is not a death
 * }</pre>
 */
public final class FatalErrors implements StreamsUncaughtExceptionHandler {
    static final int MAX_REPLACEMENTS = 3;
    static final Duration REPLACEMENT_WINDOW = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);

    private final String service;
    private final LongSupplier nanoTime;
    private final Deque<Long> replacements = new ArrayDeque<>();
    private final CompletableFuture<String> died = new CompletableFuture<>();
    private volatile String cause;
    private volatile boolean closing;

    FatalErrors(String service, LongSupplier nanoTime) {
        this.service = service;
        this.nanoTime = nanoTime;
    }

    /** Installs the handler and the state listener on {@code streams} (before it starts). */
    public static FatalErrors watch(KafkaStreams streams, String service) {
        FatalErrors fatal = new FatalErrors(service, System::nanoTime);
        streams.setUncaughtExceptionHandler(fatal);
        streams.setStateListener(fatal::changed);
        return fatal;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        long now = nanoTime.getAsLong();
        while (!replacements.isEmpty() && now - replacements.peekFirst() > REPLACEMENT_WINDOW.toNanos()) {
            replacements.removeFirst();
        }
        if (isTransient(exception) && replacements.size() < MAX_REPLACEMENTS) {
            replacements.addLast(now);
            LOG.warn("{}: a stream thread died of a transient error, replacing it ({} of at most {} in {}): {}",
                    service, replacements.size(), MAX_REPLACEMENTS, REPLACEMENT_WINDOW, exception.toString(), exception);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        cause = "a stream thread died of " + describe(exception)
                + (isTransient(exception) ? " (transient, but the " + (MAX_REPLACEMENTS + 1) + "th in "
                + REPLACEMENT_WINDOW.toMinutes() + " min)" : "");
        LOG.error("{}: {}; shutting the Kafka Streams client down", service, cause, exception);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    void changed(KafkaStreams.State now, KafkaStreams.State before) {
        LOG.info("{}: Kafka Streams {} -> {}", service, before, now);
        if (now == KafkaStreams.State.PENDING_ERROR || now == KafkaStreams.State.ERROR) {
            died.complete(cause != null ? cause : "the Kafka Streams client went to " + now);
        } else if ((now == KafkaStreams.State.PENDING_SHUTDOWN || now == KafkaStreams.State.NOT_RUNNING) && !closing) {
            died.complete("the Kafka Streams client stopped (" + now + ") without being asked to");
        }
    }

    /** Completes, with the reason, when the client is in ERROR or stopped without {@link #closing()}; never otherwise. */
    public CompletionStage<String> died() {
        return died.minimalCompletionStage();
    }

    /** The owner is about to close the client: its stop is not a death. */
    public void closing() {
        closing = true;
    }

    static boolean isTransient(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof InvalidTxnStateException
                    || t instanceof InvalidProducerEpochException) {
                return true;
            }
            root = t;
        }
        // a bare KafkaException at the root is a client's unclassified give-up; every error Kafka knows to be
        // permanent (authorization, unsupported version, invalid configuration …) has its own subclass
        return root.getClass() == KafkaException.class;
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(e.toString());
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (text.indexOf(t.toString()) < 0) { // a wrapper's message is often its cause's
                text.append(", caused by ").append(t);
            }
        }
        return text.toString();
    }
}
