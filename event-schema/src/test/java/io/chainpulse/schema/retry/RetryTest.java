package io.chainpulse.schema.retry;

import io.chainpulse.schema.retry.Backoff;
import io.chainpulse.schema.retry.Retry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30));

    @ParameterizedTest
    @CsvSource({"0, 100", "1, 200", "2, 400", "8, 25600", "9, 30000", "62, 30000", "1000, 30000"})
    void shouldDoubleTheCeilingPerAttemptUpToTheMax(int attempt, long ceilingMillis) {
        assertThat(backoff.ceiling(attempt)).isEqualTo(Duration.ofMillis(ceilingMillis));
    }

    @ParameterizedTest
    @CsvSource({"0, 0.0, 0", "0, 0.5, 50", "3, 0.25, 200", "3, 0.999, 799", "20, 0.5, 15000"})
    void shouldPickAFullJitterDelayBetweenZeroAndTheCeiling(int attempt, double random, long delayMillis) {
        assertThat(backoff.delay(attempt, () -> random)).isEqualTo(Duration.ofMillis(delayMillis));
    }

    @Test
    void shouldRejectBadBackoffSettingsEchoingThem() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("initial backoff must be > 0: PT0S");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("max backoff must be >= initial backoff PT2S: PT1S");
        assertThatThrownBy(() -> backoff.delay(0, () -> 1.0)).hasMessage("random must be in [0, 1): 1.0");
    }

    @Test
    void shouldSleepTheJitteredDelaysBetweenAttemptsAndReportTheOutage() throws Exception {
        FakeTime time = new FakeTime();
        List<String> events = new ArrayList<>();
        Retry retry = new Retry(backoff, time.clock(), time::sleep, () -> 0.5, new Retry.Listener() {
            @Override
            public void onRetry(int attempt, Duration delay, String reason) {
                events.add("retry " + attempt + " in " + delay.toMillis() + " ms: " + reason);
            }

            @Override
            public void onRecovered(int retries, Duration outage) {
                events.add("recovered after " + retries + " retries, " + outage.toMillis() + " ms");
            }
        });

        String value = retry.run(attempt -> attempt < 3 ? Retry.Step.retry("unavailable") : Retry.Step.done("ok"));

        assertThat(value).isEqualTo("ok");
        assertThat(time.slept).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(events).containsExactly(
                "retry 0 in 50 ms: unavailable",
                "retry 1 in 100 ms: unavailable",
                "retry 2 in 200 ms: unavailable",
                "recovered after 3 retries, 350 ms");
    }

    @Test
    void shouldNotSleepOrReportWhenTheFirstAttemptSucceeds() throws Exception {
        FakeTime time = new FakeTime();
        List<String> events = new ArrayList<>();
        Retry retry = new Retry(backoff, time.clock(), time::sleep, () -> 0.5,
                (attempt, delay, reason) -> events.add(reason));

        Integer value = retry.run(attempt -> Retry.Step.done(7));
        assertThat(value).isEqualTo(7);
        assertThat(time.slept).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void shouldStopAtOnceOnAnythingTheAttemptThrows() {
        FakeTime time = new FakeTime();
        Retry retry = new Retry(backoff, time.clock(), time::sleep, () -> 0.5, (attempt, delay, reason) -> {});
        int[] attempts = {0};

        assertThatThrownBy(() -> retry.run(attempt -> {
            attempts[0]++;
            throw new IllegalStateException("bad credentials");
        })).isInstanceOf(IllegalStateException.class).hasMessage("bad credentials");
        assertThat(attempts[0]).isEqualTo(1);
        assertThat(time.slept).isEmpty();
    }
}
