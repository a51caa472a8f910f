package io.chainpulse.schema.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FatalErrorsTest {
    private final AtomicLong now = new AtomicLong();
    private final FatalErrors fatal = new FatalErrors("processor", now::get);

    static Object[][] responses() {
        return new Object[][] {
            {new StreamsException(new TimeoutException("commit timed out")), StreamThreadExceptionResponse.REPLACE_THREAD},
            {new StreamsException("task failed", new StreamsException(new NotLeaderOrFollowerException("moved"))),
                    StreamThreadExceptionResponse.REPLACE_THREAD},
            // BrokerOutageChaosIT: a commit waiting out the outage, answered by the restarted broker
            {new StreamsException("Error encountered trying to commit a transaction", new KafkaException(
                    "Unhandled error in EndTxnResponse: The server experienced an unexpected error when processing the "
                            + "request.")), StreamThreadExceptionResponse.REPLACE_THREAD},
            // BrokerOutageChaosIT under load: the restarted coordinator had aborted the transaction left open through
            // the outage (older than transaction.timeout.ms), so the commit found it gone
            {new StreamsException("Error encountered trying to commit a transaction", new InvalidTxnStateException(
                    "The producer attempted a transactional operation in an invalid state.")),
                    StreamThreadExceptionResponse.REPLACE_THREAD},
            {new StreamsException(new InvalidProducerEpochException("Producer attempted to produce with an old epoch.")),
                    StreamThreadExceptionResponse.REPLACE_THREAD},
            {new StreamsException("Error encountered trying to commit a transaction", new KafkaException(
                    "Cannot execute transactional method because we are in an error state",
                    new TransactionalIdAuthorizationException("Transactional Id authorization failed."))),
                    StreamThreadExceptionResponse.SHUTDOWN_CLIENT},
            {new MissingSourceTopicException("One or more source topics were missing during rebalance"),
                    StreamThreadExceptionResponse.SHUTDOWN_CLIENT},
            {new StreamsException(new TopicAuthorizationException("chainpulse.kpis")),
                    StreamThreadExceptionResponse.SHUTDOWN_CLIENT},
            {new StreamsException(new IllegalStateException("a bug")), StreamThreadExceptionResponse.SHUTDOWN_CLIENT},
            {new OutOfMemoryError("Java heap space"), StreamThreadExceptionResponse.SHUTDOWN_CLIENT},
        };
    }

    @ParameterizedTest
    @MethodSource("responses")
    void shouldReplaceAThreadOnlyForATransientError(Throwable error, StreamThreadExceptionResponse expected) {
        assertThat(fatal.handle(error)).isEqualTo(expected);
    }

    @Test
    void shouldShutTheClientDownWhenATransientErrorKeepsComingBackAndSayWhyOnceItIsInError() {
        StreamsException timeout = new StreamsException(new TimeoutException("commit timed out"));
        for (int i = 0; i < FatalErrors.MAX_REPLACEMENTS; i++) {
            assertThat(fatal.handle(timeout)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            now.addAndGet(Duration.ofMinutes(1).toNanos());
        }
        assertThat(fatal.handle(timeout)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(fatal.died().toCompletableFuture()).isNotDone();

        fatal.changed(State.PENDING_ERROR, State.RUNNING);

        assertThat(fatal.died().toCompletableFuture()).isCompletedWithValue("a stream thread died of "
                + "org.apache.kafka.streams.errors.StreamsException: org.apache.kafka.common.errors.TimeoutException: "
                + "commit timed out (transient, but the 4th in 10 min)");
    }

    @Test
    void shouldReplaceAgainOnceEarlierReplacementsAreOlderThanTheWindow() {
        StreamsException timeout = new StreamsException(new TimeoutException("commit timed out"));
        for (int i = 0; i < FatalErrors.MAX_REPLACEMENTS; i++) {
            fatal.handle(timeout);
        }
        now.addAndGet(FatalErrors.REPLACEMENT_WINDOW.toNanos() + 1);
        assertThat(fatal.handle(timeout)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void shouldCallAStopWithoutCloseADeathButNotAnIntendedClose() {
        fatal.changed(State.PENDING_SHUTDOWN, State.RUNNING);
        assertThat(fatal.died().toCompletableFuture())
                .isCompletedWithValue("the Kafka Streams client stopped (PENDING_SHUTDOWN) without being asked to");

        FatalErrors closed = new FatalErrors("processor", now::get);
        closed.closing();
        closed.changed(State.PENDING_SHUTDOWN, State.RUNNING);
        closed.changed(State.NOT_RUNNING, State.PENDING_SHUTDOWN);
        CompletableFuture<String> died = closed.died().toCompletableFuture();
        assertThat(died).isNotDone();
    }
}
