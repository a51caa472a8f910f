package io.chainpulse.sink.es;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** A clock that moves only when the code under test sleeps. */
final class FakeTime {
    final List<Duration> slept = new ArrayList<>();
    private Instant now = Instant.parse("2025-07-29T10:00:00Z");

    Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneId.of("UTC");
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
    }

    void sleep(Duration delay) {
        slept.add(delay);
        now = now.plus(delay);
    }
}
