package io.chainpulse.schema.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** A clock that moves only when the code under test sleeps; shared with other modules' tests (the test-jar). */
public final class FakeTime {
    public final List<Duration> slept = new ArrayList<>();
    private Instant now = Instant.parse("2025-07-29T10:00:00Z");

    public Clock clock() {
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

    public void sleep(Duration delay) {
        slept.add(delay);
        now = now.plus(delay);
    }
}
