package io.chainpulse.schema.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RegistryWaitTest {
    private final AtomicLong now = new AtomicLong();
    private final List<Boolean> waitingWhileAsleep = new ArrayList<>();
    private final List<Long> sleeps = new ArrayList<>();
    private RegistryWait wait;

    private RegistryWait waitUpTo(Duration max) {
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        wait = new RegistryWait(new Backoff(Duration.ofMillis(1_000), Duration.ofMillis(1_000)), max, clock, delay -> {
            waitingWhileAsleep.add(wait.waiting());
            sleeps.add(delay.toMillis());
            now.addAndGet(1_000); // every sleep takes the full cap, whatever the jitter drew
        });
        return wait;
    }

    private static RegistryUnavailableException down() {
        return new RegistryUnavailableException("schema registry unavailable: connection refused", null);
    }

    @Test
    void shouldRetryUntilTheRegistryAnswersAndReportWaitingMeanwhile() {
        RegistryWait wait = waitUpTo(Duration.ofSeconds(60));
        AtomicInteger calls = new AtomicInteger();

        String answer = wait.call(() -> {
            if (calls.incrementAndGet() <= 3) {
                throw down();
            }
            return "schema";
        });

        assertThat(answer).isEqualTo("schema");
        assertThat(calls).hasValue(4);
        assertThat(waitingWhileAsleep).containsExactly(true, true, true);
        assertThat(wait.waiting()).isFalse();
    }

    @Test
    void shouldGiveUpAfterMaxWaitWithTheRegistrysError() {
        RegistryWait wait = waitUpTo(Duration.ofMillis(2_500));
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> wait.call(() -> {
            calls.incrementAndGet();
            throw down();
        })).isInstanceOf(RegistryUnavailableException.class)
                .hasMessage("schema registry unavailable: connection refused");
        // waits at 0, 1000, 2000 ms; the third sleep is cut to the 500 ms left; at 3000 ms it gives up
        assertThat(calls).hasValue(4);
        assertThat(wait.waiting()).isFalse();
    }

    @Test
    void shouldNotRetryPoison() {
        RegistryWait wait = waitUpTo(Duration.ofSeconds(60));
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> wait.call(() -> {
            calls.incrementAndGet();
            throw new SerializationException("schema id 7 not found");
        })).isInstanceOf(SerializationException.class).hasMessage("schema id 7 not found");
        assertThat(calls).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldStopWaitingOnceClosed() {
        RegistryWait wait = waitUpTo(Duration.ofSeconds(60));
        wait.close();
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> wait.call(() -> {
            calls.incrementAndGet();
            throw down();
        })).isInstanceOf(RegistryUnavailableException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void shouldTellAnOutageFromAnUnknownId() {
        // table: the registry's answer → unavailable (wait) or not (poison)
        assertThat(RegistryUnavailableException.isUnavailable(
                new SchemaRegistryException("unreachable", new java.io.IOException("Connection refused")))).isTrue();
        assertThat(RegistryUnavailableException.isUnavailable(new SchemaRegistryException("HTTP 503", 503, 0))).isTrue();
        assertThat(RegistryUnavailableException.isUnavailable(new SchemaRegistryException("HTTP 500", 500, 50001))).isTrue();
        assertThat(RegistryUnavailableException.isUnavailable(new SchemaRegistryException("HTTP 401", 401, 0))).isTrue();
        assertThat(RegistryUnavailableException.isUnavailable(new SchemaRegistryException("HTTP 404", 404, 40403))).isFalse();
        assertThat(RegistryUnavailableException.isUnavailable(
                new SchemaRegistryException("schema id 3 is of type JSON, not AVRO", 0, 0, true))).isFalse();
    }
}
